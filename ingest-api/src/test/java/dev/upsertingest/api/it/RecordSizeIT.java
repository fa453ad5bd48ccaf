package dev.upsertingest.api.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API never accepts what its producer will refuse, and one client's oversized events never open the
 * {@code kafka-publish} breaker for everyone: near-1 MiB documents (which the event rules allow) are published, and
 * a record a topic refuses for its size is that event's rejection, naming the topic's limit, never a 503.
 */
class RecordSizeIT {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final KafkaBroker kafka = TestInfrastructure.kafka();
    private static final int MAX_DOCUMENT = 1024 * 1024;
    private static ApiHarness api;
    private static String topic;
    private static String smallTopic;

    @BeforeAll
    static void start() {
        TestDatabase db = TestInfrastructure.migratedDatabase("record_size");
        topic = "big_" + UUID.randomUUID().toString().substring(0, 8);
        smallTopic = "small_" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 1); // the broker's default max.message.bytes: 1,048,588
        kafka.createTopic(smallTopic, 1, Map.of("max.message.bytes", "20000"));
        db.execute("select ingest.declare_stream('big', '" + topic + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        db.execute("select ingest.declare_stream('small', '" + smallTopic + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        api = ApiHarness.builder(db, kafka.bootstrapServers()).start(); // the default limits: 1 MB documents, 16 MB requests
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A JSON object of exactly {@code size} bytes: {@code {"id": "<id>", "pad": "<filler>"}}. */
    private static String document(String id, int size, boolean compressible) {
        String head = "{\"id\": \"" + id + "\", \"pad\": \"";
        int fill = size - head.length() - 2;
        String filler;
        if (compressible) {
            filler = "x".repeat(fill);
        } else { // random base64: lz4 finds nothing to shrink
            byte[] random = new byte[fill];
            new Random(size).nextBytes(random);
            filler = Base64.getEncoder().encodeToString(random).substring(0, fill);
        }
        String json = head + filler + "\"}";
        assertThat(json.getBytes(StandardCharsets.UTF_8)).hasSize(size);
        return json;
    }

    private static HttpResponse<String> publish(String stream, String... events) throws Exception {
        return api.post("/api/v1/streams/" + stream + "/events", PRODUCER_KEY, "application/json", "[" + String.join(",", events) + "]");
    }

    private static CircuitBreaker breaker() {
        return api.bean(CircuitBreakerRegistry.class).circuitBreaker("kafka-publish");
    }

    @Test
    void documentsUpToTheLimitArePublishedAsSent() throws Exception {
        List<String> sent = new ArrayList<>();
        for (int size : new int[]{1_048_475, 1_048_500, 1_048_575, MAX_DOCUMENT}) {
            String json = document("near-" + size, size, true);
            sent.add(json);
            HttpResponse<String> response = publish("big", json);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(JSON.readTree(response.body()).get("accepted").asInt()).isEqualTo(1);
        }
        HttpResponse<String> over = publish("big", document("over", MAX_DOCUMENT + 1, true));
        assertThat(over.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(over.body()).get("rejections").get(0).get("reason").asString()).isEqualTo("document_too_large");

        List<String> stored = read(topic, "near-", sent.size()).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
        assertThat(stored).containsExactlyElementsOf(sent);
    }

    @Test
    void aRecordTheTopicRefusesForItsSizeIsThatEventsRejectionAndNeverOpensTheBreaker() throws Exception {
        String fits = "{\"id\": \"fits\"}";
        String tooLarge = document("too-large", 50_000, false);
        for (int attempt = 0; attempt < 8; attempt++) {
            HttpResponse<String> response = publish("small", fits, tooLarge, fits.replace("fits", "fits-too"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("accepted").asInt()).isEqualTo(2);
            assertThat(body.get("rejected").asInt()).isEqualTo(1);
            JsonNode rejection = body.get("rejections").get(0);
            assertThat(rejection.get("index").asInt()).isEqualTo(1);
            assertThat(rejection.get("reason").asString()).isEqualTo("document_too_large");
            assertThat(rejection.get("detail").asString()).contains(smallTopic, "20000", "max.message.bytes").doesNotContain("Exception");
        }
        // An incompressible document near the limit, on a topic left at the broker's default (1,048,588 per batch):
        // the broker refuses it, and it is still only that event's rejection.
        for (int attempt = 0; attempt < 5; attempt++) {
            HttpResponse<String> response = publish("big", document("random-" + attempt, MAX_DOCUMENT, false));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode rejection = JSON.readTree(response.body()).get("rejections").get(0);
            assertThat(rejection.get("reason").asString()).isEqualTo("document_too_large");
            assertThat(rejection.get("detail").asString()).contains("1048588");
        }
        assertThat(breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker().getMetrics().getNumberOfFailedCalls()).as("oversized records are no broker failure").isZero();
        HttpResponse<String> everyoneElse = publish("big", "{\"id\": \"after\"}");
        assertThat(everyoneElse.statusCode()).as(everyoneElse.body()).isEqualTo(202);
        assertThat(JSON.readTree(everyoneElse.body()).get("accepted").asInt()).isEqualTo(1);
    }

    /** The records of {@code topic} whose key starts with {@code keyPrefix}, once there are {@code expected} of them. */
    private static List<ConsumerRecord<byte[], byte[]>> read(String topic, String keyPrefix, int expected) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(60);
            while (records.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (new String(record.key(), StandardCharsets.UTF_8).startsWith(keyPrefix)) {
                        records.add(record);
                    }
                });
            }
            return records;
        }
    }
}
