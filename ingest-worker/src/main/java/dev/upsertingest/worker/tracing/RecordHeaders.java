package dev.upsertingest.worker.tracing;

import io.opentelemetry.context.propagation.TextMapGetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads trace context (W3C {@code traceparent}, {@code tracestate}) from a consumed record's headers. */
final class RecordHeaders {

    static final TextMapGetter<ConsumerRecord<byte[], byte[]>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(ConsumerRecord<byte[], byte[]> record) {
            List<String> keys = new ArrayList<>();
            for (Header header : record.headers()) {
                keys.add(header.key());
            }
            return keys;
        }

        @Override
        public String get(ConsumerRecord<byte[], byte[]> record, String key) {
            if (record == null) {
                return null;
            }
            Header header = record.headers().lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private RecordHeaders() {
    }
}
