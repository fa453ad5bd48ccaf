package dev.upsertingest.api.it;

import dev.upsertingest.local.KafkaServerProcess;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.net.http.HttpResponse;
import java.time.Duration;

import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Kafka goes away: publishes answer 503 with Retry-After, fast; Kafka comes back: publishes succeed, no restart. */
class KafkaOutageIT {

    private static final String EVENTS = "[{\"order_id\": \"o-1\"}, {\"order_id\": \"o-2\"}]";

    @Test
    void aBrokerOutageIs503ThenRecoversWithoutRestart(@TempDir Path directory) throws Exception {
        TestDatabase db = TestInfrastructure.migratedDatabase("outage");
        db.execute("select ingest.declare_stream('orders', 'orders', '[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
        try (KafkaServerProcess broker = KafkaServerProcess.startNew(directory);
             ApiHarness api = ApiHarness.builder(db, broker.bootstrapServers()).property("ingest.api.publish.ack-timeout", "3s").start()) {
            try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic("orders", 1, (short) 1))).all().get();
            }
            assertThat(publish(api).statusCode()).isEqualTo(202);

            broker.stop();
            HttpResponse<String> down = publish(api);
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(down.headers().firstValue("Retry-After")).isPresent();
            assertThat(JsonMapper.shared().readTree(down.body()).get("type").asString())
                    .isEqualTo("urn:upsert-ingest:problem:kafka-unavailable");
            assertThat(JsonMapper.shared().readTree(down.body()).get("detail").asString()).as("no class names, no toString()s")
                    .contains("retry later").doesNotContain("Exception", "org.apache", "kafka.common")
                    .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Za-z]");
            // Once the breaker has seen enough failures it answers at once instead of waiting on the broker.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                long start = System.nanoTime();
                HttpResponse<String> response = publish(api);
                return response.statusCode() == 503 && (System.nanoTime() - start) < 500_000_000L;
            });
            assertThat(api.get("/actuator/health/readiness", null).statusCode())
                    .as("queries still work without Kafka, so the API stays ready").isEqualTo(200);

            broker.start(); // the same broker, back with its data
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> publish(api).statusCode() == 202);
        }
    }

    private static HttpResponse<String> publish(ApiHarness api) throws Exception {
        return api.post("/api/v1/streams/orders/events", PRODUCER_KEY, "application/json", EVENTS);
    }
}
