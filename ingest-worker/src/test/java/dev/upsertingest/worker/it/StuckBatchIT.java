package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A batch that keeps failing for a reason other than the database is never silent: readiness goes down with the
 * reason once it has failed for longer than {@code ingest.errors.stuck-after}, the failing-time gauge rises, and
 * both recover when the cause goes away. The cause here is real: a dead-letter topic whose {@code max.message.bytes}
 * cannot take the letter even without its value, later raised with the admin API.
 */
class StuckBatchIT {

    private static final Duration PATIENCE = Duration.ofSeconds(120);

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private final HttpClient http = HttpClient.newHttpClient();
    private WorkerHarness worker;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + worker.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeadLetterTheTopicCannotTakeTurnsReadinessDownWithTheReasonUntilTheTopicIsFixed() throws Exception {
        TestDatabase db = TestInfrastructure.migratedDatabase("stuck");
        String topic = TestEvents.uniqueTopic("stuck");
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact"));
        // Smaller than the letter's own headers: the letter fits neither whole nor without its value.
        kafka.createTopic(topic + ".dlt", 1, Map.of("max.message.bytes", "128"));
        db.execute("select ingest.declare_stream('stuck', '" + topic + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        byte[] poison = "{\"id\": \"p\", ".getBytes(StandardCharsets.UTF_8);
        try (TestEvents events = new TestEvents(kafka)) {
            for (int i = 0; i < 3; i++) {
                events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
            }
            events.sendBytes(topic, "p".getBytes(StandardCharsets.UTF_8), poison);
            for (int i = 3; i < 6; i++) {
                events.send(topic, "g" + i, "{\"id\": \"g" + i + "\"}");
            }
            events.flush();

            worker = WorkerHarness.builder(db, kafka)
                    .property("ingest.errors.retry-initial-interval", "200ms")
                    .property("ingest.errors.retry-max-interval", "1s")
                    .property("ingest.errors.stuck-after", "5s")
                    .property("ingest.consumer.lag-interval", "1s")
                    .start();

            await().atMost(PATIENCE).untilAsserted(() -> {
                HttpResponse<String> readiness = get("/actuator/health/readiness");
                assertThat(readiness.statusCode()).isEqualTo(503);
                assertThat(readiness.body()).contains("\"streamConsumers\"", "a batch has been failing for",
                        topic + "-0", "DeadLetterException", "nor without its value");
            });
            assertThat(worker.gauge(IngestMetrics.BATCH_FAILING)).as("seconds failing").isGreaterThan(5);
            assertThat(get("/actuator/prometheus").body()).containsPattern("ingest_batch_failing_seconds\\{[^}]*} [1-9]");
            assertThat(worker.counter(IngestMetrics.BATCH_FAILURES, "exception", "DeadLetterException")).isPositive();
            assertThat(events.committedToTheEnd(worker.groupId(), topic)).as("the partition stands still").isFalse();
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(worker.gauge(IngestMetrics.CONSUMER_LAG, "stream", "stuck"))
                    .as("the committed lag counts the poison event and every one after it").isGreaterThanOrEqualTo(4));
            assertThat(worker.consumed("stuck")).as("nothing of the failing batch is counted yet").isLessThan(7);

            try (Admin admin = kafka.admin()) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic + ".dlt"),
                        List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", "1048576"), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            }

            await().atMost(PATIENCE).untilAsserted(() -> {
                HttpResponse<String> readiness = get("/actuator/health/readiness");
                assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
                assertThat(events.committedToTheEnd(worker.groupId(), topic)).isTrue();
            });
            assertThat(worker.gauge(IngestMetrics.BATCH_FAILING)).isZero();
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(worker.gauge(IngestMetrics.CONSUMER_LAG, "stream", "stuck")).isZero());
            assertThat(db.count("select count(*) from streams.stuck")).isEqualTo(6);
            List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", 1, PATIENCE);
            // Dead letters are sent at least once (docs/recovery.md): an attempt whose letter the broker took just as
            // the topic was fixed can still have failed, and its retry sends the letter again. Every letter is the
            // poison event, with the same original coordinates.
            assertThat(letters).as("the poison event's letter").isNotEmpty()
                    .allSatisfy(letter -> assertThat(letter.value()).isEqualTo(poison))
                    .extracting(StuckBatchIT::originalOffset)
                    .containsOnly(originalOffset(letters.getFirst()));
            assertThat(letters.getFirst().headers().lastHeader(DeadLetterHeaders.VALUE_DROPPED)).isNull();
            Conservation.assertConserved(worker, "stuck", 7, 1);
        }
    }

    private static String originalOffset(ConsumerRecord<byte[], byte[]> letter) {
        return new String(letter.headers().lastHeader(DeadLetterHeaders.ORIGINAL_OFFSET).value(), StandardCharsets.UTF_8);
    }
}
