package dev.upsertingest.worker.errors;

/** A batch could not be written; it is retried, and its offsets are not committed. */
public class BatchWriteException extends RuntimeException {
    public BatchWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
