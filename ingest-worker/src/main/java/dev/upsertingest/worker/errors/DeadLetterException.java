package dev.upsertingest.worker.errors;

/** Dead letters could not be handed to Kafka; the batch is retried rather than committed without them. */
public class DeadLetterException extends RuntimeException {
    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
