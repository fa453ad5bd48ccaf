package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
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
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker's promise, counted: every consumed event is applied, dead-lettered or ignored by a documented rule, once,
 * per stream ({@code ingest.events.outcome}), and the counts match what can be seen from outside: the events
 * produced, the letters on {@code <topic>.dlt}, the rows in the table. A mixed workload on four streams (replace,
 * versioned, merge, keyed by record key) with duplicates in a batch, stale versions, unchanged re-sends, tombstones,
 * poison events of every reason and an event only the database refuses; real broker, real PostgreSQL.
 *
 * <p>Which events share a batch decides whether a duplicate is superseded or arrives later as unchanged, so each
 * round is produced while the consumers are paused and consumed as one batch per stream once they resume; the next
 * round waits until the group committed the previous one.
 */
class ConservationIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private final Map<String, String> topics = new LinkedHashMap<>();
    private final Map<String, Long> produced = new HashMap<>();
    private TestDatabase db;
    private TestEvents events;
    private WorkerHarness worker;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("conservation");
        events = new TestEvents(kafka);
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        events.close();
    }

    private void declare(String stream, String keys, String options) {
        String topic = TestEvents.uniqueTopic(stream);
        // Not compacted: a compacted topic refuses records without a key, and one of the events has none.
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "delete"));
        db.execute("select ingest.declare_stream('" + stream + "', '" + topic + "', '" + keys + "'" + options + ")");
        topics.put(stream, topic);
    }

    private ConservationIT send(String stream, String key, String value) {
        events.send(topics.get(stream), key, value);
        produced.merge(stream, 1L, Long::sum);
        return this;
    }

    /** Produces a round while the consumers are paused, so that each stream's part of it is consumed as one batch. */
    private void round(Runnable produce) {
        StreamConsumers consumers = worker.bean(StreamConsumers.class);
        // The pause an outage makes: partitions kept, fetching stopped.
        consumers.pause(ConsumerControl.PauseReason.DATABASE_OUTAGE);
        await().atMost(PATIENCE).until(() -> consumers.isPausedFor(ConsumerControl.PauseReason.DATABASE_OUTAGE));
        produce.run();
        events.flush();
        consumers.resume(ConsumerControl.PauseReason.DATABASE_OUTAGE);
        await().atMost(PATIENCE).until(() -> topics.values().stream()
                .allMatch(topic -> events.committedToTheEnd(worker.groupId(), topic)));
    }

    private WorkerHarness start(String... properties) {
        WorkerHarness.Builder builder = WorkerHarness.builder(db, kafka)
                .property("ingest.events.max-document-size", "2KB")
                .property("ingest.events.max-key-size", "64B");
        for (int i = 0; i < properties.length; i += 2) {
            builder.property(properties[i], properties[i + 1]);
        }
        WorkerHarness started = builder.start();
        StreamConsumers consumers = started.bean(StreamConsumers.class);
        await().atMost(PATIENCE).until(() -> consumers.assignedPartitions().size() == topics.size());
        return started;
    }

    private static Map<String, Long> outcomes(Object... reasonsAndCounts) {
        Map<String, Long> expected = new TreeMap<>();
        for (int i = 0; i < reasonsAndCounts.length; i += 2) {
            expected.put((String) reasonsAndCounts[i], ((Number) reasonsAndCounts[i + 1]).longValue());
        }
        return expected;
    }

    @Test
    void everyEventOfAMixedWorkloadIsAppliedDeadLetteredOrIgnoredByRuleAndCountedOnce() {
        declare("items", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", "");
        declare("accounts", "[{\"name\": \"id\", \"type\": \"bigint\", \"pointer\": \"/id\"}]", ", version_pointer => '/v'");
        declare("profiles", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", ", merge_mode => 'merge'");
        declare("tags", "[{\"name\": \"tag\", \"type\": \"text\"}]", ", key_source => 'record_key'");
        // A rule only the database knows (SQLState 23514): the batch is split to find the event it refuses.
        db.execute("alter table streams.items add constraint amount_not_negative "
                + "check (coalesce((doc->>'amount')::numeric, 0) >= 0)");
        // Four consumer threads share one writer slot, so batches of some threads wait, polled and scanned, while
        // another's transaction runs (splits included): every outcome must still be counted exactly once.
        worker = start("ingest.consumer.concurrency", "4", "ingest.consumer.writers", "1");

        round(() -> {
            send("items", "a", "{\"id\": \"a\", \"n\": 1}");                     // superseded by the next
            send("items", "a", "{\"id\": \"a\", \"n\": 2}");                     // applied/changed
            send("items", "b", "{\"id\": \"b\", \"n\": 1}");                     // applied/changed
            send("items", "c", null);                                             // applied/deleted (no such row)
            send("items", "x", "{\"id\": \"x\", ");                              // invalid_json
            send("items", "x", "[{\"id\": \"x\"}]");                             // not_an_object
            send("items", "x", "{\"name\": \"no id\"}");                         // missing_key
            send("items", "x", "{\"id\": 42}");                                  // wrong_key_type
            send("items", "x", "{\"id\": \"" + "k".repeat(65) + "\"}");          // key_too_long
            send("items", "x", "{\"id\": \"x\", \"s\": \"a\\u0000b\"}");         // nul_character
            send("items", "x", "{\"id\": \"x\", \"s\": \"\\ud800\"}");           // invalid_unicode
            send("items", "x", "{\"id\": \"x\", \"pad\": \"" + "p".repeat(3000) + "\"}"); // document_too_large

            send("accounts", "1", "{\"id\": 1, \"v\": 5, \"s\": \"five\"}");     // applied/changed
            send("accounts", "1", "{\"id\": 1, \"v\": 3, \"s\": \"three\"}");    // stale_version
            send("accounts", "2", "{\"id\": 2, \"v\": 1}");                      // superseded
            send("accounts", "2", "{\"id\": 2, \"v\": 2}");                      // applied/changed
            send("accounts", "3", "{\"id\": 3}");                                // missing_version
            send("accounts", "4", "{\"id\": 4, \"v\": \"x\"}");                  // invalid_version
            send("accounts", "5", null);                                          // applied/deleted (no such row)
            send("accounts", "6", null);                                          // superseded: the row starts over
            send("accounts", "6", "{\"id\": 6, \"v\": 1}");                      // applied/changed

            send("profiles", "p1", "{\"id\": \"p1\", \"name\": \"Ada\"}");       // merged into the next
            send("profiles", "p1", "{\"id\": \"p1\", \"age\": 36}");             // applied/changed
            send("profiles", "p2", "{\"id\": \"p2\", \"x\": 1}");                // superseded by the tombstone
            send("profiles", "p2", null);                                         // applied/deleted
            send("profiles", "p3", "{\"id\": \"p3\", \"a\": 1}");                // superseded by the tombstone
            send("profiles", "p3", null);                                         // superseded by the upsert
            send("profiles", "p3", "{\"id\": \"p3\", \"b\": 2}");                // applied/changed

            send("tags", "t1", "{\"color\": \"red\"}");                          // superseded
            send("tags", "t1", "{\"color\": \"red\"}");                          // applied/changed
            send("tags", "t2", "{\"color\": \"blue\"}");                         // applied/changed
            send("tags", null, "{\"color\": \"none\"}");                         // missing_key (no record key)
        });

        assertThat(worker.outcomes("items")).isEqualTo(outcomes("applied/changed", 2, "applied/deleted", 1,
                "ignored/superseded", 1, "dead_lettered/invalid_json", 1, "dead_lettered/not_an_object", 1,
                "dead_lettered/missing_key", 1, "dead_lettered/wrong_key_type", 1, "dead_lettered/key_too_long", 1,
                "dead_lettered/nul_character", 1, "dead_lettered/invalid_unicode", 1, "dead_lettered/document_too_large", 1));
        assertThat(worker.outcomes("accounts")).isEqualTo(outcomes("applied/changed", 3, "applied/deleted", 1,
                "ignored/stale_version", 1, "ignored/superseded", 2, "dead_lettered/missing_version", 1,
                "dead_lettered/invalid_version", 1));
        assertThat(worker.outcomes("profiles")).isEqualTo(outcomes("applied/changed", 2, "applied/deleted", 1,
                "ignored/merged", 1, "ignored/superseded", 3));
        assertThat(worker.outcomes("tags")).isEqualTo(outcomes("applied/changed", 2, "ignored/superseded", 1,
                "dead_lettered/missing_key", 1));

        // Each key once per stream, so that how the batch is split around the refused event cannot matter.
        round(() -> {
            send("items", "a", "{\"id\": \"a\", \"n\": 2}");                     // unchanged: the stored document
            send("items", "b", "{\"id\": \"b\", \"n\": 5}");                     // applied/changed
            send("items", "refund", "{\"id\": \"refund\", \"amount\": -5}");     // database_rejected
            send("items", "d", "{\"id\": \"d\", \"amount\": 3}");                // applied/changed
            send("items", "e", null);                                             // applied/deleted (no such row)

            send("accounts", "1", "{\"id\": 1, \"v\": 4}");                      // unchanged: the table holds v5
            send("accounts", "2", "{\"id\": 2, \"v\": 2}");                      // unchanged: the stored document
            send("accounts", "7", "{\"id\": 7, \"v\": 1}");                      // applied/changed
            send("accounts", "6", null);                                          // applied/deleted

            send("profiles", "p1", "{\"id\": \"p1\", \"age\": 36}");             // unchanged: doc || event = doc
            send("profiles", "p3", null);                                         // applied/deleted
            send("profiles", "p4", "{\"id\": \"p4\"}");                          // applied/changed

            send("tags", "t1", "{\"color\": \"green\"}");                        // applied/changed
            send("tags", "t2", "{\"color\": \"blue\"}");                         // unchanged
        });

        assertThat(worker.outcomes("items")).containsEntry("applied/changed", 4L).containsEntry("applied/deleted", 2L)
                .containsEntry("ignored/unchanged", 1L).containsEntry("dead_lettered/database_rejected", 1L);
        assertThat(worker.outcomes("accounts")).containsEntry("applied/changed", 4L).containsEntry("applied/deleted", 2L)
                .containsEntry("ignored/unchanged", 2L);
        assertThat(worker.outcomes("profiles")).containsEntry("applied/changed", 3L).containsEntry("applied/deleted", 2L)
                .containsEntry("ignored/unchanged", 1L);
        assertThat(worker.outcomes("tags")).containsEntry("applied/changed", 3L).containsEntry("ignored/unchanged", 1L);

        // External truth: what was produced, what is on the dead-letter topics, what is in the tables.
        Map<String, Long> lettersPerStream = new HashMap<>();
        for (Map.Entry<String, String> stream : topics.entrySet()) {
            long deadLettered = worker.outcome(stream.getKey(), "dead_lettered");
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(stream.getValue() + ".dlt", (int) deadLettered,
                    deadLettered == 0 ? Duration.ofSeconds(3) : PATIENCE);
            Map<String, Long> byReason = new TreeMap<>();
            letters.forEach(letter -> byReason.merge("dead_lettered/" + header(letter, DeadLetterHeaders.REASON), 1L, Long::sum));
            Map<String, Long> counted = new TreeMap<>(worker.outcomes(stream.getKey()));
            counted.keySet().removeIf(key -> !key.startsWith("dead_lettered/"));
            assertThat(byReason).as("letters on %s.dlt by reason", stream.getValue()).isEqualTo(counted);
            lettersPerStream.put(stream.getKey(), (long) letters.size());
            Conservation.assertConserved(worker, stream.getKey(), produced.get(stream.getKey()), letters.size());
        }
        assertThat(produced).containsExactlyInAnyOrderEntriesOf(Map.of("items", 17L, "accounts", 13L, "profiles", 10L, "tags", 6L));
        assertThat(lettersPerStream).containsExactlyInAnyOrderEntriesOf(Map.of("items", 9L, "accounts", 2L, "profiles", 0L, "tags", 1L));
        assertThat(rows("select id as k, doc::text as v from streams.items order by id")).containsExactly(
                Map.entry("a", "{\"n\": 2, \"id\": \"a\"}"), Map.entry("b", "{\"n\": 5, \"id\": \"b\"}"),
                Map.entry("d", "{\"id\": \"d\", \"amount\": 3}"));
        assertThat(rows("select id::text as k, version::text as v from streams.accounts order by id")).containsExactly(
                Map.entry("1", "5"), Map.entry("2", "2"), Map.entry("7", "1"));
        assertThat(rows("select id as k, doc::text as v from streams.profiles order by id")).containsExactly(
                Map.entry("p1", "{\"id\": \"p1\", \"age\": 36, \"name\": \"Ada\"}"), Map.entry("p4", "{\"id\": \"p4\"}"));
        assertThat(rows("select tag as k, doc->>'color' as v from streams.tags order by tag")).containsExactly(
                Map.entry("t1", "green"), Map.entry("t2", "blue"));
    }

    /**
     * {@code jdbc-batch} sends rows as a JDBC batch that pgjdbc rewrites into multi-row inserts, which report no
     * per-row counts: whether the table changed a row is unknown, so its event counts as applied/unverified.
     */
    @Test
    void upsertsOfAWriteMethodThatCannotCountChangedRowsAreAppliedUnverified() {
        declare("items", "[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]", "");
        worker = start("ingest.write.method", "jdbc-batch");

        round(() -> {
            send("items", "a", "{\"id\": \"a\", \"n\": 1}");
            send("items", "a", "{\"id\": \"a\", \"n\": 2}");
            send("items", "b", "{\"id\": \"b\"}");
            send("items", "c", "{\"id\": \"c\"}");
            send("items", "d", null);
            send("items", "x", "not json");
        });

        assertThat(worker.outcomes("items")).isEqualTo(outcomes("applied/unverified", 3, "applied/deleted", 1,
                "ignored/superseded", 1, "dead_lettered/invalid_json", 1));
        Conservation.assertConserved(worker, "items", 6, 1);
        assertThat(db.count("select count(*) from streams.items")).isEqualTo(3);
    }

    private Map<String, Object> rows(String sql) {
        Map<String, Object> rows = new LinkedHashMap<>();
        db.query(sql).forEach(r -> rows.put(String.valueOf(r.get("k")), r.get("v")));
        return rows;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
