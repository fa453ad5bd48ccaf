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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a newcomer does with {@code bin/ingest local}: start the stack, post events with curl, read them back from the
 * view and in SQL as the README prints it, press Ctrl-C; add an API client the way the README says and start again,
 * finding the data still there; start over with {@code --fresh}. The stack runs as its own process (the same main the
 * launcher runs), and after each Ctrl-C no process it started may be left.
 */
class LocalRunIT {

    private static final Path DATA = Path.of("target", "local-run-it").toAbsolutePath();
    private static final Path README = Path.of("..", "README.md");
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final int apiPort = freePort();
    private final int postgresPort = freePort();
    private Process stack;

    @AfterEach
    void killLeftovers() {
        if (stack != null) {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    @Test
    void startPostQueryCtrlCAddAClientStartAgainWithTheDataKeptThenStartOver() throws Exception {
        Directories.deleteRecursively(DATA);
        stack = start();
        String key = Files.readString(DATA.resolve("api-key")).strip();
        Path clients = DATA.resolve("api-clients.yml");
        assertThat(clients).content().contains("- name: local");

        HttpResponse<String> posted = post(key, """
                [{"order_id": "o-it-1", "version": 1, "status": "paid", "total": 12.5, "created_at": "%s"},
                 {"order_id": "o-it-2", "version": 1, "status": "created", "total": 7}]""".formatted(Instant.now()));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        assertThat(posted.body()).contains("\"accepted\":2");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> row(key, "o-it-1").statusCode() == 200);
        assertThat(row(key, "o-it-1").body()).contains("\"status\":\"paid\"");

        theReadmesSqlRunsAsPrinted();
        try (Connection admin = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres")) {
            assertThat(show(admin, "client_connection_check_interval")).as("the server's own setting").isEqualTo("5s");
        }
        ctrlC(stack);

        // A second client, the README's way: appended to the list in api-clients.yml.
        String dashboard = readmeBlock("**API clients.**", "```yaml");
        Files.writeString(clients, Files.readString(clients) + dashboard);
        String dashboardKey = match(dashboard, "key: (\\S+)");
        stack = start();
        // Straight away: the row comes from the view PostgreSQL kept, not from events consumed again.
        assertThat(row(key, "o-it-1").statusCode()).as("the second start found the data of the first").isEqualTo(200);
        assertThat(row(dashboardKey, "o-it-1").statusCode()).as("the second client queries").isEqualTo(200);
        assertThat(post(dashboardKey, "[]").statusCode()).as("a query-only client may not publish").isEqualTo(403);
        assertThat(post(key, "[{\"order_id\": \"o-it-3\", \"version\": 1, \"status\": \"shipped\"}]").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(() -> row(dashboardKey, "o-it-3").statusCode() == 200);
        ctrlC(stack);

        stack = start("--fresh");
        assertThat(output).anySatisfy(line -> assertThat(line)
                .contains("--fresh: deleting the Kafka data (" + DATA.resolve("kafka") + ") and the PostgreSQL data ("
                        + DATA.resolve("postgres") + "); keeping the API key (" + DATA.resolve("api-key")
                        + "), the API clients (" + clients + ") and the logs (" + DATA.resolve("logs") + ")"));
        assertThat(Files.readString(DATA.resolve("api-key")).strip()).as("--fresh keeps the key, as it says").isEqualTo(key);
        assertThat(row(key, "o-it-1").statusCode()).as("--fresh deleted the data").isEqualTo(404);
        assertThat(row(dashboardKey, "o-it-1").statusCode()).as("--fresh kept the clients").isEqualTo(404);
        ctrlC(stack);
    }

    @Test
    void clientsInEnvironmentVariablesAreRefusedNotIgnored() throws Exception {
        Process refused = launch(Map.of("INGEST_API_SECURITY_CLIENTS_1_NAME", "dashboard"));
        assertThat(refused.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(refused.exitValue()).isEqualTo(1);
        assertThat(String.join("\n", output)).contains("INGEST_API_SECURITY_CLIENTS_1_NAME is set in the environment")
                .contains("Add your clients to that file").doesNotContain("starting PostgreSQL");
    }

    /**
     * The psql lines of the quick start and the analyst queries of "Analyst access", as the README prints them, against
     * the local analyst login (JDBC, with the port this test chose): no schema names, read-only, no error.
     */
    private void theReadmesSqlRunsAsPrinted() throws Exception {
        String readme = Files.readString(README);
        Matcher psql = Pattern.compile("^psql (postgresql://(\\w+):(\\w+)@localhost:55432/ingest) -c '([^']+)'$", Pattern.MULTILINE)
                .matcher(readme);
        List<String> statements = new ArrayList<>();
        String user = null;
        String password = null;
        while (psql.find()) {
            user = psql.group(2);
            password = psql.group(3);
            statements.add(psql.group(4));
        }
        String analystSql = readmeBlock("**Analyst access.**", "```sql\nSELECT count_values");
        analystSql.lines().filter(l -> l.startsWith("SELECT")).forEach(statements::add);
        assertThat(statements).hasSizeGreaterThanOrEqualTo(3).anySatisfy(s -> assertThat(s).startsWith("SELECT count_values(status) FROM orders_view WHERE"));

        try (Connection analyst = DriverManager.getConnection(jdbcUrl(), user, password); Statement s = analyst.createStatement()) {
            for (String statement : statements) {
                try (ResultSet rows = s.executeQuery(statement)) {
                    assertThat(rows.next()).as(statement).isTrue();
                    if (statement.startsWith("SELECT count_values(status)")) {
                        assertThat(rows.getString(1)).as(statement).contains("\"paid\": 1");
                    }
                }
            }
            assertThat(show(analyst, "search_path")).isEqualTo("views");
            assertThat(show(analyst, "default_transaction_read_only")).isEqualTo("on");
        }
    }

    /** The text of the first fenced block that starts with {@code fence} after {@code heading}. */
    private static String readmeBlock(String heading, String fence) throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(fence, readme.indexOf(heading));
        int body = readme.indexOf('\n', start) + 1;
        return readme.substring(body, readme.indexOf("```", body));
    }

    private static String match(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(regex).isTrue();
        return matcher.group(1);
    }

    private String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgresPort + "/ingest";
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rows = s.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private HttpResponse<String> post(String key, String events) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(api("/api/v1/streams/orders/events"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(events)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> row(String key, String id) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(api("/api/v1/views/orders_view/rows/" + id))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI api(String path) {
        return URI.create("http://localhost:" + apiPort + path);
    }

    private Process start(String... extra) throws IOException {
        Process process = launch(Map.of(), extra);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            assertThat(process.isAlive()).as("bin/ingest local exited: %s", output).isTrue();
            return output.stream().anyMatch(l -> l.contains("Upsert Ingest is running"));
        });
        return process;
    }

    private Process launch(Map<String, String> environment, String... extra) throws IOException {
        output.clear();
        Path home = Path.of("..").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-Dingest.home=" + home,
                "-cp", System.getProperty("java.class.path"), "dev.upsertingest.local.LocalRun",
                "--data-dir=" + DATA, "--api-port=" + apiPort, "--worker-port=" + freePort(),
                "--kafka-port=" + freePort(), "--postgres-port=" + postgresPort));
        command.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
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
