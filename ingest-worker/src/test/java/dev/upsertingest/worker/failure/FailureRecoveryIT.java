package dev.upsertingest.worker.failure;

import dev.upsertingest.local.Directories;
import dev.upsertingest.local.KafkaServerProcess;
import dev.upsertingest.local.PostgresServerProcess;
import dev.upsertingest.local.ServiceProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Breaks things for real, under load: PostgreSQL stopped for 30 s and crashed ({@code pg_ctl stop -m immediate}),
 * the worker killed with SIGKILL, the broker restarted. PostgreSQL, the broker and the worker are processes of their
 * own (the worker from its runnable jar), and after each ordeal the stream table must hold exactly each key's last
 * acknowledged event.
 */
class FailureRecoveryIT {

    private static final Logger log = LoggerFactory.getLogger(FailureRecoveryIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(180);
    private static final int KEYS = 2000;
    private static final Path WORK = Path.of("target", "failure-it");

    private static PostgresServerProcess postgres;
    private static KafkaServerProcess kafka;
    private static Path workerJar;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String database;
    private String topic;
    private ServiceProcess worker;
    private LoadProducer load;
    private int workerStarts;

    @BeforeAll
    static void startServers() throws IOException {
        Directories.deleteRecursively(WORK);
        try (Stream<Path> jars = Files.list(Path.of("target"))) {
            workerJar = jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst().orElseThrow(() ->
                    new IllegalStateException("no ingest-worker exec jar in target/: run this test through `./mvnw verify`"));
        }
        postgres = PostgresServerProcess.start(WORK.resolve("pg"), 0, Map.of("max_connections", "100"));
        kafka = KafkaServerProcess.startNew(WORK.resolve("kafka"));
    }

    @AfterAll
    static void stopServers() {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void createStream(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName().replaceAll("[^A-Za-z]", "").toLowerCase();
        // A parameterized test runs once per argument, each in a database of its own.
        String invocation = test.getDisplayName().replaceAll("[^0-9]", "");
        database = "f_" + name.substring(0, Math.min(36, name.length())) + invocation;
        topic = "events-" + database;
        postgres.ensureDatabase(database);
        Flyway.configure().dataSource(postgres.jdbcUrl(database), PostgresServerProcess.USER, PostgresServerProcess.PASSWORD)
                .locations("classpath:db/migration").load().migrate();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get();
        }
        sql("select ingest.declare_stream('events', '" + topic + "', "
                + "'[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
    }

    @AfterEach
    void stopEverything() {
        if (load != null) {
            load.close();
        }
        if (worker != null) {
            worker.kill();
        }
        if (!postgres.isRunning()) {
            postgres.start();
        }
        kafka.start();
    }

    @Test
    void postgresStoppedForThirtySecondsUnderLoadLosesNothingAndTheWorkerWaitsItOut() throws Exception {
        worker = startWorker();
        load = new LoadProducer(kafka.bootstrapServers(), topic, KEYS, 1500);
        await().atMost(PATIENCE).until(() -> count("select count(*) from streams.events") > 0);

        Instant stopped = Instant.now();
        postgres.stop();
        await().atMost(Duration.ofSeconds(40)).until(() -> readiness() == 503);
        log.info("Readiness went down {} ms after PostgreSQL stopped", Duration.between(stopped, Instant.now()).toMillis());
        Thread.sleep(Math.max(0, Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now())).toMillis()));
        assertThat(worker.isAlive()).as("the worker never exits").isTrue();
        assertThat(readiness()).isEqualTo(503);

        postgres.start();
        Instant back = Instant.now();
        await().atMost(Duration.ofSeconds(60)).until(() -> readiness() == 200);
        Duration toReady = Duration.between(back, Instant.now());
        log.info("FIGURE database-back-to-consuming: {} ms from PostgreSQL accepting connections to the worker ready "
                + "and writing again", toReady.toMillis());

        Map<String, Long> expected = load.stop();
        awaitExactly(expected);
        assertThat(worker.isAlive()).isTrue();
        assertThat(count("select count(*) from ingest.stream_rebuild where reason not like 'no marker%'"))
                .as("a clean stop keeps unlogged tables: nothing to rebuild").isZero();
        assertThat(metric("ingest_database_outage_duration_seconds_count")).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest(name = "[{index}] {0} view")
    @ValueSource(strings = {"incremental", "full"})
    void postgresCrashEmptiesTheUnloggedTableAndTheWorkerRebuildsItWhileTheViewKeepsItsData(String refreshMode) throws Exception {
        declareView(refreshMode);
        worker = startWorker();
        load = new LoadProducer(kafka.bootstrapServers(), topic, KEYS, 1500);
        // Every key written and visible in the view: from here on the view must never show fewer rows.
        await().atMost(PATIENCE).until(() -> count("select count(*) from views.events_view") == KEYS);
        Thread.sleep(2000);

        postgres.crash();
        postgres.start();
        Instant back = Instant.now();
        long emptied = count("select count(*) from streams.events");
        log.info("After crash recovery the unlogged table holds {} rows (it held {})", emptied, KEYS);
        assertThat(emptied).as("crash recovery emptied the unlogged table").isLessThan(KEYS);

        AtomicLong fewestInView = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                try {
                    fewestInView.accumulateAndGet(count("select count(*) from views.events_view"), Math::min);
                    Thread.sleep(100);
                } catch (Exception ignored) {
                    // the server is still starting
                }
            }
        });
        await().atMost(PATIENCE).until(() -> count(
                "select count(*) from ingest.stream_rebuild where state = 'done' and reason like 'no marker%'") >= 2);
        Duration rebuilt = Duration.between(back, Instant.now());
        log.info("FIGURE crash-rebuild: {} keys rebuilt {} ms after PostgreSQL came back", KEYS, rebuilt.toMillis());
        Thread.sleep(3000); // refreshes resume after the rebuild
        watching.set(false);
        watcher.join();

        Map<String, Long> expected = load.stop();
        awaitExactly(expected);
        assertThat(fewestInView.get()).as("during the rebuild the view kept its pre-crash rows").isEqualTo(KEYS);
        await().atMost(PATIENCE).until(() -> count("select count(*) from views.events_view") == KEYS
                && count("select count(*) from streams.events t join views.events_view v on v.id = t.id "
                + "and v.seq = (t.doc->>'seq')::bigint") == KEYS);
        assertThat(metric("ingest_rebuild_duration_seconds_count")).isGreaterThanOrEqualTo(1);
        awaitViewExact();
    }

    @Test
    void workerKilledWithSigkillThreeTimesAndStoppedWithSigtermUnderLoadEndsExact() throws Exception {
        declareView("incremental");
        worker = startWorker();
        load = new LoadProducer(kafka.bootstrapServers(), topic, KEYS, 1500);
        Random random = new Random(7);
        for (int kill = 0; kill < 3; kill++) {
            if (kill == 0) {
                awaitDeltaBeingApplied(); // the first kill lands in the middle of a refresh of the incremental view
            } else {
                Thread.sleep(2000 + random.nextInt(4000));
            }
            worker.kill();
            log.info("Killed the worker ({} events sent so far)", load.sent());
            worker = startWorker();
        }
        // And once the polite way: SIGTERM finishes the in-flight batch, commits, and exits within the grace period.
        Thread.sleep(3000);
        Instant terminated = Instant.now();
        worker.stop(Duration.ofSeconds(45));
        Duration tookToExit = Duration.between(terminated, Instant.now());
        assertThat(worker.isAlive()).isFalse();
        assertThat(tookToExit).as("exits within ingest.consumer.shutdown-timeout (30 s)").isLessThan(Duration.ofSeconds(30));
        assertThat(Files.readString(worker.log())).contains("Stream consumers stopped");
        worker = startWorker();
        Thread.sleep(2000);
        Map<String, Long> expected = load.stop();
        awaitExactly(expected);
        awaitViewExact();
    }

    /**
     * The kill lands while batches overlap: one consumer thread in its transaction, others holding polled and scanned
     * batches that wait for a writer slot. One slot for three consumer threads (one per partition) and a producer
     * faster than one slot writes keep that state up, and the worker's gauges say it holds before each kill.
     */
    @Test
    void workerKilledWithSigkillWhileBatchesWaitForAWriterEndsExact() throws Exception {
        Map<String, String> oneSlot = Map.of("ingest.consumer.concurrency", "3", "ingest.consumer.writers", "1");
        load = new LoadProducer(kafka.bootstrapServers(), topic, KEYS, 4000);
        await().atMost(PATIENCE).until(() -> load.sent() > 20_000); // a backlog, so that every thread has a batch
        worker = startWorker(oneSlot);
        for (int kill = 0; kill < 3; kill++) {
            awaitBatchesWaitingForTheWriter();
            worker.kill();
            log.info("Killed the worker while batches waited for its writer ({} events sent so far)", load.sent());
            worker = startWorker(oneSlot);
        }
        Map<String, Long> expected = load.stop();
        awaitExactly(expected);
        assertThat(worker.isAlive()).isTrue();
    }

    /** Polls the worker's gauges until a batch transaction runs while another consumer thread waits for the slot. */
    private void awaitBatchesWaitingForTheWriter() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() ->
                metric("ingest_writers_busy") >= 1 && metric("ingest_writers_waiting") >= 1);
    }

    @Test
    void brokerRestartedUnderLoadEndsExact() throws Exception {
        worker = startWorker();
        load = new LoadProducer(kafka.bootstrapServers(), topic, KEYS, 1500);
        await().atMost(PATIENCE).until(() -> count("select count(*) from streams.events") > 0);
        kafka.stop();
        Thread.sleep(5000);
        kafka.start();
        Thread.sleep(5000);
        Map<String, Long> expected = load.stop();
        awaitExactly(expected);
        assertThat(worker.isAlive()).isTrue();
    }

    /** A view of one indexed column over the test stream, refreshed every second. */
    private void declareView(String refreshMode) throws SQLException {
        sql("select ingest.declare_view('events_view', 'events', "
                + "'[{\"name\": \"seq\", \"type\": \"bigint\", \"pointer\": \"/seq\"}]', '[{\"columns\": [\"seq\"]}]', "
                + "refresh_interval => '1 second', refresh_mode => '" + refreshMode + "')");
    }

    /**
     * Once the load stopped: the view applied every change (an incremental view's pending changes are none; a full
     * view's refresh caught up with the table) and the differential checker finds it equal to a full recompute.
     */
    private void awaitViewExact() {
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() ->
                count("select ingest.view_pending_changes('events_view')") == 0
                        && count("select count(*) from ingest.check_view('events_view')") == 0);
    }

    /** Polls (on one connection, every few milliseconds) until the worker is applying a delta to an incremental view. */
    private void awaitDeltaBeingApplied() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (System.nanoTime() < deadline) {
                try (ResultSet r = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' "
                        + "and query like 'with \"prev\" as %'")) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(2);
            }
        }
        throw new AssertionError("the worker never applied a delta to the view");
    }

    private ServiceProcess startWorker() {
        return startWorker(Map.of());
    }

    private ServiceProcess startWorker(Map<String, String> extra) {
        workerStarts++;
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl(database));
        properties.put("spring.datasource.username", PostgresServerProcess.USER);
        properties.put("spring.datasource.password", PostgresServerProcess.PASSWORD);
        properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
        properties.put("spring.flyway.locations", "classpath:db/migration");
        properties.put("ingest.consumer.group-id", "worker-" + database);
        properties.put("ingest.consumer.max-poll-records", "500");
        properties.put("ingest.topics.replication-factor", "1");
        properties.put("ingest.recovery.check-interval", "1s");
        properties.put("ingest.refresh.tick", "500ms");
        properties.put("spring.kafka.consumer.properties.session.timeout.ms", "10000");
        properties.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        properties.putAll(extra);
        return ServiceProcess.start("ingest-worker", workerJar,
                List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), properties,
                WORK.resolve(database + "-worker-" + workerStarts + ".log"), Duration.ofSeconds(120));
    }

    private void awaitExactly(Map<String, Long> expected) {
        assertThat(expected).hasSize(KEYS);
        await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(table()).as("each key's last acknowledged event, nothing lost, nothing older")
                        .isEqualTo(new HashMap<>(expected)));
    }

    private Map<String, Long> table() throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select id, (doc->>'seq')::bigint from streams.events")) {
            while (r.next()) {
                rows.put(r.getString(1), r.getLong(2));
            }
        }
        return rows;
    }

    private int readiness() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/health/readiness")))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private double metric(String name) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private long count(String query) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            r.next();
            return r.getLong(1);
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(database), PostgresServerProcess.USER, PostgresServerProcess.PASSWORD);
    }
}
