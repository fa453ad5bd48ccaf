package dev.upsertingest.worker.tracing;

import dev.upsertingest.worker.consume.BatchTracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One span per batch attempt, {@value #SPAN_NAME}, in the trace of the events it writes.
 *
 * <p>A batch holds up to {@code max-poll-records} events from as many producers' traces, and a span has one parent.
 * So the span's parent is the first record whose trace context (the {@code traceparent} header the API or any traced
 * producer wrote) is sampled, and every other trace in the batch gets a link. A slow event is followed from its
 * publish: in the publishing request's own trace when it led its batch, through a link to its trace otherwise. One
 * span per batch, not per event, keeps the cost with tracing on to one header parse per record. A retried batch makes
 * one span per attempt, the failed ones with the error, so retries show as such.
 */
public final class BatchSpans implements BatchTracing {

    public static final String SPAN_NAME = "ingest.batch";
    /** OpenTelemetry's default span limit: the SDK would drop links beyond it anyway. */
    static final int MAX_LINKS = 128;

    static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> MESSAGING_OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<List<String>> TOPICS = AttributeKey.stringArrayKey("ingest.batch.topics");
    static final AttributeKey<Long> TRACED = AttributeKey.longKey("ingest.batch.traced_records");
    static final AttributeKey<Long> LINKS_DROPPED = AttributeKey.longKey("ingest.batch.links_dropped");

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    public BatchSpans(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public void trace(List<ConsumerRecord<byte[], byte[]>> records, Runnable attempt) {
        Span span = start(records);
        try (Scope ignored = span.makeCurrent()) {
            attempt.run();
        } catch (RuntimeException | Error e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    Span start(List<ConsumerRecord<byte[], byte[]>> records) {
        SpanContext parent = null;
        List<SpanContext> others = new ArrayList<>();
        Set<String> topics = new TreeSet<>();
        long traced = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            topics.add(record.topic());
            SpanContext context = Span.fromContext(propagator.extract(Context.root(), record, RecordHeaders.GETTER))
                    .getSpanContext();
            if (!context.isValid()) {
                continue;
            }
            traced++;
            if (parent == null && context.isSampled()) {
                parent = context;
            } else {
                others.add(context);
            }
        }
        if (parent == null && !others.isEmpty()) {
            parent = others.removeFirst(); // none sampled: follow the producers' decision not to record
        }

        SpanBuilder builder = tracer.spanBuilder(SPAN_NAME).setSpanKind(SpanKind.CONSUMER)
                .setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(MESSAGING_OPERATION, "process")
                .setAttribute(BATCH_SIZE, (long) records.size())
                .setAttribute(TOPICS, List.copyOf(topics))
                .setAttribute(TRACED, traced);
        if (parent == null) {
            builder.setNoParent();
        } else {
            builder.setParent(Context.root().with(Span.wrap(parent)));
        }
        // One link per other trace: the events of one request share a trace, and its link says all there is to say.
        Set<String> linked = new HashSet<>();
        if (parent != null) {
            linked.add(parent.getTraceId());
        }
        long links = 0;
        long dropped = 0;
        for (SpanContext other : others) {
            if (linked.add(other.getTraceId())) {
                if (links < MAX_LINKS) {
                    builder.addLink(other);
                    links++;
                } else {
                    dropped++;
                }
            }
        }
        if (dropped > 0) {
            builder.setAttribute(LINKS_DROPPED, dropped);
        }
        return builder.startSpan();
    }
}
