package dev.upsertingest.ops;

import java.time.Instant;
import java.util.Map;

/**
 * One record of a stream's dead-letter topic, as the worker wrote it (its headers in
 * {@code ingest-worker/.../errors/DeadLetterHeaders}). Never its document unless asked for: {@code value} is
 * {@code null} then, and {@code valueSize} says how large it is.
 *
 * @param partition      the letter's partition on the dead-letter topic
 * @param offset         its offset there
 * @param key            the record key as UTF-8 text ({@code null} for none)
 * @param valueSize      bytes of the value it carries (0 when the worker dropped it: {@code valueDropped})
 * @param valueDropped   the worker sent the letter without its value (too large): it cannot be replayed
 * @param originalTopic  where the event was consumed from
 * @param headers        every header, as text (the letter's own {@code ingest.dlt.*} and the event's)
 * @param replayedAt     when it was sent back to the stream topic, {@code null} if never
 * @param value          the document, only when asked for
 */
public record DeadLetter(String topic, int partition, long offset, Instant timestamp, String reason, String detail,
                         Instant failedAt, String key, int valueSize, boolean valueDropped, String originalTopic,
                         Integer originalPartition, Long originalOffset, Map<String, String> headers,
                         Instant replayedAt, String value) {
}
