package dev.upsertingest.core.event;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Size limits every event must respect, enforced alike by the worker and the HTTP API, and the one rule that says how
 * large a Kafka record carrying such an event can get ({@link #maxRecordSize()}): the API's producer sends records
 * that large and the worker creates stream topics that take them, so an event that passed the rules is never refused
 * by Kafka for its size.
 *
 * @param maxDocumentSize largest event value accepted (at most 256 MB, the most a jsonb value holds). Larger events are
 *                        dead-lettered.
 * @param maxKeySize      largest key accepted, summed over the key columns' text forms in UTF-8. A btree entry must
 *                        fit in a third of a page (about 2.7 KB), so keys much longer than 1 KB cannot be indexed.
 */
@Validated
@ConfigurationProperties("ingest.events")
public record EventLimits(
        @NotNull @DefaultValue("1MB") DataSize maxDocumentSize,
        @NotNull @DefaultValue("512B") DataSize maxKeySize) {

    /**
     * Bytes a Kafka record may take beyond its value and its key's text: the record batch header (61 bytes) and the
     * record's framing (at most 21) that the producer counts against {@code max.request.size}, a composite key's JSON
     * brackets, quotes and commas, and headers (the worker's dead letters add about a kilobyte of them to the original
     * record). Generous on purpose: it only has to be larger than what is really there.
     */
    public static final long RECORD_ALLOWANCE = 16 * 1024;

    /**
     * How much longer than {@link #maxKeySize} a record key can be: a composite key travels as a JSON array of its
     * values, and JSON escapes a control character as six bytes ({@code \\u001f}).
     */
    public static final int KEY_ESCAPE_GROWTH = 6;

    /** The most a jsonb value holds (255 MB), so no larger document can be stored anyway. */
    public static final long MAX_DOCUMENT_SIZE_LIMIT = DataSize.ofMegabytes(256).toBytes();

    public EventLimits {
        if (maxDocumentSize != null && maxDocumentSize.toBytes() < 2) {
            throw new IllegalArgumentException("ingest.events.max-document-size must be at least 2 bytes ({} is the smallest event)");
        }
        if (maxDocumentSize != null && maxDocumentSize.toBytes() > MAX_DOCUMENT_SIZE_LIMIT) {
            throw new IllegalArgumentException("ingest.events.max-document-size must be at most 256MB (the most a jsonb value holds)");
        }
        if (maxKeySize != null && (maxKeySize.toBytes() < 1 || maxKeySize.toBytes() > 2048)) {
            throw new IllegalArgumentException("ingest.events.max-key-size must be between 1B and 2KB (a btree entry must fit in a page)");
        }
    }

    /**
     * The largest Kafka record an accepted event can make, in the bytes Kafka counts (uncompressed, with framing): its
     * value (at most {@link #maxDocumentSize}), its key (at most {@link #maxKeySize} of text, escaped at worst
     * {@link #KEY_ESCAPE_GROWTH} times over) and {@link #RECORD_ALLOWANCE}. A producer's {@code max.request.size} and a
     * stream topic's {@code max.message.bytes} of at least this never refuse an event the rules accepted. 1,068,032
     * bytes with the defaults.
     */
    public long maxRecordSize() {
        return maxDocumentSize.toBytes() + KEY_ESCAPE_GROWTH * maxKeySize.toBytes() + RECORD_ALLOWANCE;
    }

    public static EventLimits defaults() {
        return new EventLimits(DataSize.ofMegabytes(1), DataSize.ofBytes(512));
    }
}
