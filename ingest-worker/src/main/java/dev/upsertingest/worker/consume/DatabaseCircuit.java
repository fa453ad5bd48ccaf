package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.consume.ConsumerControl.PauseReason;
import dev.upsertingest.worker.errors.SqlFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The worker's view of whether PostgreSQL is there, as a Resilience4j circuit breaker ({@code database}) around every
 * batch write. Only transient failures count (connection lost or refused, server shutting down or starting, too many
 * connections, serialization races): a batch the database refuses for its data is not an outage.
 *
 * <p>When the breaker opens, the consumers are paused: no fetching, no growing memory, and the failed batch waits in
 * the error handler's backoff (its offsets uncommitted) while every further attempt fails fast without touching the
 * database. After {@code wait-duration-in-open-state} the breaker lets a few attempts through (half-open, consumers
 * resumed); the first that succeeds closes it, consuming goes on where it stopped, and {@link DatabaseReconnected} is
 * published. Readiness is down meanwhile. Which failures are transient is {@link SqlFailure}'s call.
 */
public class DatabaseCircuit {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCircuit.class);

    private final CircuitBreaker breaker;
    private final IngestMetrics metrics;
    private final ConsumerControl consumers;
    private final ApplicationEventPublisher events;
    private volatile long outageStartedNanos;
    private volatile String lastError = "";

    public DatabaseCircuit(CircuitBreaker breaker, IngestMetrics metrics, ConsumerControl consumers,
                           ApplicationEventPublisher events) {
        this.breaker = breaker;
        this.metrics = metrics;
        this.consumers = consumers;
        this.events = events;
        breaker.getEventPublisher().onStateTransition(this::onTransition);
        metrics.registerDatabaseAvailable(this::isClosed);
    }

    /** Runs one batch through the breaker; throws {@code CallNotPermittedException} at once while it is open. */
    public void run(Runnable batch) {
        breaker.acquirePermission();
        long start = System.nanoTime();
        try {
            batch.run();
            breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            if (SqlFailure.classify(e) == SqlFailure.Kind.TRANSIENT) {
                lastError = e.getMessage();
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            } else {
                // The database answered (or Kafka failed): not a database outage.
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
            throw e;
        }
    }

    public boolean isClosed() {
        return breaker.getState() == CircuitBreaker.State.CLOSED;
    }

    public String state() {
        return breaker.getState().name().toLowerCase(java.util.Locale.ROOT);
    }

    private void onTransition(CircuitBreakerOnStateTransitionEvent event) {
        CircuitBreaker.State to = event.getStateTransition().getToState();
        CircuitBreaker.State from = event.getStateTransition().getFromState();
        switch (to) {
            case OPEN, FORCED_OPEN -> {
                consumers.pause(PauseReason.DATABASE_OUTAGE);
                if (from == CircuitBreaker.State.CLOSED) {
                    outageStartedNanos = System.nanoTime();
                    log.warn("PostgreSQL is unavailable ({}): consumers paused, the uncommitted batch waits, and the "
                            + "circuit breaker lets an attempt through every {} ms", lastError,
                            breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
                }
            }
            // Let the consumers poll again: a batch attempt is what tells whether the database is back.
            case HALF_OPEN -> consumers.resume(PauseReason.DATABASE_OUTAGE);
            case CLOSED -> {
                consumers.resume(PauseReason.DATABASE_OUTAGE);
                if (outageStartedNanos != 0) {
                    Duration outage = Duration.ofNanos(System.nanoTime() - outageStartedNanos);
                    outageStartedNanos = 0;
                    metrics.databaseOutage(outage);
                    log.info("PostgreSQL is back after {} s: consuming again", outage.toMillis() / 1000.0);
                    publishQuietly(new DatabaseReconnected(outage));
                }
            }
            default -> {
            }
        }
    }

    private void publishQuietly(DatabaseReconnected reconnected) {
        try {
            events.publishEvent(reconnected);
        } catch (RuntimeException e) {
            log.warn("After reconnecting: {}", e.toString());
        }
    }
}
