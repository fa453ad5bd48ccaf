package dev.upsertingest.worker.errors;

import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The consumer container's error handler: a failed batch is retried with exponential backoff, for as long as it
 * takes. Its events are never skipped and its offsets never committed unwritten; events that are bad in themselves
 * never get here, they are dead-lettered while the batch is parsed or split.
 */
public final class BatchRetries {

    private BatchRetries() {
    }

    public static CommonErrorHandler errorHandler(ErrorSettings settings) {
        ExponentialBackOff backOff = new ExponentialBackOff(settings.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(settings.retryMaxInterval().toMillis());
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return new DefaultErrorHandler(backOff);
    }
}
