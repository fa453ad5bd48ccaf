package dev.upsertingest.api.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.it.WorkerHarness;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.upsertingest.api.it.ApiHarness.ANALYST_KEY;
import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The whole path: POST to the API, the worker upserts and refreshes, GET from the API returns it with its as-of time. */
class EndToEndIT {

    @Test
    void eventsPostedToTheApiComeBackFromTheViewWithTheirAsOfTime() throws Exception {
        KafkaBroker kafka = TestInfrastructure.kafka();
        TestDatabase db = TestInfrastructure.migratedDatabase("e2e");
        String topic = "orders_" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 3, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('orders', '" + topic + "', "
                + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]', version_pointer => '/v')");
        db.execute("select ingest.declare_view('orders_view', 'orders', "
                + "'[{\"name\": \"status\", \"type\": \"text\", \"pointer\": \"/status\"}, {\"name\": \"total\", \"type\": \"numeric\", \"pointer\": \"/total\"}]', "
                + "'[{\"columns\": [\"status\"]}]', '1 second')");

        String blobs = "blobs_" + UUID.randomUUID().toString().substring(0, 8); // the worker creates it
        db.execute("select ingest.declare_stream('blobs', '" + blobs + "', "
                + "'[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");

        try (WorkerHarness worker = WorkerHarness.builder(db, kafka).property("ingest.refresh.tick", "200ms").start();
             ApiHarness api = ApiHarness.builder(db, kafka.bootstrapServers()).start()) {
            OffsetDateTime before = OffsetDateTime.now();
            HttpResponse<String> posted = api.post("/api/v1/streams/orders/events", PRODUCER_KEY, "application/json", """
                    [{"order_id": "o-1", "v": 1, "status": "created", "total": 10.5},
                     {"order_id": "o-2", "v": 1, "status": "paid", "total": 20},
                     {"order_id": "o-1", "v": 2, "status": "paid", "total": 10.5},
                     {"order_id": "o-3", "v": 1}]""");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

            AtomicReference<JsonNode> page = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                HttpResponse<String> response = api.get("/api/v1/views/orders_view?status=paid&sort=status", ANALYST_KEY);
                page.set(JsonMapper.shared().readTree(response.body()));
                return response.statusCode() == 200 && page.get().get("count").asInt() == 2;
            });
            JsonNode body = page.get();
            assertThat(body.get("rows").get(0).get("order_id").asString()).isEqualTo("o-1");
            assertThat(body.get("rows").get(0).get("total").asDouble()).isEqualTo(10.5);
            assertThat(body.get("rows").get(1).get("order_id").asString()).isEqualTo("o-2");
            OffsetDateTime asOf = OffsetDateTime.parse(body.get("freshness").get("as_of").asString());
            assertThat(asOf).isAfter(before.minusSeconds(5)).isBefore(OffsetDateTime.now().plusSeconds(5));
            assertThat(body.get("freshness").get("newest_data_at").asString()).isNotBlank();

            JsonNode one = JsonMapper.shared().readTree(api.get("/api/v1/views/orders_view/rows/o-3", ANALYST_KEY).body());
            assertThat(one.get("row").get("status").isNull()).isTrue();

            // The largest event the rules allow, and one lz4 cannot shrink, makes the whole way through a topic the
            // worker created: it sized the topic by the same rule the API's producer follows.
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, blobs);
                assertThat(admin.describeConfigs(java.util.List.of(resource)).all().get().get(resource).get("max.message.bytes").value())
                        .isEqualTo(Long.toString(dev.upsertingest.core.event.EventLimits.defaults().maxRecordSize()));
            }
            String head = "{\"id\": \"big\", \"pad\": \"";
            byte[] random = new byte[1024 * 1024];
            new java.util.Random(7).nextBytes(random);
            String largest = head + java.util.Base64.getEncoder().encodeToString(random).substring(0, 1024 * 1024 - head.length() - 2) + "\"}";
            HttpResponse<String> big = api.post("/api/v1/streams/blobs/events", PRODUCER_KEY, "application/json", "[" + largest + "]");
            assertThat(big.statusCode()).as(big.body()).isEqualTo(202);
            assertThat(JsonMapper.shared().readTree(big.body()).get("accepted").asInt()).as(big.body()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.blobs where id = 'big'") == 1);
            assertThat(db.count("select octet_length(doc->>'pad') from streams.blobs")).isEqualTo(1024 * 1024 - head.length() - 2);
        }
    }
}
