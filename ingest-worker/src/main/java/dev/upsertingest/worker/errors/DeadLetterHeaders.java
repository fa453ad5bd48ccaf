package dev.upsertingest.worker.errors;

/**
 * Headers a dead-lettered record carries, all UTF-8 text so that any tool (kcat, the console consumer) can read them.
 * The record's own key, value and headers are kept as they were.
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

    private DeadLetterHeaders() {
    }
}
