package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What an operator's probes and Prometheus see, over real HTTP. */
class OperabilityIT {

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
    void probesAndMetricsAreServed() throws Exception {
        TestDatabase db = TestInfrastructure.migratedDatabase("ops");
        String topic = TestEvents.uniqueTopic("ops");
        kafka.createTopic(topic, 2, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('ops', '" + topic + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        worker = WorkerHarness.builder(db, kafka).start();
        try (TestEvents events = new TestEvents(kafka)) {
            events.send(topic, "a", "{\"id\": \"a\"}").send(topic, "b", "not json").flush();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.ops") == 1);

        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = get("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"db\"", "\"streamConsumers\"", "\"status\":\"UP\"");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/actuator/prometheus").body()).contains(
                "ingest_events_consumed_total{application=\"ingest-worker\",stream=\"ops\"} 2.0",
                "ingest_events_dead_lettered_total{application=\"ingest-worker\",reason=\"invalid_json\",stream=\"ops\"} 1.0",
                "ingest_batch_duration_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag"));
    }
}
