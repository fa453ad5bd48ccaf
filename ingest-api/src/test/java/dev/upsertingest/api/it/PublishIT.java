package dev.upsertingest.api.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.upsertingest.api.it.ApiHarness.ANALYST_KEY;
import static dev.upsertingest.api.it.ApiHarness.OPERATOR_KEY;
import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/v1/streams/{stream}/events: every answer it can give, against a real broker and database. */
class PublishIT {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final KafkaBroker kafka = TestInfrastructure.kafka();
    private static ApiHarness api;
    private static String topic;
    private static String other;

    @BeforeAll
    static void start() {
        TestDatabase db = TestInfrastructure.migratedDatabase("publish");
        topic = "orders_" + UUID.randomUUID().toString().substring(0, 8);
        other = "keyed_" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 3);
        db.execute("select ingest.declare_stream('orders', '" + topic + "', '[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]', version_pointer => '/v')");
        db.execute("select ingest.declare_stream('by_record_key', '" + other + "', '[{\"name\": \"id\", \"type\": \"text\"}]', key_source => 'record_key')");
        db.execute("select ingest.declare_stream('composite', 'composite_" + topic + "', '[{\"name\": \"tenant\", \"type\": \"text\", \"pointer\": \"/tenant\"}, {\"name\": \"n\", \"type\": \"bigint\", \"pointer\": \"/n\"}]')");
        kafka.createTopic("composite_" + topic, 1);
        api = ApiHarness.builder(db, kafka.bootstrapServers())
                .property("ingest.api.publish.max-request-size", "64KB")
                .property("ingest.api.publish.max-events", 500)
                .property("ingest.api.security.clients[4].name", "orders-only")
                .property("ingest.api.security.clients[4].key", "orders-only-key-0123456789abc")
                .property("ingest.api.security.clients[4].permissions", "publish")
                .property("ingest.api.security.clients[4].streams", "composite")
                .property("ingest.api.security.clients[5].name", "slow")
                .property("ingest.api.security.clients[5].key", "slow-client-key-0123456789abc")
                .property("ingest.api.security.clients[5].permissions", "query")
                .property("ingest.api.security.clients[5].requests-per-second", 2)
                .start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static HttpResponse<String> publish(String stream, String contentType, String body) throws Exception {
        return api.post("/api/v1/streams/" + stream + "/events", PRODUCER_KEY, contentType, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("application/problem+json"));
        assertThat(json(response).get("type").asString()).isEqualTo("urn:upsert-ingest:problem:" + type);
        assertThat(json(response).get("status").asInt()).isEqualTo(status);
    }

