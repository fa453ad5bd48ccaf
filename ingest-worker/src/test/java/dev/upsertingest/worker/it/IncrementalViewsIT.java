package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Incremental views (refresh mode {@code incremental}): the worker applies only the changed rows, read from the
 * stream's change capture. Each hazard change capture must survive is provoked here on a real broker, a real
 * PostgreSQL and the real worker, and every test ends with the differential checker ({@code ingest.check_view})
 * finding no difference between the view and a full recompute of its projection.
 */
class IncrementalViewsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String COLUMNS = """
            [{"name": "status", "type": "text",    "pointer": "/status"},
             {"name": "total",  "type": "numeric", "pointer": "/total"},
             {"name": "n",      "type": "bigint",  "pointer": "/n"}]""";

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private final List<WorkerHarness> workers = new ArrayList<>();
    private TestDatabase db;
    private TestEvents events;
    private String topic;
    private String group;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("incremental");
        events = new TestEvents(kafka);
        topic = TestEvents.uniqueTopic("orders");
        group = "it-" + db.name();
        kafka.createTopic(topic, 3, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('orders', '" + topic + "', "
                + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]', version_pointer => '/version')");
    }

    @AfterEach
    void tearDown() {
        workers.forEach(WorkerHarness::close);
        events.close();
    }

    private WorkerHarness startWorker() {
        WorkerHarness worker = WorkerHarness.builder(db, kafka)
                .property("ingest.refresh.tick", "200ms")
                .property("ingest.refresh.catalog-refresh", "1s")
                .property("ingest.recovery.check-interval", "500ms")
                .start();
        workers.add(worker);
        return worker;
    }

    private void declareView(String name) {
        db.execute("select ingest.declare_view('" + name + "', 'orders', '" + COLUMNS + "', '[{\"columns\": [\"status\"]}]')");
    }

    private void order(String id, long version, String status, long n) {
        events.send(topic, id, "{\"order_id\": \"" + id + "\", \"version\": " + version + ", \"status\": \"" + status
                + "\", \"total\": " + n + ".5, \"n\": " + n + "}");
    }

    private long viewRows(String view) {
        return db.count("select count(*) from views." + view);
    }

    private List<Map<String, Object>> differences(String view) {
        return db.query("select key::text as key, difference from ingest.check_view(?, 20)", view);
    }

    /**
     * Waits until the worker consumed everything produced and the view applied every change, then asserts that the
     * checker finds the view equal to its projection: with no change pending, it compares every row.
     */
    private void awaitExact(String view) {
        await().atMost(PATIENCE).until(() -> lag() == 0);
        await().atMost(PATIENCE).until(() -> db.count("select ingest.view_pending_changes('" + view + "')") == 0);
        assertThat(differences(view)).as("differences between %s and a full recompute", view).isEmpty();
    }

    /** Records produced to the stream topic that the worker's group has not committed yet. */
    private long lag() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 3; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : kafka.admin().listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata offset = committed.get(end.getKey());
            lag += end.getValue().offset() - (offset == null ? 0 : offset.offset());
        }
        return lag;
    }

    @Test
    void changesReachTheViewWithinSecondsAndEachRefreshAppliesOnlyThem() {
        declareView("orders_v");
        WorkerHarness worker = startWorker();
        for (int i = 0; i < 300; i++) {
            order("o-" + i, 1, "created", i);
        }
        events.flush();
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 300);
        awaitExact("orders_v");

        order("o-7", 2, "paid", 7);
        order("o-8", 2, "paid", 8);
        events.flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v where status = 'paid'") == 2);
        awaitExact("orders_v");
        Map<String, Object> last = db.query("select mode, row_count from ingest.view_refresh where view = 'orders_v' "
                + "order by id desc limit 1").getFirst();
        assertThat(last).containsEntry("mode", "incremental").containsEntry("row_count", 300L);
        assertThat(db.query("select refresh_mode, row_count from views.view_freshness where view = 'orders_v'").getFirst())
                .containsEntry("refresh_mode", "incremental").containsEntry("row_count", 300L);
        assertThat(db.query("select relkind::text from pg_class where oid = 'views.orders_v'::regclass").getFirst())
                .as("an incremental view is a table").containsEntry("relkind", "r");
        assertThat(worker.counter(IngestMetrics.VIEW_REFRESHES, "view", "orders_v", "outcome", "refreshed")).isGreaterThan(0);
        assertThat(worker.counter(IngestMetrics.VIEW_REFRESH_FAILURES)).isZero();
    }

    /**
     * The hazard a watermark on {@code updated_at} (the transaction's start) falls into: a write transaction that began
     * before a refresh and commits after it. Its rows carry a time older than that refresh, yet must be applied.
     */
    @Test
    void aWriteTransactionThatBeganBeforeARefreshAndCommitsAfterItIsApplied() throws Exception {
        declareView("orders_v");
        startWorker();
        order("o-1", 1, "created", 1);
        events.flush();
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 1);

        try (Connection writer = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement sql = writer.createStatement()) {
            writer.setAutoCommit(false);
            sql.execute("insert into streams.orders (order_id, doc, version) values "
                    + "('late', '{\"order_id\": \"late\", \"status\": \"late\", \"n\": 1}', 1)");
            // Refreshes run and apply other changes while the transaction is open.
            order("o-2", 1, "created", 2);
            events.flush();
            await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 2);
            String refreshedAfterBegin = db.query("select max(as_of)::text as t from ingest.view_state").getFirst().get("t").toString();
            writer.commit();
            assertThat(db.count("select count(*) from streams.orders where order_id = 'late' and updated_at < '"
                    + refreshedAfterBegin + "'::timestamptz")).as("the late row is stamped before a refresh that did not see it").isEqualTo(1);
        }
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v where order_id = 'late'") == 1);
        awaitExact("orders_v");
    }

    @Test
    void tombstonesDeleteTheirRowsFromTheView() {
        declareView("orders_v");
        startWorker();
        for (int i = 0; i < 10; i++) {
            order("o-" + i, 1, "created", i);
        }
        events.flush();
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 10);
        events.send(topic, "o-1", null).send(topic, "o-2", null).send(topic, "o-3", null);
        order("o-3", 2, "reborn", 3); // a tombstone then a new event of the key in the same batch, most likely
        events.flush();
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 8);
        awaitExact("orders_v");
        assertThat(db.query("select status from views.orders_v where order_id = 'o-3'").getFirst()).containsEntry("status", "reborn");
    }

    @Test
    void identicalRewritesAndOlderVersionsAreNoChangeAndCostNoRefresh() {
        declareView("orders_v");
        WorkerHarness worker = startWorker();
        for (int i = 0; i < 50; i++) {
            order("o-" + i, 5, "paid", i);
        }
        events.flush();
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 50);
        awaitExact("orders_v");
        long since = db.count("select pg_current_xact_id()::text::bigint");
        long history = db.count("select count(*) from ingest.view_refresh where view = 'orders_v'");
        double unchanged = worker.counter(IngestMetrics.VIEW_REFRESHES, "view", "orders_v", "outcome", "unchanged");

        for (int i = 0; i < 50; i++) {
            order("o-" + i, 5, "paid", i);      // the same document again
            order("o-" + i, 4, "stale", 1000);  // an older version
        }
        events.flush();
        await().atMost(PATIENCE).until(() -> lag() == 0);
        await().atMost(PATIENCE).until(() -> worker.counter(IngestMetrics.VIEW_REFRESHES, "view", "orders_v", "outcome", "unchanged")
                > unchanged + 2);

        assertThat(db.count("select count(*) from ingest.orders__changes where txid::text::bigint > " + since))
                .as("no change captured").isZero();
        assertThat(db.count("select count(*) from ingest.view_refresh where view = 'orders_v'"))
                .as("an unchanged look writes no history").isEqualTo(history);
        assertThat(db.count("select count(*) from views.orders_v where status = 'stale'")).isZero();
        awaitExact("orders_v");
    }

    @Test
    void aViewReplacedWhileRowsKeepArrivingMissesNothing() throws Exception {
        declareView("orders_v");
        startWorker();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong version = new AtomicLong();
        Thread producer = Thread.ofPlatform().start(() -> {
            try (TestEvents own = new TestEvents(kafka)) {
                while (producing.get()) {
                    long v = version.incrementAndGet();
                    String id = "o-" + (v % 500);
                    own.send(topic, id, "{\"order_id\": \"" + id + "\", \"version\": " + v + ", \"status\": \"s" + v
                            + "\", \"total\": " + v + ", \"n\": " + v + ", \"region\": \"r" + (v % 7) + "\"}");
                    if (v % 100 == 0) {
                        own.flush();
                    }
                }
                own.flush();
            }
        });
        await().atMost(PATIENCE).until(() -> viewRows("orders_v") == 500);
        db.execute("select ingest.replace_view('orders_v', '" + COLUMNS.replace("]", ",\n{\"name\": \"region\", \"type\": \"text\", "
                + "\"pointer\": \"/region\"}]") + "', '[{\"columns\": [\"region\"]}]')");
        Thread.sleep(2000); // rows keep arriving under the new definition
        producing.set(false);
        producer.join();

        awaitExact("orders_v");
        assertThat(db.count("select count(*) from views.orders_v where region is null")).isZero();
        assertThat(db.count("select count(*) from views.orders_v")).isEqualTo(500);
    }

    @Test
    void twoWorkersRefreshTheViewOneAtATime() {
        declareView("orders_v");
        startWorker();
        startWorker();
        long until = System.currentTimeMillis() + 8_000;
        int n = 0;
        while (System.currentTimeMillis() < until) {
            n++;
            order("o-" + (n % 300), n, "paid", n);
            if (n % 50 == 0) {
                events.flush();
            }
        }
        events.flush();
        awaitExact("orders_v");
        List<Map<String, Object>> history = db.query("select started_at, finished_at, refreshed_by from ingest.view_refresh "
                + "where view = 'orders_v' and outcome = 'ok' order by started_at");
        assertThat(history).hasSizeGreaterThan(2);
        for (int i = 1; i < history.size(); i++) {
            assertThat(((java.sql.Timestamp) history.get(i).get("started_at")).toInstant())
                    .as("refresh %d starts after the previous one finished", i)
                    .isAfterOrEqualTo(((java.sql.Timestamp) history.get(i - 1).get("finished_at")).toInstant());
        }
    }

    /**
     * A full view whose CONCURRENTLY refreshes take seconds (a large table that keeps changing) and an incremental
     * view over another stream: the incremental view is refreshed while a full refresh runs, on a lane of its own.
     */
    @Test
    void aSlowViewDoesNotDelayTheOthers() throws Exception {
        String fastTopic = TestEvents.uniqueTopic("fast");
        kafka.createTopic(fastTopic, 3, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('fast', '" + fastTopic + "', "
                + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
        db.execute("select ingest.declare_view('fast_v', 'fast', '" + COLUMNS + "')");
        db.execute("insert into streams.orders (order_id, doc, version) select 'big-' || i, "
                + "jsonb_build_object('status', 'paid', 'n', i, 'total', i), 1 from generate_series(1, 300000) i");
        db.execute("select ingest.declare_view('orders_full', 'orders', '" + COLUMNS + "', '[{\"columns\": [\"status\"]}, "
                + "{\"columns\": [\"n\"]}, {\"columns\": [\"total\"]}]', refresh_interval => '1 second', refresh_mode => 'full')");
        startWorker();
        String overlapping = """
                select count(*) from ingest.view_refresh f join ingest.view_refresh s
                  on s.view = 'orders_full' and s.mode = 'concurrent' and f.view = 'fast_v' and f.mode = 'incremental'
                 and f.started_at > s.started_at and f.finished_at < s.finished_at""";
        // Both views keep changing until a full refresh has ended with fast_v refreshed meanwhile (on a loaded machine
        // the first full refresh of 300,000 rows alone can take longer than a fixed wait).
        long until = System.currentTimeMillis() + 2 * PATIENCE.toMillis();
        long overlaps = 0;
        for (int n = 1; overlaps == 0 && System.currentTimeMillis() < until; n++) {
            order("big-" + n, 2, "changed", n); // keeps the full view changing
            events.send(fastTopic, "f-" + n, "{\"order_id\": \"f-" + n + "\", \"status\": \"x\", \"n\": " + n + "}");
            events.flush();
            Thread.sleep(200);
            if (n % 5 == 0) {
                overlaps = db.count(overlapping);
            }
        }
        assertThat(overlaps).as("incremental refreshes of fast_v ran during a full refresh of orders_full").isPositive();
    }

    /**
     * Long random sequences of what the write path does (upserts of a small key space, so keys repeat within batches;
     * stale versions; unchanged rewrites; tombstones; tombstones followed by new events), with now and then the effect
     * of a PostgreSQL crash on the unlogged tables (stream table and change table emptied, marker gone, no trigger
     * fired) and the rebuild from Kafka that follows: after each round the view equals a full recompute, and it never
     * shrinks while the stream table is being rebuilt.
     */
    @Test
    void randomMixedSequencesLeaveNoDifference() throws Exception {
        declareView("orders_v");
        startWorker();
        SplittableRandom random = new SplittableRandom(20261202);
        Map<String, Long> versions = new HashMap<>();
        for (int round = 1; round <= 6; round++) {
            for (int i = 0; i < 3000; i++) {
                String id = "o-" + random.nextInt(400);
                int what = random.nextInt(100);
                long version = versions.getOrDefault(id, 0L);
                if (what < 8) {
                    events.send(topic, id, null);
                    versions.remove(id);
                } else if (what < 18 && version > 1) {
                    order(id, version - 1 - random.nextInt((int) version - 1), "stale", -1); // older: ignored
                } else if (what < 28 && version > 0) {
                    order(id, version, "s" + version, version); // the same document again
                } else {
                    versions.put(id, version + 1);
                    order(id, version + 1, "s" + (version + 1), version + 1);
                }
            }
            events.flush();
            awaitExact("orders_v");
            assertThat(viewRows("orders_v")).isEqualTo(versions.size());
            if (round % 3 == 0) {
                crashEffectsAndRebuild();
            }
        }
    }

    private void crashEffectsAndRebuild() throws Exception {
        long before = viewRows("orders_v");
        long rebuilds = db.count("select count(*) from ingest.stream_rebuild where state = 'done'");
        AtomicLong fewest = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (watching.get()) {
                fewest.accumulateAndGet(viewRows("orders_v"), Math::min);
            }
        });
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password()); Statement sql = c.createStatement()) {
            // What crash recovery does to unlogged tables: empties them, and fires nothing.
            c.setAutoCommit(false);
            sql.execute("set local session_replication_role = replica");
            sql.execute("truncate streams.orders, ingest.orders__changes");
            sql.execute("delete from ingest.stream_table_marker where stream = 'orders'");
            c.commit();
        }
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ingest.stream_rebuild where state = 'done'") > rebuilds);
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from ingest.view_refresh where view = 'orders_v' "
                + "and mode = 'reconcile' and started_at > (select max(finished_at) from ingest.stream_rebuild)") > 0);
        watching.set(false);
        watcher.join();
        assertThat(fewest.get()).as("the view never shrank during the rebuild").isEqualTo(before);
        awaitExact("orders_v");
    }
}
