package dev.upsertingest.api.it;

import dev.upsertingest.api.publish.PublishSpans;
import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.it.WorkerHarness;
import dev.upsertingest.worker.tracing.BatchSpans;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing on a real broker and database: a publish over HTTP, continuing its caller's W3C {@code traceparent}, reaches
 * the worker's batch span through the records' headers, so both applications' spans share one trace id. Off (the
 * default), the records carry no trace header at all.
 */
class TracingIT {

    /** A caller's trace: W3C trace context version 00, sampled. */
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    @Test
    void aPublishOverHttpAndTheWorkersBatchShareOneTrace() throws Exception {
        KafkaBroker kafka = TestInfrastructure.kafka();
        TestDatabase db = TestInfrastructure.migratedDatabase("tracing_on");
        String topic = declareStream(kafka, db);
        InMemorySpanExporter apiSpans = InMemorySpanExporter.create();
        InMemorySpanExporter workerSpans = InMemorySpanExporter.create();

        try (WorkerHarness worker = traced(WorkerHarness.builder(db, kafka)).bean("testSpanExporter", workerSpans).start();
             ApiHarness api = traced(ApiHarness.builder(db, kafka.bootstrapServers())).bean("testSpanExporter", apiSpans)
                     .start()) {
            assertThat(publish(api, CALLER).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.traced") == 3);

            await().atMost(Duration.ofSeconds(30)).until(() -> named(apiSpans, PublishSpans.SPAN_NAME).size() == 1);
            SpanData publish = named(apiSpans, PublishSpans.SPAN_NAME).getFirst();
            assertThat(publish.getTraceId()).as("the caller's trace continues").isEqualTo(TRACE_ID);
            assertThat(publish.getKind()).isEqualTo(SpanKind.PRODUCER);
            // Up from the publish (through the filters' observations) to the HTTP request's span, the caller's child.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, SpanData> byId = new java.util.HashMap<>();
                apiSpans.getFinishedSpanItems().forEach(span -> byId.put(span.getSpanId(), span));
                SpanData ancestor = publish;
                while (byId.containsKey(ancestor.getParentSpanId())) {
                    ancestor = byId.get(ancestor.getParentSpanId());
                }
                assertThat(ancestor.getKind()).as("the publish is within the HTTP request's span").isEqualTo(SpanKind.SERVER);
                assertThat(ancestor.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
            });

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<SpanData> batches = batchesOf(workerSpans, topic);
                assertThat(batches).isNotEmpty().allSatisfy(batch -> {
                    assertThat(batch.getTraceId()).as("the worker's batch is in the publish's trace").isEqualTo(TRACE_ID);
                    assertThat(batch.getParentSpanId()).isEqualTo(publish.getSpanId());
                    assertThat(batch.getKind()).isEqualTo(SpanKind.CONSUMER);
                });
                long written = batches.stream().mapToLong(batch -> batch.getAttributes()
                        .get(io.opentelemetry.api.common.AttributeKey.longKey("messaging.batch.message_count"))).sum();
                assertThat(written).as("the batches hold the three events").isEqualTo(3);
            });
        }
    }

    @Test
    void offByDefaultTheRecordsCarryNoTraceHeader() throws Exception {
        KafkaBroker kafka = TestInfrastructure.kafka();
        TestDatabase db = TestInfrastructure.migratedDatabase("tracing_off");
        String topic = declareStream(kafka, db);

        try (ApiHarness api = ApiHarness.builder(db, kafka.bootstrapServers()).start()) {
            assertThat(publish(api, CALLER).statusCode()).isEqualTo(202);
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "tracing-off-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                return records.size() == 3;
            });
        }
        assertThat(records).allSatisfy(record -> {
            assertThat(record.headers().lastHeader("traceparent")).isNull();
            assertThat(record.headers().lastHeader("tracestate")).isNull();
        });
    }

    /** Tracing on with every trace recorded, and spans handed to the exporter at once rather than every 5 s. */
    private static ApiHarness.Builder traced(ApiHarness.Builder builder) {
        return builder.property("management.tracing.export.enabled", true)
                .property("management.tracing.sampling.probability", 1.0)
                .property("management.tracing.opentelemetry.export.schedule-delay", "100ms");
    }

    private static WorkerHarness.Builder traced(WorkerHarness.Builder builder) {
        return builder.property("management.tracing.export.enabled", true)
                .property("management.tracing.sampling.probability", 1.0)
                .property("management.tracing.opentelemetry.export.schedule-delay", "100ms");
    }

    private static String declareStream(KafkaBroker kafka, TestDatabase db) {
        String topic = "traced_" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopic(topic, 3);
        db.execute("select ingest.declare_stream('traced', '" + topic + "', "
                + "'[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        return topic;
    }

    private static HttpResponse<String> publish(ApiHarness api, String traceparent) throws Exception {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/api/v1/streams/traced/events")))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .header("X-API-Key", PRODUCER_KEY).header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString("[{\"id\": \"a\"}, {\"id\": \"b\"}, {\"id\": \"c\"}]")).build());
    }

    private static List<SpanData> named(InMemorySpanExporter exporter, String name) {
        return exporter.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name)).toList();
    }

    private static List<SpanData> batchesOf(InMemorySpanExporter exporter, String topic) {
        return named(exporter, BatchSpans.SPAN_NAME).stream().filter(span -> {
            List<String> topics = span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringArrayKey(
                    "ingest.batch.topics"));
            return topics != null && topics.contains(topic);
        }).toList();
    }
}
