package dev.upsertingest.worker.errors;

/**
 * Headers a dead-lettered record carries, all UTF-8 text so that any tool (kcat, the console consumer) can read them.
 * The record's own key, value and headers are kept as they were, except that a letter too large for the producer or
 * the dead-letter topic is sent without its value ({@link #VALUE_DROPPED}), and one too large even so without its key
 * and headers as well ({@link #KEY_DROPPED}); the flags are never copied from the original record.
 */
public final class DeadLetterHeaders {

    /** The {@link dev.upsertingest.core.event.RejectReason} code, e.g. {@code missing_key}. */
    public static final String REASON = "ingest.dlt.reason";
    /** What exactly was wrong. */
    public static final String DETAIL = "ingest.dlt.detail";
    public static final String STREAM = "ingest.dlt.stream";
    public static final String ORIGINAL_TOPIC = "ingest.dlt.original.topic";
    public static final String ORIGINAL_PARTITION = "ingest.dlt.original.partition";
    public static final String ORIGINAL_OFFSET = "ingest.dlt.original.offset";
    /** The original record's timestamp, epoch milliseconds. */
    public static final String ORIGINAL_TIMESTAMP = "ingest.dlt.original.timestamp";
    /** When the worker dead-lettered it, ISO-8601. */
    public static final String FAILED_AT = "ingest.dlt.failed.at";
    /**
     * {@code true} on a letter sent without its value, because the whole record was too large for the dead-letter
     * producer ({@code max.request.size}) or the dead-letter topic ({@code max.message.bytes}). The value is then
     * empty, not null, so that replaying the letter onto the stream topic is refused as {@code invalid_json} instead
     * of deleting the row as a tombstone would. Absent on letters that carry their value.
     */
    public static final String VALUE_DROPPED = "ingest.dlt.value.dropped";
    /** With {@link #VALUE_DROPPED}: the size of the value that was left out, in bytes (as consumed, uncompressed). */
    public static final String ORIGINAL_VALUE_SIZE = "ingest.dlt.original.value.size";
    /**
     * {@code true} on a letter that did not fit even without its value (a record key or headers of megabytes that
     * arrived compressed): it is sent without the original key too (a null key), always with {@link #HEADERS_DROPPED}
     * and {@link #VALUE_DROPPED}.
     */
    public static final String KEY_DROPPED = "ingest.dlt.key.dropped";
    /** {@code true} on a letter sent without the original record's own headers (with {@link #KEY_DROPPED}). */
    public static final String HEADERS_DROPPED = "ingest.dlt.headers.dropped";

    /** The flags saying what a letter left out: the worker's alone, never copied from the original record. */
    static final java.util.Set<String> DROPPED_FLAGS = java.util.Set.of(VALUE_DROPPED, ORIGINAL_VALUE_SIZE, KEY_DROPPED,
            HEADERS_DROPPED);

    private DeadLetterHeaders() {
    }
}
