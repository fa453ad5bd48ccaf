package dev.upsertingest.fuzz;

/** The API's {@code kafka-publish} circuit breaker, as the API reports it. */
public interface PublishBreaker {

    /** {@code closed}, {@code open}, {@code half_open}, ... */
    String state();

    /** Calls the breaker counted as failed. */
    long failedCalls();
}
