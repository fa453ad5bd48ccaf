package dev.upsertingest.worker.errors;

/**
 * Headers a dead-lettered record carries, all UTF-8 text so that any tool (kcat, the console consumer) can read them.
 * The record's own key, value and headers are kept as they were, except that a letter too large for the producer or
 * the dead-letter topic is sent without its value ({@link #VALUE_DROPPED}).
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

    private DeadLetterHeaders() {
    }
}
