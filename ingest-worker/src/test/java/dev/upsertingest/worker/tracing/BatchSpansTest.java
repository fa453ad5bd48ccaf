package dev.upsertingest.worker.tracing;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which trace a batch's span joins, and which it links to, from the records' {@code traceparent} headers. */
class BatchSpansTest {

    private static final String TRACE_A = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACE_B = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACE_C = "5ce929d0e0e4736a3ce929d0e0e47365";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    private final BatchSpans spans = new BatchSpans(provider.get("test"), W3CTraceContextPropagator.getInstance());

    @AfterEach
    void close() {
        provider.close();
    }

    @Test
    void theBatchContinuesTheFirstSampledTraceAndLinksEachOtherTraceOnce() {
        spans.trace(List.of(record(null), record(traceparent(TRACE_A, "00")), record(traceparent(TRACE_B, "01")),
                record(traceparent(TRACE_C, "01")), record(traceparent(TRACE_C, "01")), record(traceparent(TRACE_B, "01"))),
                () -> { });

        SpanData batch = exporter.getFinishedSpanItems().getFirst();
        assertThat(batch.getName()).isEqualTo(BatchSpans.SPAN_NAME);
        assertThat(batch.getTraceId()).isEqualTo(TRACE_B);
        assertThat(batch.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(batch.getLinks()).extracting(link -> link.getSpanContext().getTraceId())
                .containsExactlyInAnyOrder(TRACE_A, TRACE_C);
        assertThat(batch.getAttributes().get(BatchSpans.BATCH_SIZE)).isEqualTo(6);
        assertThat(batch.getAttributes().get(BatchSpans.TRACED)).isEqualTo(5);
    }

    @Test
    void aBatchWithoutTraceHeadersStartsItsOwnTrace() {
        spans.trace(List.of(record(null), record("not a traceparent")), () -> { });

        SpanData batch = exporter.getFinishedSpanItems().getFirst();
        assertThat(batch.getParentSpanContext().isValid()).isFalse();
        assertThat(batch.getLinks()).isEmpty();
        assertThat(batch.getAttributes().get(BatchSpans.TRACED)).isZero();
    }

    @Test
    void whenNoTraceIsSampledTheBatchFollowsTheProducersAndIsNotRecorded() {
        spans.trace(List.of(record(traceparent(TRACE_A, "00"))), () -> { });

        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void linksStopAtTheSpanLimitAndSayHowManyWereLeftOut() {
        List<ConsumerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i <= BatchSpans.MAX_LINKS + 5; i++) {
            records.add(record(traceparent("%032x".formatted(i + 1), "01")));
        }
        spans.trace(records, () -> { });

        SpanData batch = exporter.getFinishedSpanItems().getFirst();
        assertThat(batch.getLinks()).hasSize(BatchSpans.MAX_LINKS).extracting(LinkData::getSpanContext)
                .noneMatch(context -> context.getTraceId().equals(batch.getTraceId()));
        assertThat(batch.getAttributes().get(BatchSpans.LINKS_DROPPED)).isEqualTo(5);
    }

    @Test
    void aFailedAttemptEndsItsSpanWithTheErrorAndStillThrows() {
        assertThatThrownBy(() -> spans.trace(List.of(record(traceparent(TRACE_A, "01"))), () -> {
            throw new IllegalStateException("database down");
        })).hasMessage("database down");

        SpanData batch = exporter.getFinishedSpanItems().getFirst();
        assertThat(batch.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(batch.getEvents()).extracting(event -> event.getName()).contains("exception");
    }

    private static String traceparent(String traceId, String flags) {
        return "00-" + traceId + "-00f067aa0ba902b7-" + flags;
    }

    private static ConsumerRecord<byte[], byte[]> record(String traceparent) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("orders", 0, 0, new byte[]{1}, new byte[]{2});
        if (traceparent != null) {
            record.headers().add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }
}
