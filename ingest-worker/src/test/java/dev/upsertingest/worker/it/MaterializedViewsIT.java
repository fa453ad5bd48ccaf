package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Views over streams in refresh mode {@code full} (materialized views recomputed by REFRESH ... CONCURRENTLY), kept
 * fresh by the worker's refresher: real broker, real PostgreSQL, real worker. Incremental views: {@link IncrementalViewsIT}.
 */
class MaterializedViewsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String ORDER_COLUMNS = """
            [{"name": "status",      "type": "text",        "pointer": "/status"},
             {"name": "total",       "type": "numeric",     "pointer": "/total"},
             {"name": "created_at",  "type": "timestamptz", "pointer": "/created_at"},
             {"name": "customer_id", "type": "bigint",      "pointer": "/customer/id"},
             {"name": "gift",        "type": "boolean",     "pointer": "/gift"}]""";

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private final List<WorkerHarness> workers = new ArrayList<>();
    private TestDatabase db;
    private TestEvents events;
    private String topic;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("views");
        events = new TestEvents(kafka);
        topic = TestEvents.uniqueTopic("orders");
        kafka.createTopic(topic, 3, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('orders', '" + topic + "', "
                + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
    }

    @AfterEach
    void tearDown() {
        workers.forEach(WorkerHarness::close);
        events.close();
    }

    private WorkerHarness startWorker() {
        WorkerHarness worker = WorkerHarness.builder(db, kafka).property("ingest.refresh.tick", "200ms").start();
        workers.add(worker);
        return worker;
    }

    private void declareView(String name, String interval, boolean populate) {
        db.execute("select ingest.declare_view('" + name + "', 'orders', '" + ORDER_COLUMNS + "', "
                + "'[{\"columns\": [\"status\"]}, {\"columns\": [\"customer_id\", \"created_at\"]}]', '" + interval + "', "
                + "populate => " + populate + ", refresh_mode => 'full')");
    }

    private void order(String id, String status, String total, String createdAt) {
        events.send(topic, id, "{\"order_id\": \"" + id + "\", \"status\": \"" + status + "\", \"total\": " + total
                + ", \"created_at\": \"" + createdAt + "\", \"customer\": {\"id\": 42}, \"gift\": true}");
    }

    private List<Map<String, Object>> refreshes(String view) {
        return db.query("select started_at, finished_at, mode, outcome, refreshed_by, row_count from ingest.view_refresh "
                + "where view = '" + view + "' order by started_at");
    }

    @Test
    void eventsBecomeVisibleInTheViewWithProjectedTypesAndBadValuesProjectAsNull() throws Exception {
        declareView("orders_v", "1 second", false); // never populated: the first refresh must populate it plainly
        WorkerHarness worker = startWorker();
        order("o-1", "paid", "12.50", "2026-11-20T10:15:30Z");
        order("o-2", "shipped", "\"n/a\"", "2026-02-31T00:00:00Z"); // neither casts: NULL, and the refresh survives
        events.flush();

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.orders") == 2
                && !refreshes("orders_v").isEmpty() && db.count("select count(*) from views.orders_v") == 2);
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = c.createStatement();
             var rows = s.executeQuery("select * from views.orders_v order by order_id")) {
            rows.next();
            assertThat(rows.getObject("total")).isEqualTo(new BigDecimal("12.50"));
            assertThat(rows.getObject("created_at", OffsetDateTime.class)).isEqualTo(OffsetDateTime.parse("2026-11-20T10:15:30Z"));
            assertThat(rows.getObject("customer_id")).isEqualTo(42L);
            assertThat(rows.getObject("gift")).isEqualTo(true);
            rows.next();
            assertThat(rows.getObject("total")).isNull();
            assertThat(rows.getObject("created_at")).isNull();
            assertThat(rows.getString("status")).isEqualTo("shipped");
        }
        assertThat(refreshes("orders_v").getFirst()).containsEntry("mode", "populate").containsEntry("outcome", "ok");

        order("o-3", "paid", "1", "2026-11-21T00:00:00Z");
        events.flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 3);
        assertThat(refreshes("orders_v").getLast()).containsEntry("mode", "concurrent").containsEntry("outcome", "ok");
        assertThat(db.query("select views.count_values(status) as c from views.orders_v").getFirst().get("c").toString())
                .isEqualTo("{\"paid\": 2, \"shipped\": 1}");
        assertThat(db.count("select count(*) from views.view_freshness where view = 'orders_v' and row_count = 3 "
                + "and staleness < interval '1 minute'")).isEqualTo(1);
        assertThat(worker.counter(IngestMetrics.VIEW_REFRESH_FAILURES)).isZero();
    }

    @Test
    void aQueryDuringAConcurrentRefreshDoesNotWaitForIt() throws Exception {
        declareView("orders_v", "1 hour", true);
        db.execute("insert into streams.orders (order_id, doc) select 'o-' || i, jsonb_build_object('status', 'paid') "
                + "from generate_series(1, 1000) i");
        try (Connection refresher = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Connection reader = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement refresh = refresher.createStatement(); Statement read = reader.createStatement()) {
            read.execute("set lock_timeout = '2s'"); // a reader that had to wait would fail here, not hang
            refresher.setAutoCommit(false);
            refresh.execute("refresh materialized view concurrently views.orders_v"); // its locks last until commit

            var rows = read.executeQuery("select count(*) from views.orders_v where status = 'paid'");
            rows.next();
            assertThat(rows.getLong(1)).as("the reader sees the contents before the refresh").isZero();
            refresher.commit();

            // The same probe against a plain REFRESH does wait: the test can tell the difference.
            refresh.execute("refresh materialized view views.orders_v");
            assertThatThrownBy(() -> read.executeQuery("select count(*) from views.orders_v"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("lock timeout");
            refresher.rollback();
        }
    }

    @Test
    void twoWorkersNeverRefreshAViewAtTheSameTimeNorTwiceInAnInterval() {
        declareView("orders_v", "1 second", true);
        declareView("orders_w", "2 seconds", true);
        startWorker();
        startWorker();
        long until = System.currentTimeMillis() + 10_000;
        int n = 0;
        while (System.currentTimeMillis() < until) {
            order("o-" + (n++ % 300), "paid", Integer.toString(n), "2026-11-20T10:00:00Z");
            if (n % 50 == 0) {
                events.flush();
            }
        }
        events.flush();
        await().atMost(PATIENCE).until(() -> refreshes("orders_v").size() >= 4 && refreshes("orders_w").size() >= 2);

        for (String view : List.of("orders_v", "orders_w")) {
            Duration interval = Duration.ofSeconds(view.equals("orders_v") ? 1 : 2);
            List<Map<String, Object>> history = refreshes(view);
            for (int i = 1; i < history.size(); i++) {
                Instant previousStart = instant(history.get(i - 1).get("started_at"));
                Instant previousEnd = instant(history.get(i - 1).get("finished_at"));
                Instant start = instant(history.get(i).get("started_at"));
                assertThat(start).as(view + " refresh " + i + " starts after the previous one finished").isAfterOrEqualTo(previousEnd);
                assertThat(Duration.between(previousStart, start)).as(view + " refreshes at most once per interval")
                        .isGreaterThanOrEqualTo(interval);
            }
            assertThat(history).allSatisfy(r -> assertThat(r.get("outcome")).isEqualTo("ok"));
        }
    }

    @Test
    void aReplicaFindingTheViewsLockRowHeldSkipsTheViewAsBusyInsteadOfWaiting() throws Exception {
        declareView("orders_v", "1 second", true);
        try (Connection replica = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement s = replica.createStatement()) {
            // What a replica in the middle of refreshing the view holds.
            s.execute("insert into ingest.worker_lock (scope, name) values ('view_refresh', 'orders_v') on conflict do nothing");
            replica.setAutoCommit(false);
            s.execute("select * from ingest.worker_lock where scope = 'view_refresh' and name = 'orders_v' for update");

            WorkerHarness worker = startWorker();
            order("o-1", "paid", "1", "2026-11-20T10:00:00Z");
            events.flush();
            await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.orders") == 1);
            double busy = worker.counter(IngestMetrics.VIEW_REFRESHES, "view", "orders_v", "outcome", "busy");
            await().atMost(PATIENCE).until(() ->
                    worker.counter(IngestMetrics.VIEW_REFRESHES, "view", "orders_v", "outcome", "busy") > busy);
            assertThat(refreshes("orders_v")).isEmpty();
            assertThat(db.count("select count(*) from views.orders_v")).isZero();
            replica.rollback();
        }
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 1);
    }

    @Test
    void anUnchangedTableIsNotRefreshedAgainAndAChangedOneIsWithinItsInterval() {
        declareView("orders_v", "1 second", true);
        startWorker();
        order("o-1", "paid", "1", "2026-11-20T10:00:00Z");
        events.flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 1);
        // Let the statistics settle (they are flushed up to a second after a write), then watch.
        await().pollDelay(Duration.ofSeconds(3)).atMost(PATIENCE).until(() -> true);
        int settled = refreshes("orders_v").size();

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> refreshes("orders_v").size() == settled);

        order("o-2", "paid", "2", "2026-11-20T10:00:00Z");
        events.flush();
        // Within its interval (1 s) of the row landing, plus the statistics' flush delay and a scheduler tick.
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("select count(*) from views.orders_v") == 2);
        assertThat(refreshes("orders_v")).hasSize(settled + 1);
    }

    @Test
    void aViewIsReplacedWhileTheWorkerRunsAndReadersAlwaysFindIt() {
        declareView("orders_v", "1 second", true);
        startWorker();
        order("o-1", "paid", "1", "2026-11-20T10:00:00Z");
        events.flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 1);

        db.execute("select ingest.replace_view('orders_v', "
                + "'[{\"name\": \"status\", \"type\": \"text\", \"pointer\": \"/status\"}, "
                + "{\"name\": \"amount\", \"type\": \"numeric\", \"pointer\": \"/total\"}]', "
                + "'[{\"columns\": [\"amount\"]}]')");

        assertThat(db.query("select amount from views.orders_v").getFirst().get("amount")).isEqualTo(BigDecimal.ONE);
        assertThat(db.query("select indexname from pg_indexes where schemaname = 'views' and tablename = 'orders_v' order by 1"))
                .extracting(r -> r.get("indexname"))
                .containsExactly("orders_v_amount_i1", "orders_v_key", "orders_v_updated_at");
        order("o-2", "paid", "2", "2026-11-20T10:00:00Z");
        events.flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v where amount = 2") == 1);
    }

    @Test
    void theAnalystRoleReadsTheViewsAndCanWriteNothing() throws Exception {
        declareView("orders_v", "1 hour", true);
        db.execute("insert into streams.orders (order_id, doc) values ('o-1', '{\"status\": \"paid\"}')");
        db.execute("refresh materialized view views.orders_v");
        String login = "analyst_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("create role " + login + " login password 'secret' in role ingest_analyst");

        try (Connection analyst = DriverManager.getConnection(db.jdbcUrl(), login, "secret");
             Statement s = analyst.createStatement()) {
            assertThat(count(s, "select count(*) from views.orders_v")).isEqualTo(1);
            assertThat(count(s, "select count(*) from views.view_freshness")).isEqualTo(1);
            assertThat(count(s, "select count(*) from (select views.count_values(status) from views.orders_v) c")).isEqualTo(1);

            List<String> attempts = List.of(
                    "insert into views.orders_v (order_id) values ('x')",
                    "update views.orders_v set status = 'x'",
                    "delete from views.orders_v",
                    "refresh materialized view views.orders_v",
                    "drop materialized view views.orders_v",
                    "select * from streams.orders",
                    "insert into streams.orders (order_id, doc) values ('x', '{}')",
                    "update streams.orders set doc = '{}'",
                    "delete from ingest.stream",
                    "insert into ingest.view_state (view) values ('x')",
                    "create table public.sneaky (x int)",
                    "create table views.sneaky (x int)",
                    "create view views.sneaky as select 1",
                    "select ingest.declare_stream('x', 'x', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
            for (String attempt : attempts) {
                assertThatThrownBy(() -> s.execute(attempt)).as(attempt).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(attempt)
                                .isIn("42501", "42809", "42P01")); // insufficient privilege, wrong object type
            }
        }
        assertThat(db.count("select count(*) from streams.orders")).isEqualTo(1);
    }

    private static Instant instant(Object timestamp) {
        return ((java.sql.Timestamp) timestamp).toInstant();
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
