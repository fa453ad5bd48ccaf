package dev.upsertingest.api.publish;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@value #SPAN_NAME}: one span per publish (the events of one request), a child of the request's span, whose trace
 * context goes into the headers of every record it sends ({@code traceparent}, and {@code tracestate} when set). One
 * span per request rather than one per record (what Spring Kafka's template observation would make) keeps a request of
 * a thousand events at two spans; the worker's batch span continues the trace from the header.
 */
public final class PublishSpans implements PublishTracing {

    public static final String SPAN_NAME = "ingest.publish";

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    public PublishSpans(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public Publish start(List<ProducerRecord<byte[], byte[]>> records) {
        TreeSet<String> topics = new TreeSet<>();
        for (ProducerRecord<byte[], byte[]> record : records) {
            topics.add(record.topic());
        }
        Span span = tracer.spanBuilder(SPAN_NAME).setSpanKind(SpanKind.PRODUCER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(MESSAGING_OPERATION, "send")
                .setAttribute(BATCH_SIZE, (long) records.size())
                .setAttribute(DESTINATION, String.join(",", topics))
                .startSpan();
        // The same context for every record: format it once.
        Map<String, String> fields = new LinkedHashMap<>();
        propagator.inject(Context.current().with(span), fields, Map::put);
        fields.forEach((name, value) -> {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            for (ProducerRecord<byte[], byte[]> record : records) {
                record.headers().remove(name).add(name, bytes);
            }
        });
        return new Publish() {
            @Override
            public void failed(String reason) {
                span.setStatus(StatusCode.ERROR, reason);
            }

            @Override
            public void close() {
                span.end();
            }
        };
    }
}
