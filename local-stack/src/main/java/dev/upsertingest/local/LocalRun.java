package dev.upsertingest.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/ingest local}: the whole system on this machine with nothing installed but a JDK. A Kafka broker and
 * (unless an existing server is given) PostgreSQL as processes of their own with their data under {@code .local/},
 * then ingest-worker (which runs the migrations, including the example {@code orders} stream and
 * {@code orders_view}) and ingest-api; optionally sample traffic. Ctrl-C stops every process it started.
 */
public final class LocalRun {

    private static final String VERSION = "0.1.0-SNAPSHOT";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final String DATABASE = "ingest";

    private final LocalRunOptions options;
    private final List<AutoCloseable> started = new ArrayList<>();
    private DemoTraffic demo;

    private LocalRun(LocalRunOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        int status = LocalCommand.commandLine().execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** Starts everything, then waits for Ctrl-C (SIGINT) or SIGTERM, which stops every process it started. */
    public static int run(LocalRunOptions options) {
        LocalRun run = new LocalRun(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            run.stopAll();
            stopped.countDown();
        }, "local-run-stop"));
        try {
            run.start();
        } catch (StartupProblem e) {
            System.err.println();
            System.err.println("bin/ingest local: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println();
            System.err.println("bin/ingest local: could not start: " + e.getMessage()
                    + "\n  logs are in " + options.dataDirectory().resolve("logs"));
            return 1;
        }
        try {
            stopped.await(); // until Ctrl-C (SIGINT) or SIGTERM runs the shutdown hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** A problem a newcomer can fix, said in one sentence with the fix, no stack trace. */
    static final class StartupProblem extends RuntimeException {
        StartupProblem(String message) {
            super(message);
        }
    }

    private void start() {
        Path data = options.dataDirectory();
        Path home = options.home();
        Path workerJar = jar(home, "ingest-worker");
        Path apiJar = jar(home, "ingest-api");
        LaunchEnvironment.clientListProblem(System.getenv(), data.resolve(ApiClientsFile.FILE_NAME).toString())
                .ifPresent(problem -> {
                    throw new StartupProblem(problem);
                });
        Path clientsFile;
        try {
            if (options.fresh()) {
                say("--fresh: deleting the Kafka data (%s)%s; keeping the API key (%s), the API clients (%s) and the logs (%s)",
                        data.resolve("kafka"),
                        options.jdbcUrl() == null
                                ? " and the PostgreSQL data (" + data.resolve("postgres") + ")"
                                : " (the PostgreSQL at --jdbc-url is not touched: drop its database yourself to start it over)",
                        data.resolve("api-key"), data.resolve(ApiClientsFile.FILE_NAME), data.resolve("logs"));
                Directories.deleteRecursively(data.resolve("kafka"));
                if (options.jdbcUrl() == null) {
                    Directories.deleteRecursively(data.resolve("postgres"));
                }
            }
            Files.createDirectories(data.resolve("logs"));
            clientsFile = ApiClientsFile.ensure(data);
        } catch (IOException e) {
            throw new StartupProblem("cannot use the data directory " + data + ": " + e.getMessage());
        }
        requireFreePort(options.apiPort(), "the API", "--api-port");
        requireFreePort(options.workerPort(), "the worker's management endpoints", "--worker-port");

        Database database = startDatabase(data);
        KafkaServerProcess kafka = startKafka(data);

        say("starting ingest-worker (runs the migrations; log: %s)", data.resolve("logs/worker.log"));
        Map<String, String> common = new LinkedHashMap<>();
        common.put("spring.datasource.url", database.jdbcUrl());
        common.put("spring.datasource.username", database.user());
        common.put("spring.datasource.password", database.password());
        common.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        Map<String, String> workerProperties = new LinkedHashMap<>(common);
        workerProperties.put("ingest.topics.replication-factor", "1");
        String apiKey = apiKey(data);
        Map<String, String> apiProperties = new LinkedHashMap<>(common);
        apiProperties.put("spring.config.additional-location", "file:" + clientsFile);
        apiProperties.put(ApiClientsFile.KEY_DIGEST_PROPERTY, sha256(apiKey));
        warnAboutOverriddenVariables(workerProperties, apiProperties);
        ServiceProcess worker = startService("ingest-worker", workerJar, workerProperties, data.resolve("logs/worker.log"),
                options.workerPort());
        createAnalystLogin(database);

        say("starting ingest-api (clients: %s; log: %s)", clientsFile, data.resolve("logs/api.log"));
        startService("ingest-api", apiJar, apiProperties, data.resolve("logs/api.log"), options.apiPort());

        if (options.demo()) {
            demo = new DemoTraffic("http://localhost:" + options.apiPort(), apiKey, options.demoRate());
            demo.start();
            say("--demo: publishing sample orders through the API at %d events/s", options.demoRate());
        }
        printWhereEverythingIs(database, kafka, worker, data, clientsFile);
    }

    /**
     * Environment variables reach the worker and the API, but the properties the launcher passes on their command line
     * outrank them: say so rather than let a SPRING_DATASOURCE_URL be ignored without a word.
     */
    private static void warnAboutOverriddenVariables(Map<String, String> workerProperties, Map<String, String> apiProperties) {
        Set<String> properties = new LinkedHashSet<>(workerProperties.keySet());
        properties.addAll(apiProperties.keySet());
        properties.add("server.port");
        for (String variable : LaunchEnvironment.overriddenByCommandLine(System.getenv(), properties)) {
            say("note: %s is set in the environment, but bin/ingest local sets that property itself on the command "
                    + "line, which wins (see bin/ingest local --help for the options)", variable);
        }
    }

    private record Database(String jdbcUrl, String user, String password, String description) {
        String psqlUrl() {
            return jdbcUrl.replace("jdbc:postgresql://", "postgresql://analyst:analyst@");
        }
    }

    private Database startDatabase(Path data) {
        if (options.jdbcUrl() != null) {
            say("using the PostgreSQL at %s", options.jdbcUrl());
            requireConnect(options.jdbcUrl(), options.dbUser(), options.dbPassword(), "the PostgreSQL given by --jdbc-url");
            return new Database(options.jdbcUrl(), options.dbUser(), options.dbPassword(), "given by --jdbc-url");
        }
        requireFreePort(options.postgresPort(), "the embedded PostgreSQL", "--postgres-port");
        say("starting PostgreSQL (embedded, Maven Central binaries; data in %s, kept between runs)", data.resolve("postgres"));
        PostgresServerProcess postgres;
        try {
            postgres = PostgresServerProcess.start(data.resolve("postgres"), options.postgresPort(), localTuning(),
                    data.resolve("logs").resolve("postgres.log"));
        } catch (RuntimeException e) {
            throw new StartupProblem("""
                    the embedded PostgreSQL did not start (%s).
                      Its log: %s
                      As root it needs user namespaces (unshare -U); inside a container, run as a non-root user.
                      Or use a PostgreSQL you have: bin/ingest local --jdbc-url=jdbc:postgresql://HOST:5432/ingest --db-user=USER --db-password=PASSWORD"""
                    .formatted(firstLine(e.getMessage()), data.resolve("logs").resolve("postgres.log")));
        }
        started.add(postgres);
        postgres.ensureDatabase(DATABASE);
        return new Database(postgres.jdbcUrl(DATABASE), PostgresServerProcess.USER, PostgresServerProcess.PASSWORD,
                "embedded, data in " + postgres.dataDirectory());
    }

    /**
     * The design's settings (see PostgresTuning and the README's performance notes), with memory sized for a laptop
     * rather than a database server.
     */
    private static Map<String, String> localTuning() {
        Map<String, String> settings = new LinkedHashMap<>(PostgresTuning.settings());
        settings.put("shared_buffers", "256MB");
        settings.put("max_wal_size", "2GB");
        return settings;
    }

    private KafkaServerProcess startKafka(Path data) {
        Path directory = data.resolve("kafka");
        if (!Files.exists(directory.resolve("server.properties"))) {
            requireFreePort(options.kafkaPort(), "the Kafka broker", "--kafka-port");
        }
        say("starting a Kafka broker (KRaft, its own process; data in %s)", directory);
        try {
            KafkaServerProcess kafka = KafkaServerProcess.openOrCreate(directory, options.kafkaPort());
            started.add(kafka);
            return kafka;
        } catch (RuntimeException e) {
            throw new StartupProblem("the Kafka broker did not come up: " + firstLine(e.getMessage())
                    + "\n  its log: " + directory.resolve("server.log")
                    + "\n  (if the port it was created with is taken now, free it, or start over with --fresh)");
        }
    }

    private ServiceProcess startService(String name, Path jar, Map<String, String> properties, Path log, int port) {
        try {
            ServiceProcess service = ServiceProcess.start(name, jar, List.of("-Xmx768m", "-XX:+UseSerialGC"), properties,
                    log, Duration.ofMinutes(3), port);
            started.add(() -> service.stop(Duration.ofSeconds(45)));
            return service;
        } catch (RuntimeException e) {
            throw new StartupProblem(name + " did not start: " + firstLine(e.getMessage()) + "\n  its log: " + log);
        }
    }

    /**
     * The analyst login the printed psql URL uses, made the supported way (ingest.create_analyst_login: read-only,
     * search_path = views, timeouts). A login of an earlier run is brought up to date; a role "analyst" that is not an
     * analyst login (on a PostgreSQL of your own) is left alone.
     */
    private static void createAnalystLogin(Database database) {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement statement = connection.createStatement()) {
            statement.execute("""
                    DO $$ BEGIN
                      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analyst') THEN
                        PERFORM ingest.create_analyst_login('analyst', 'analyst');
                      ELSIF pg_has_role('analyst', 'ingest_analyst', 'MEMBER') THEN
                        PERFORM ingest.configure_analyst_login('analyst');
                      ELSE
                        RAISE EXCEPTION 'a role "analyst" exists and is not in ingest_analyst; it is left alone';
                      END IF;
                    END $$""");
        } catch (SQLException e) {
            System.out.println("  (no local analyst login, so the psql URL below will not work: " + firstLine(e.getMessage()) + ")");
        }
    }

    private void printWhereEverythingIs(Database database, KafkaServerProcess kafka, ServiceProcess worker, Path data,
                                        Path clientsFile) {
        String api = "http://localhost:" + options.apiPort();
        Path keyFile = data.resolve("api-key");
        System.out.printf("""

                Upsert Ingest is running. Ctrl-C stops everything.

                  API          %1$s/api/v1  (key of client "local": %2$s; send it as "Authorization: Bearer <key>")
                  API clients  %9$s  (add clients there, then restart)
                  Swagger UI   %1$s/swagger-ui.html  (user "local", password: the key)
                  Publish      curl -X POST %1$s/api/v1/streams/orders/events -H "Authorization: Bearer $(cat %2$s)" \\
                                 -H 'Content-Type: application/json' -d '[{"order_id": "o-1", "version": 1, "status": "paid", "total": 12.5}]'
                  Query        curl -H "Authorization: Bearer $(cat %2$s)" %1$s/api/v1/views/orders_view/rows/o-1
                  SQL          psql "%3$s" -c 'SELECT count_values(status) FROM orders_view'
                               (read-only, search_path = views; JDBC %4$s as analyst/analyst)
                  Metrics      %5$s/actuator/prometheus (worker), %1$s/actuator/prometheus (API, with the key)
                  Kafka        %6$s (topic orders)
                  PostgreSQL   %7$s
                  Logs         %8$s
                """, api, keyFile, database.psqlUrl(), database.jdbcUrl(), worker.url("").replaceAll("/$", ""),
                kafka.bootstrapServers(), database.description(), data.resolve("logs"), clientsFile);
        System.out.flush();
    }

    private synchronized void stopAll() {
        if (started.isEmpty() && demo == null) {
            return;
        }
        System.out.println();
        say("stopping (the API, the worker, the broker, PostgreSQL) ...");
        if (demo != null) {
            demo.stop();
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.out.println("  could not stop cleanly: " + e.getMessage());
            }
        }
        started.clear();
        say("stopped; data kept in %s", options.dataDirectory());
    }

