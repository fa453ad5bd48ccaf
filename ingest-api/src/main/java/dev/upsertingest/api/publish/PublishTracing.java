package dev.upsertingest.api.publish;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * Carries a request's trace to the worker: with tracing on, a span around the publish and its W3C trace context in
 * every record's headers. With tracing off ({@link #OFF}, the default) it does nothing: no header, no allocation.
 */
@FunctionalInterface
public interface PublishTracing {

    PublishTracing OFF = records -> Publish.UNTRACED;

    /** Starts the span of one publish (the current request's child) and writes its context into every record. */
    Publish start(List<ProducerRecord<byte[], byte[]>> records);

    /** One publish in progress; closing it ends its span. */
    interface Publish extends AutoCloseable {

        Publish UNTRACED = new Publish() {
            @Override
            public void failed(String reason) {
            }

            @Override
            public void close() {
            }
        };

        /** Kafka did not take the events (or not all of them). */
        void failed(String reason);

        @Override
        void close();
    }
}
