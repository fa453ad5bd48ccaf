package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters of every size reach {@code <topic>.dlt} and the partition keeps moving: the worker's dead-letter
 * producer takes the letter of any record its consumers fetch, and a letter that still does not fit (the producer's
 * limit, or a dead-letter topic that takes less) goes without its value, flagged. Real broker, real PostgreSQL.
 */
class OversizedDeadLettersIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final int MIB = 1024 * 1024;
    private static final int GOOD_BEFORE = 5;
    private static final int GOOD_AFTER = 5;

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private TestDatabase db;
    private WorkerHarness worker;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("dlt_size");
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
    }

    /** A stream on a one-partition topic, so that a stuck dead letter would hold back every event after it. */
    private String stream(String name) {
        String topic = TestEvents.uniqueTopic(name);
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('" + name + "', '" + topic
                + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        return topic;
    }

    /** Good events, then the poison ones, then good events again, all on the one partition. */
    private static void sendAround(TestEvents events, String topic, byte[]... poison) {
        for (int i = 0; i < GOOD_BEFORE; i++) {
            events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
        }
        for (int i = 0; i < poison.length; i++) {
            events.sendBytes(topic, ("poison-" + i).getBytes(StandardCharsets.UTF_8), poison[i]);
        }
        for (int i = GOOD_BEFORE; i < GOOD_BEFORE + GOOD_AFTER; i++) {
            events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
        }
        events.flush();
    }

    /** A JSON object of exactly {@code size} bytes, padded with {@code pad} and ending in {@code tail} inside a string. */
    private static byte[] document(int size, char pad, String tail) {
        String head = "{\"id\": \"poison\", \"pad\": \"";
        String end = tail + "\"}";
        return (head + String.valueOf(pad).repeat(size - head.length() - end.length()) + end).getBytes(StandardCharsets.UTF_8);
    }

    private void awaitTheRestLandedAndThePartitionMovedOn(TestEvents events, String topic) {
        await().atMost(PATIENCE).until(() -> events.committedToTheEnd(worker.groupId(), topic));
        assertThat(db.count("select count(*) from streams." + streamOf(topic))).isEqualTo(GOOD_BEFORE + GOOD_AFTER);
        assertThat(worker.counter(IngestMetrics.BATCH_FAILURES)).as("no batch failed").isZero();
    }

    private static String streamOf(String topic) {
        return topic.substring(0, topic.lastIndexOf('_'));
    }

    @Test
    void aNulCharacterInAValueJustUnderTheDocumentLimitIsDeadLetteredWhole() {
        String topic = stream("nul");
        // 1,048,450 bytes: under the document limit (1 MB) and the broker's limit, but with its headers the letter is
        // larger than the Kafka producer's default max.request.size (1 MiB).
        byte[] poison = document(1_048_450, 'p', "\\u0000");
        try (TestEvents events = new TestEvents(kafka)) {
            sendAround(events, topic, poison);
            worker = WorkerHarness.builder(db, kafka).start();

            awaitTheRestLandedAndThePartitionMovedOn(events, topic);
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 1, PATIENCE);
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("nul_character");
                assertThat(letter.value()).as("the whole value").isEqualTo(poison);
                assertThat(letter.serializedValueSize() + letter.serializedKeySize()).isGreaterThan(1_048_450);
                assertThat(letter.headers().lastHeader(DeadLetterHeaders.VALUE_DROPPED)).isNull();
                assertThat(header(letter, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo(Integer.toString(GOOD_BEFORE));
            });
            Conservation.assertConserved(worker, "nul", GOOD_BEFORE + 1 + GOOD_AFTER, letters.size());
        }
    }

    @Test
    void valuesOverAMebibyteThatArrivedGzipCompressedAreDeadLetteredWholeOrWithoutTheirValue() {
        String topic = stream("zipped");
        // The broker takes these (a compressed batch of a few KB), the consumer fetches and unpacks them, and both
        // are larger than the document limit. The 2 MiB one fits the dead-letter producer (sized for the consumer's
        // 4 MB partition fetch); the 8 MiB one cannot, so it goes without its value.
        byte[] twoMib = document(2 * MIB, 'z', "");
        byte[] eightMib = document(8 * MIB, 'z', "");
        try (TestEvents events = new TestEvents(kafka, Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * MIB, ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * MIB))) {
            sendAround(events, topic, twoMib, eightMib);
            worker = WorkerHarness.builder(db, kafka).start();

            awaitTheRestLandedAndThePartitionMovedOn(events, topic);
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 2, PATIENCE);
            assertThat(letters).hasSize(2).allSatisfy(letter ->
                    assertThat(header(letter, DeadLetterHeaders.REASON)).isEqualTo("document_too_large"));
            ConsumerRecord<byte[], byte[]> whole = letterOf(letters, "poison-0");
            assertThat(whole.value()).isEqualTo(twoMib);
            assertThat(whole.headers().lastHeader(DeadLetterHeaders.VALUE_DROPPED)).isNull();
            ConsumerRecord<byte[], byte[]> dropped = letterOf(letters, "poison-1");
            assertThat(dropped.value()).as("empty, not null: a replay must not be a tombstone").isEmpty();
            assertThat(header(dropped, DeadLetterHeaders.VALUE_DROPPED)).isEqualTo("true");
            assertThat(header(dropped, DeadLetterHeaders.ORIGINAL_VALUE_SIZE)).isEqualTo(Integer.toString(8 * MIB));
            assertThat(header(dropped, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
            assertThat(header(dropped, DeadLetterHeaders.ORIGINAL_OFFSET)).isEqualTo(Integer.toString(GOOD_BEFORE + 1));
            assertThat(header(dropped, DeadLetterHeaders.DETAIL)).contains("8388608");
            assertThat(worker.counter(IngestMetrics.EVENTS_DEAD_LETTERED_WITHOUT_VALUE, "stream", "zipped",
                    "reason", "document_too_large")).isEqualTo(1);
            Conservation.assertConserved(worker, "zipped", GOOD_BEFORE + 2 + GOOD_AFTER, letters.size());
        }
    }

    @Test
    void aDeadLetterTopicThatTakesLessThanTheLetterGetsItWithoutItsValue() {
        String topic = stream("smalldlt");
        kafka.createTopic(topic + ".dlt", 1, Map.of("max.message.bytes", Integer.toString(64 * 1024)));
        // 200 KB that compress poorly (random base64), so the compressed letter is still over the topic's 64 KiB.
        byte[] random = new byte[150_000];
        new Random(7).nextBytes(random);
        byte[] large = document(200_000, 'x', Base64.getEncoder().encodeToString(random).substring(0, 199_000));
        byte[] small = "{\"id\": \"poison\", ".getBytes(StandardCharsets.UTF_8);
        try (TestEvents events = new TestEvents(kafka)) {
            sendAround(events, topic, large, small);
            worker = WorkerHarness.builder(db, kafka).property("ingest.events.max-document-size", "128KB").start();

            awaitTheRestLandedAndThePartitionMovedOn(events, topic);
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 2, PATIENCE);
            assertThat(letters).hasSize(2);
            ConsumerRecord<byte[], byte[]> dropped = letterOf(letters, "poison-0");
            assertThat(header(dropped, DeadLetterHeaders.REASON)).isEqualTo("document_too_large");
            assertThat(header(dropped, DeadLetterHeaders.VALUE_DROPPED)).isEqualTo("true");
            assertThat(header(dropped, DeadLetterHeaders.ORIGINAL_VALUE_SIZE)).isEqualTo("200000");
            assertThat(dropped.value()).isEmpty();
            ConsumerRecord<byte[], byte[]> whole = letterOf(letters, "poison-1");
            assertThat(header(whole, DeadLetterHeaders.REASON)).isEqualTo("invalid_json");
            assertThat(whole.value()).as("a letter that fits keeps its value").isEqualTo(small);
            assertThat(worker.counter(IngestMetrics.EVENTS_DEAD_LETTERED_WITHOUT_VALUE)).isEqualTo(1);
            Conservation.assertConserved(worker, "smalldlt", GOOD_BEFORE + 2 + GOOD_AFTER, letters.size());
        }
    }

    /**
     * Found by FuzzIT (issue 13, item 8): a record key or headers of megabytes, produced compressed, made a letter too
     * large even without its value, so the batch was retried for good and its partitions stalled. Such a letter now
     * goes without its key and headers too, flagged; and flags a producer set itself are never passed on.
     */
    @Test
    void aLetterTooLargeEvenWithoutItsValueGoesWithoutItsKeyAndHeadersAndSpoofedFlagsAreNotPassedOn() {
        String topic = stream("hugekey");
        byte[] hugeKey = "k".repeat(5 * MIB).getBytes(StandardCharsets.UTF_8);
        byte[] large = "h".repeat(1_600_000).getBytes(StandardCharsets.UTF_8);
        try (TestEvents events = new TestEvents(kafka, Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * MIB, ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * MIB))) {
            for (int i = 0; i < GOOD_BEFORE; i++) {
                events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
            }
            events.sendRecord(new ProducerRecord<>(topic, hugeKey, null)); // a tombstone whose key is far too long
            ProducerRecord<byte[], byte[]> heavy = new ProducerRecord<>(topic, "heavy".getBytes(StandardCharsets.UTF_8),
                    "[1]".getBytes(StandardCharsets.UTF_8));
            heavy.headers().add("a", large).add("b", large).add("c", large);
            events.sendRecord(heavy);
            ProducerRecord<byte[], byte[]> spoofed = new ProducerRecord<>(topic, "spoofed".getBytes(StandardCharsets.UTF_8),
                    "[]".getBytes(StandardCharsets.UTF_8));
            spoofed.headers().add(DeadLetterHeaders.VALUE_DROPPED, "true".getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetterHeaders.ORIGINAL_VALUE_SIZE, "12345".getBytes(StandardCharsets.UTF_8))
                    .add(DeadLetterHeaders.KEY_DROPPED, "true".getBytes(StandardCharsets.UTF_8));
            events.sendRecord(spoofed);
            for (int i = GOOD_BEFORE; i < GOOD_BEFORE + GOOD_AFTER; i++) {
                events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
            }
            events.flush();
            worker = WorkerHarness.builder(db, kafka).start();

            awaitTheRestLandedAndThePartitionMovedOn(events, topic);
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 3, PATIENCE);
            assertThat(letters).hasSize(3);
            ConsumerRecord<byte[], byte[]> tombstone = letters.stream()
                    .filter(l -> Integer.toString(GOOD_BEFORE).equals(header(l, DeadLetterHeaders.ORIGINAL_OFFSET))).findFirst().orElseThrow();
            assertThat(header(tombstone, DeadLetterHeaders.REASON)).isEqualTo("key_too_long");
            assertThat(tombstone.key()).as("the key is what did not fit").isNull();
            assertThat(header(tombstone, DeadLetterHeaders.KEY_DROPPED)).isEqualTo("true");
            assertThat(header(tombstone, DeadLetterHeaders.HEADERS_DROPPED)).isEqualTo("true");
            assertThat(header(tombstone, DeadLetterHeaders.VALUE_DROPPED)).isEqualTo("true");
            ConsumerRecord<byte[], byte[]> headers = letters.stream()
                    .filter(l -> Integer.toString(GOOD_BEFORE + 1).equals(header(l, DeadLetterHeaders.ORIGINAL_OFFSET))).findFirst().orElseThrow();
            assertThat(header(headers, DeadLetterHeaders.REASON)).isEqualTo("not_an_object");
            assertThat(headers.headers().lastHeader("a")).as("the headers are what did not fit").isNull();
            assertThat(header(headers, DeadLetterHeaders.HEADERS_DROPPED)).isEqualTo("true");
            ConsumerRecord<byte[], byte[]> whole = letterOf(letters, "spoofed");
            assertThat(whole.value()).as("sent whole").isEqualTo("[]".getBytes(StandardCharsets.UTF_8));
            assertThat(whole.headers().headers(DeadLetterHeaders.VALUE_DROPPED)).as("the producer's own flag").isEmpty();
            assertThat(whole.headers().headers(DeadLetterHeaders.ORIGINAL_VALUE_SIZE)).isEmpty();
            assertThat(whole.headers().headers(DeadLetterHeaders.KEY_DROPPED)).isEmpty();
            Conservation.assertConserved(worker, "hugekey", GOOD_BEFORE + 3 + GOOD_AFTER, letters.size());
        }
    }

    private static ConsumerRecord<byte[], byte[]> letterOf(List<ConsumerRecord<byte[], byte[]>> letters, String key) {
        return letters.stream().filter(l -> key.equals(new String(l.key(), StandardCharsets.UTF_8))).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter with key " + key));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