    private static List<ConsumerRecord<String, String>> read(String topic, int expected) {
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(30);
            while (records.size() < expected && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    @Test
    void acceptsGoodEventsKeyedByPrimaryKeyAndReportsEachRejectedOneByIndex() throws Exception {
        HttpResponse<String> response = publish("orders", "application/json", """
                [{"order_id": "a-1", "v": 1, "total": 10},
                 {"order_id": 7, "v": 1},
                 {"v": 2},
                 {"order_id": "a-2", "v": 1},
                 "not an object",
                 {"order_id": "a-3", "v": "one"},
                 null]""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode body = json(response);
        assertThat(body.get("accepted").asInt()).isEqualTo(2);
        assertThat(body.get("rejected").asInt()).isEqualTo(5);
        List<String> rejections = new ArrayList<>();
        body.get("rejections").forEach(r -> rejections.add(r.get("index").asInt() + ":" + r.get("reason").asString()));
        assertThat(rejections).containsExactly("1:wrong_key_type", "2:missing_key", "4:not_an_object", "5:invalid_version", "6:not_an_object");

        var records = read(topic, 2).stream().filter(r -> r.key().startsWith("a-")).toList();
        assertThat(records).extracting(ConsumerRecord::key).containsExactlyInAnyOrder("a-1", "a-2");
        assertThat(records).extracting(ConsumerRecord::value).anySatisfy(v -> assertThat(v).contains("\"total\": 10"));
    }

    @Test
    void acceptsNdjsonWhereABadLineIsRejectedAloneAndCompositeKeysAreCanonical() throws Exception {
        HttpResponse<String> response = api.post("/api/v1/streams/composite/events", PRODUCER_KEY, "application/x-ndjson",
                "{\"tenant\": \"acme\", \"n\": 1}\n{broken\n\n{\"tenant\": \"acme\", \"n\": 2}\r\n");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json(response).get("accepted").asInt()).isEqualTo(2);
        assertThat(json(response).get("rejections").get(0).get("index").asInt()).isEqualTo(1);
        assertThat(json(response).get("rejections").get(0).get("reason").asString()).isEqualTo("invalid_json");
        assertThat(read("composite_" + topic, 2)).extracting(ConsumerRecord::key).contains("[\"acme\",1]", "[\"acme\",2]");
    }

    @Test
    void everyErrorStatus() throws Exception {
        assertProblem(publish("orders", "application/json", "{not json"), 400, "not-json");
        assertProblem(publish("orders", "application/json", "{\"order_id\": \"x\"}"), 400, "not-json");
        assertProblem(publish("orders", "application/json", "[]"), 400, "not-json");
        assertProblem(publish("no_such_stream", "application/json", "[{}]"), 404, "unknown-stream");
        assertProblem(publish("orders", "application/json", "[" + "{\"order_id\": \"x\", \"v\": 1},".repeat(2000) + "{}]"), 413, "too-large");
        assertProblem(publish("orders", "application/x-ndjson", "{\"order_id\": \"x\", \"v\": 1}\n".repeat(501)), 413, "too-large");
        assertProblem(publish("orders", "text/plain", "[{}]"), 415, "unsupported-media-type");
        // found by bench fuzz: the multipart parser ran before any endpoint and a malformed body was a 500
        assertProblem(publish("orders", "multipart/form-data; boundary=fuzz", "[{}]"), 415, "unsupported-media-type");
        assertProblem(publish("orders", "multipart/form-data", "--fuzz\r\n[{}]"), 415, "unsupported-media-type");
        assertProblem(publish("by_record_key", "application/json", "[{}]"), 422, "needs-record-key");
    }

    @Test
    void authenticationAndPermissions() throws Exception {
        assertProblem(api.post("/api/v1/streams/orders/events", null, "application/json", "[]"), 401, "unauthenticated");
        HttpResponse<String> wrongKey = api.post("/api/v1/streams/orders/events", "not-a-key-at-all-0123456789", "application/json", "[]");
        assertProblem(wrongKey, 401, "unauthenticated");
        assertThat(wrongKey.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).contains("Bearer"));
        assertProblem(api.post("/api/v1/streams/orders/events", ANALYST_KEY, "application/json", "[]"), 403, "forbidden");
        assertProblem(api.get("/api/v1/views", PRODUCER_KEY), 403, "forbidden");
        assertProblem(api.get("/actuator/prometheus", ANALYST_KEY), 403, "forbidden");
        assertProblem(api.post("/api/v1/streams/orders/events", "orders-only-key-0123456789abc", "application/json",
                "[{\"order_id\": \"z\", \"v\": 1}]"), 403, "forbidden");

        assertThat(api.get("/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus", OPERATOR_KEY).body()).contains("ingest_api_events_accepted_total");
        assertThat(api.get("/v3/api-docs", null).statusCode()).isEqualTo(401);
        assertThat(api.get("/v3/api-docs", ANALYST_KEY).body()).contains("/api/v1/streams/{stream}/events", "/api/v1/views/{view}");
        String basic = Base64.getEncoder().encodeToString(("analyst:" + ANALYST_KEY).getBytes());
        assertThat(api.send(HttpRequest.newBuilder(URI.create(api.url("/swagger-ui/index.html")))
                .header("Authorization", "Basic " + basic).build()).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientOverItsRateGets429WithRetryAfter() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> response = api.get("/api/v1/views", "slow-client-key-0123456789abc");
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                limited = response;
            }
        }
        assertThat(statuses).contains(200, 429);
        assertProblem(limited, 429, "rate-limited");
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(api.get("/api/v1/views", ANALYST_KEY).statusCode()).as("other clients are not limited").isEqualTo(200);
    }
}
