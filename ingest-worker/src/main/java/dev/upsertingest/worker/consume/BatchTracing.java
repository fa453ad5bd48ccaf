package dev.upsertingest.worker.consume;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.List;

/**
 * Runs one attempt at a polled batch inside whatever tracing is configured. With tracing off ({@link #OFF}, the
 * default) it only runs the batch: no header is read and nothing is allocated, so tracing costs nothing unless it is
 * turned on ({@code management.tracing.export.enabled}).
 */
@FunctionalInterface
public interface BatchTracing {

    BatchTracing OFF = (records, attempt) -> attempt.run();

    /** Runs {@code attempt}, which handles all of {@code records}, and lets whatever it throws propagate. */
    void trace(List<ConsumerRecord<byte[], byte[]>> records, Runnable attempt);
}
