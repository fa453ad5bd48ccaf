package dev.upsertingest.loadtest;

import dev.upsertingest.local.Directories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a newcomer does with {@code bin/ingest local}: start the stack, post events with curl, read them back from the
 * view, press Ctrl-C; then start again and find the data still there. The stack runs as its own process (the same
 * main the launcher runs), and after each Ctrl-C no process it started may be left.
 */
class LocalRunIT {

    private static final Path DATA = Path.of("target", "local-run-it").toAbsolutePath();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final int apiPort = freePort();
    private Process stack;

    @AfterEach
    void killLeftovers() {
        if (stack != null) {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    @Test
    void startPostQueryCtrlCThenStartAgainWithTheDataKept() throws Exception {
        Directories.deleteRecursively(DATA);
        stack = start();
        String key = Files.readString(DATA.resolve("api-key")).strip();

        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(api("/api/v1/streams/orders/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        [{"order_id": "o-it-1", "version": 1, "status": "paid", "total": 12.5, "created_at": "2026-11-21T10:00:00Z"},
                         {"order_id": "o-it-2", "version": 1, "status": "created", "total": 7}]""")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.body()).contains("\"accepted\":2");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> row(key).statusCode() == 200);
        assertThat(row(key).body()).contains("\"status\":\"paid\"");

        ctrlC(stack);

        stack = start();
        // Straight away: the row comes from the view PostgreSQL kept, not from events consumed again.
        assertThat(row(key).statusCode()).as("the second start found the data of the first").isEqualTo(200);
        ctrlC(stack);
    }

    private HttpResponse<String> row(String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(api("/api/v1/views/orders_view/rows/o-it-1"))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI api(String path) {
        return URI.create("http://localhost:" + apiPort + path);
    }

    private Process start() throws IOException {
        output.clear();
        Path home = Path.of("..").toAbsolutePath().normalize();
        Process process = new ProcessBuilder(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-Dingest.home=" + home,
                "-cp", System.getProperty("java.class.path"), "dev.upsertingest.local.LocalRun",
                "--data-dir=" + DATA, "--api-port=" + apiPort, "--worker-port=" + freePort(),
                "--kafka-port=" + freePort(), "--postgres-port=" + freePort()))
                .redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                reader.lines().forEach(line -> {
                    output.add(line);
                    System.out.println("[local] " + line);
                });
            } catch (IOException ignored) {
                // the process ended
            }
        });
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(process.isAlive()).as("bin/ingest local exited: %s", output).isTrue();
            return output.stream().anyMatch(l -> l.contains("Upsert Ingest is running"));
        });
        return process;
    }

    /**
     * Ctrl-C: SIGINT in a terminal. Sent as SIGTERM here, which runs the same JVM shutdown hooks, because a process
     * started in the background of a non-interactive shell (as CI may run this build) inherits SIGINT ignored, and the
     * JVM then leaves it ignored. Afterwards nothing the stack started may still run.
     */
    private static void ctrlC(Process process) throws Exception {
        // The broker, the worker and the API are its children; PostgreSQL's postmaster is started through pg_ctl, which
        // leaves it to init, so that one is checked by its pid file (removed at shutdown).
        List<ProcessHandle> children = process.descendants().toList();
        assertThat(children).as("the broker, the worker and the API run as processes").hasSizeGreaterThanOrEqualTo(3);
        Path postmasterPid = DATA.resolve("postgres").resolve("postmaster.pid");
        assertThat(postmasterPid).exists();
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("stopped within 3 minutes").isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(children.stream().filter(ProcessHandle::isAlive).map(h -> h.info().commandLine().orElse("?")))
                        .as("processes left behind").isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(postmasterPid).as("PostgreSQL stopped").doesNotExist());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
