package dev.upsertingest.loadtest.infra;

import dev.upsertingest.local.KafkaServerProcess;

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
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Kafka Connect in standalone mode as a process of its own, from the jars the {@code debezium-sink} module copies from
 * Maven Central (Connect runtime, JSON converter, the Debezium JDBC sink, pgjdbc), running one connector. Ready when
 * its REST API reports the connector and every one of its tasks {@code RUNNING}.
 */
public final class ConnectStandaloneProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;
    private final String connector;

    private ConnectStandaloneProcess(Process process, Path log, int port, String connector) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.connector = connector;
    }

    /** Where {@code bin/ingest} (the {@code debezium-sink} module) puts the jars. */
    public static Path libraries() {
        Path home = Path.of(System.getProperty("ingest.home", "."));
        Path lib = home.resolve("debezium-sink").resolve("target").resolve("lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: run the benchmark through bin/ingest, which builds the "
                    + "debezium-sink module (it copies Kafka Connect and the Debezium JDBC sink there)");
        }
        return lib;
    }

    /**
     * Starts Connect with {@code worker} settings (the REST listener, converters and offset storage are set here) and
     * the connector {@code connector} (its {@code name} is set here), and waits until its tasks run.
     */
    public static ConnectStandaloneProcess start(Path directory, String connectorName, Map<String, String> worker,
                                                 Map<String, String> connector, List<String> jvmOptions, Duration timeout) {
        int port = KafkaServerProcess.freePort();
        try {
            Files.createDirectories(directory);
            Properties workerProperties = new Properties();
            workerProperties.putAll(worker);
            workerProperties.put("listeners", "http://127.0.0.1:" + port);
            workerProperties.put("offset.storage.file.filename", directory.resolve("connect.offsets").toString());
            Path workerFile = directory.resolve("worker.properties");
            try (var out = Files.newBufferedWriter(workerFile)) {
                workerProperties.store(out, "Kafka Connect standalone worker for the benchmark");
            }
            Properties connectorProperties = new Properties();
            connectorProperties.putAll(connector);
            connectorProperties.put("name", connectorName);
            Path connectorFile = directory.resolve(connectorName + ".properties");
            try (var out = Files.newBufferedWriter(connectorFile)) {
                connectorProperties.store(out, "the connector under test");
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(jvmOptions);
            command.addAll(List.of("-Dlog4j2.level=WARN", "-cp", libraries().toAbsolutePath() + "/*",
                    "org.apache.kafka.connect.cli.ConnectStandalone", workerFile.toString(), connectorFile.toString()));
            Path log = directory.resolve("connect.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            ConnectStandaloneProcess connect = new ConnectStandaloneProcess(process, log, port, connectorName);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> connect.stop(Duration.ofSeconds(30))));
            connect.awaitRunning(timeout);
            return connect;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path log() {
        return log;
    }

    public long pid() {
        return process.pid();
    }

    /** The connector's status as Connect's REST API reports it (JSON). */
    public String status() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/connectors/" + connector + "/status"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitRunning(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka Connect exited during startup (code " + process.exitValue() + "); see " + log);
            }
            try {
                last = status();
                if (last.contains("\"tasks\":[{") && !last.contains("FAILED") && !last.contains("UNASSIGNED")
                        && !last.contains("PAUSED") && last.replace("\"state\":\"RUNNING\"", "").indexOf("\"state\"") < 0) {
                    return;
                }
                if (last.contains("FAILED")) {
                    throw new IllegalStateException("the connector failed: " + last + "; see " + log);
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
        throw new IllegalStateException("the connector was not running within " + timeout + " (last status: " + last + "); see " + log);
    }

    /** SIGTERM (Connect stops its tasks and commits their offsets), then SIGKILL after {@code grace}. */
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

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /** The settings as one line each, for the results and the docs. */
    public static String describe(Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(", "));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
