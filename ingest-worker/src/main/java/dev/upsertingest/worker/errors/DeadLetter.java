package dev.upsertingest.worker.errors;

import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.core.stream.StreamDefinition;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * An event that cannot be written, with why.
 *
 * @param record the consumed record, sent on unchanged (key, value, headers)
 * @param stream the stream it was consumed for
 * @param reason stable reason code
 * @param detail human-readable explanation, free of document contents
 */
public record DeadLetter(ConsumerRecord<byte[], byte[]> record, StreamDefinition stream, RejectReason reason, String detail) {
}
