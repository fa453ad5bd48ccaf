package dev.upsertingest.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * ingest-worker or ingest-api as a process of its own, started from its runnable jar with properties as command-line
 * arguments (they outrank application.yml), its output in a log file, and ready when its readiness probe says so.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code jar} with {@code properties} (each passed as {@code --name=value}; {@code server.port} is chosen
     * here) and waits until {@code /actuator/health/readiness} answers 200.
     */
    public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> properties,
                                       Path log, Duration timeout) {
        return start(name, jar, jvmOptions, properties, log, timeout, KafkaServerProcess.freePort());
    }

    /** As {@link #start(String, Path, List, Map, Path, Duration)}, on the given HTTP port. */
    public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> properties,
                                       Path log, Duration timeout, int port) {
        List<String> command = new ArrayList<>(List.of(KafkaServerProcess.javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port));
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ServiceProcess service = new ServiceProcess(name, process, log, port);
            // When whoever started it exits (Ctrl-C on bin/ingest local, a benchmark's end), stop it the polite way.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> service.stop(Duration.ofSeconds(30))));
            service.awaitReady(timeout);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during startup (code " + process.exitValue() + "); see " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url("/actuator/health/readiness")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
    }

    /** SIGTERM, then waits up to {@code grace} for a clean exit before SIGKILL. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: no shutdown hooks, no in-flight batch finished. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