    private static String apiKey(Path data) {
        Path file = data.resolve("api-key");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Files.writeString(file, key + "\n");
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path jar(Path home, String module) {
        Path jar = home.resolve(module).resolve("target").resolve(module + "-" + VERSION + "-exec.jar");
        if (!Files.exists(jar)) {
            throw new StartupProblem(jar + " is missing: build it with ./mvnw -DskipTests install (bin/ingest does this by itself)");
        }
        return jar;
    }

    private static void requireFreePort(int port, String what, String option) {
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new StartupProblem("port " + port + " for " + what + " is already taken (another bin/ingest local "
                    + "running?). Stop whatever uses it, or choose another port with " + option + "=N");
        }
    }

    private static void requireConnect(String url, String user, String password, String what) {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
            // reachable
        } catch (SQLException e) {
            throw new StartupProblem("cannot connect to " + what + " (" + firstLine(e.getMessage()) + "). Check the URL, "
                    + "--db-user and --db-password; or leave --jdbc-url out to use the embedded PostgreSQL");
        }
    }

    static boolean listening(int port) {
        try (Socket ignored = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no details";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }


    static void say(String format, Object... args) {
        System.out.println("[" + LocalTime.now().format(CLOCK) + "] " + String.format(format, args));
        System.out.flush();
    }
}
