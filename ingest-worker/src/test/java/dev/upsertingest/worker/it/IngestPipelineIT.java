package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The core ingest path end to end: real broker, real PostgreSQL, the real worker application. */
class IngestPipelineIT {

    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private TestDatabase db;
    private TestEvents events;
    private WorkerHarness worker;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("pipeline");
        events = new TestEvents(kafka);
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        events.close();
    }

    private String stream(String name, String keys, String options) {
        String topic = TestEvents.uniqueTopic(name);
        kafka.createTopic(topic, 3, COMPACTED);
        db.execute("select ingest.declare_stream('" + name + "', '" + topic + "', '" + keys + "'" + options + ")");
        return topic;
    }

    private Map<String, Object> rowsBy(String sql) {
        Map<String, Object> rows = new LinkedHashMap<>();
        db.query(sql).forEach(r -> rows.put(String.valueOf(r.get("k")), r.get("v")));
        return rows;
    }

    @Test
    void tenThousandEventsOverAThousandKeysLandAsTheLastEventPerKey() {
        String topic = stream("orders", "[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]", "");
        Random random = new Random(1);
        Map<String, Integer> lastSeq = new HashMap<>();
        for (int seq = 0; seq < 10_000; seq++) {
            String key = "o-" + (seq < 1000 ? seq : random.nextInt(1000));
            events.send(topic, key, "{\"order_id\": \"" + key + "\", \"seq\": " + seq + ", \"total\": " + (seq % 97) + ".5}");
            lastSeq.put(key, seq);
        }
        events.flush(); // a backlog, so that batches are full and full of duplicate keys

        worker = WorkerHarness.builder(db, kafka).property("ingest.consumer.max-poll-records", 2000).start();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(rowsBy(
                "select order_id as k, (doc->>'seq')::int as v from streams.orders")).isEqualTo(new HashMap<>(lastSeq)));
        assertThat(db.count("select count(*) from streams.orders")).isEqualTo(1000);
        assertThat(worker.counter(IngestMetrics.EVENTS_COLLAPSED)).as("duplicates were collapsed inside batches").isPositive();
        assertThat(worker.counter(IngestMetrics.EVENTS_CONSUMED)).isEqualTo(10_000);
        assertThat(worker.counter(IngestMetrics.BATCH_FAILURES)).as("no batch ever failed").isZero();
        await().atMost(PATIENCE).until(() -> events.committedToTheEnd(worker.groupId(), topic));
        Conservation.assertConserved(worker, "orders", 10_000, 0);
        assertThat(worker.outcome("orders", "applied")).as("at least one change per row").isGreaterThanOrEqualTo(1000);
    }

    @Test
    void tombstonesDeleteMergeModeMergesAndVersionsNeverRegress() {
        String merged = stream("profiles", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", ", merge_mode => 'merge'");
        String versioned = stream("accounts", "[{\"name\": \"id\", \"type\": \"bigint\", \"pointer\": \"/id\"}]", ", version_pointer => '/v'");
        worker = WorkerHarness.builder(db, kafka).start();

        events.send(merged, "a", "{\"id\": \"a\", \"name\": \"Ada\", \"tags\": [\"x\"]}")
                .send(merged, "a", "{\"id\": \"a\", \"age\": 36, \"tags\": [\"y\"]}")
                .send(merged, "b", "{\"id\": \"b\", \"name\": \"Bob\"}")
                .send(merged, "b", null)
                .send(merged, "c", "{\"id\": \"c\", \"name\": \"Cy\"}")
                .send(versioned, "1", "{\"id\": 1, \"v\": 5, \"state\": \"newest\"}")
                .send(versioned, "2", "{\"id\": 2, \"v\": 7, \"state\": \"newest\"}")
                .send(versioned, "2", "{\"id\": 2, \"v\": 6, \"state\": \"older, same batch\"}")
                .flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.accounts") == 2
                && db.count("select count(*) from streams.profiles where id in ('a', 'c')") == 2);

        // Later events in separate batches: an older version, a tombstone, a merge on top of a stored row.
        events.send(versioned, "1", "{\"id\": 1, \"v\": 3, \"state\": \"older, later batch\"}")
                .send(merged, "c", null)
                .send(merged, "a", "{\"id\": \"a\", \"name\": \"Ada L.\"}")
                .flush();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(rowsBy("select id as k, doc::text as v from streams.profiles")).containsExactly(
                    Map.entry("a", "{\"id\": \"a\", \"age\": 36, \"name\": \"Ada L.\", \"tags\": [\"y\"]}"));
            assertThat(rowsBy("select id as k, doc->>'state' as v from streams.accounts order by id"))
                    .containsExactly(Map.entry("1", "newest"), Map.entry("2", "newest"));
        });
        assertThat(rowsBy("select id as k, version as v from streams.accounts order by id"))
                .containsExactly(Map.entry("1", 5L), Map.entry("2", 7L));
    }

    @Test
    void eachKindOfBadEventIsDeadLetteredWithItsReasonAndTheRestLands() {
        String topic = stream("items", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", "");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("invalid_json", "{\"id\": \"x\", ");
        bad.put("not_an_object", "[{\"id\": \"x\"}]");
        bad.put("missing_key", "{\"name\": \"no id\"}");
        bad.put("wrong_key_type", "{\"id\": 42}");
        bad.put("key_too_long", "{\"id\": \"" + "k".repeat(65) + "\"}");
        bad.put("nul_character", "{\"id\": \"x\", \"s\": \"a\\u0000b\"}");
        bad.put("document_too_large", "{\"id\": \"x\", \"pad\": \"" + "p".repeat(3000) + "\"}");
        int good = 0;
        for (String badValue : bad.values()) {
            for (int i = 0; i < 10; i++, good++) {
                events.send(topic, "g" + good, "{\"id\": \"g" + good + "\", \"n\": " + good + "}");
            }
            events.send(topic, "bad", badValue);
        }
        events.flush();

        worker = WorkerHarness.builder(db, kafka)
                .property("ingest.events.max-document-size", "2KB")
                .property("ingest.events.max-key-size", "64B")
                .start();

        int expectedGood = good;
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.items") == expectedGood);
        List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", bad.size(), PATIENCE);
        assertThat(letters).hasSize(bad.size());
        Map<String, String> reasons = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            String reason = header(letter, DeadLetterHeaders.REASON);
            reasons.put(reason, new String(letter.value(), StandardCharsets.UTF_8));
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_PARTITION)).matches("[0-2]");
            assertThat(header(letter, DeadLetterHeaders.ORIGINAL_OFFSET)).matches("\\d+");
            assertThat(header(letter, DeadLetterHeaders.DETAIL)).isNotBlank();
            assertThat(header(letter, DeadLetterHeaders.STREAM)).isEqualTo("items");
            assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("bad");
        }
        assertThat(reasons).as("every bad event, with its original value, under its reason").isEqualTo(bad);
        assertThat(db.count("select count(*) from streams.items where id = 'bad' or id = 'x'")).isZero();
        assertThat(worker.counter(IngestMetrics.EVENTS_DEAD_LETTERED)).isEqualTo(bad.size());
        assertThat(worker.counter(IngestMetrics.EVENTS_DEAD_LETTERED, "reason", "missing_key")).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> events.committedToTheEnd(worker.groupId(), topic));
        Conservation.assertConserved(worker, "items", expectedGood + bad.size(), bad.size());
    }

    @Test
    void aBatchWithOneEventTheDatabaseRefusesDeadLettersOnlyThatEventWithTheDatabasesReason() {
        String topic = stream("payments", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", "");
        // A rule the event parser knows nothing about, so only the database can refuse the event (SQLState 23514).
        db.execute("alter table streams.payments add constraint amount_not_negative "
                + "check (coalesce((doc->>'amount')::numeric, 0) >= 0)");
        for (int i = 0; i < 500; i++) {
            events.send(topic, "p" + i, "{\"id\": \"p" + i + "\", \"amount\": " + i + "}");
            if (i == 317) {
                events.send(topic, "refund", "{\"id\": \"refund\", \"amount\": -5}");
            }
        }
        events.flush(); // one backlog, so the refused event sits in a full batch

        worker = WorkerHarness.builder(db, kafka).property("ingest.consumer.max-poll-records", 2000).start();

        await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.payments") == 500);
        List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 1, PATIENCE);
        assertThat(letters).hasSize(1);
        ConsumerRecord<byte[], byte[]> letter = letters.getFirst();
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("refund");
        assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("database_rejected");
        assertThat(header(letter, DeadLetterHeaders.DETAIL)).contains("amount_not_negative").contains("23514")
                .as("the row's contents stay out of the header").doesNotContain("Failing row");
        assertThat(db.count("select count(*) from streams.payments where id = 'refund'")).isZero();
        assertThat(worker.counter(IngestMetrics.BATCH_SPLITS)).as("the batch was split to find it").isPositive();
        assertThat(worker.counter(IngestMetrics.EVENTS_DEAD_LETTERED, "reason", "database_rejected")).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> events.committedToTheEnd(worker.groupId(), topic));
        Conservation.assertConserved(worker, "payments", 501, 1);
        assertThat(worker.outcomes("payments")).as("the split wrote every other event once").containsEntry("applied/changed", 500L);
    }

    @Test
    void stoppingTheWorkerMidStreamAndStartingAnotherLosesNothing() throws Exception {
        String topic = stream("ledger", "[{\"name\": \"id\", \"type\": \"integer\", \"pointer\": \"/id\"}]", "");
        worker = WorkerHarness.builder(db, kafka).property("ingest.consumer.max-poll-records", 500).start();
        Map<String, Integer> lastSeq = new HashMap<>();
        Random random = new Random(2);
        java.util.concurrent.atomic.AtomicInteger sequence = new java.util.concurrent.atomic.AtomicInteger();
        Runnable produce = () -> {
            for (int i = 0; i < 10_000; i++) {
                int seq = sequence.incrementAndGet();
                int id = random.nextInt(2000);
                events.send(topic, Integer.toString(id), "{\"id\": " + id + ", \"seq\": " + seq + "}");
                lastSeq.put(Integer.toString(id), seq);
                if (i % 500 == 0) {
                    events.flush();
                }
            }
            events.flush();
        };
        produce.run();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from streams.ledger") > 0);
        worker.close(); // in the middle of the stream: some batches written, most not yet consumed

        produce.run(); // more events while no worker runs
        worker = WorkerHarness.builder(db, kafka).property("ingest.consumer.max-poll-records", 500).start();

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(rowsBy(
                "select id as k, (doc->>'seq')::int as v from streams.ledger")).isEqualTo(new HashMap<>(lastSeq)));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
