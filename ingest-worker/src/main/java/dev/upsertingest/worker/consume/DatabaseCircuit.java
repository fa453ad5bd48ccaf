package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.write.SqlFailure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerOnStateTransitionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The worker's view of whether PostgreSQL is there, as a Resilience4j circuit breaker ({@code database}) around every
 * batch write. Only transient failures count (connection lost or refused, server shutting down or starting, too many
 * connections, serialization races): a batch the database refuses for its data is not an outage.
 *
 * <p>When the breaker opens, the consumers are paused: no fetching, no growing memory, and the failed batch waits in
 * the error handler's backoff (its offsets uncommitted) while every further attempt fails fast without touching the
 * database. After {@code wait-duration-in-open-state} the breaker lets a few attempts through (half-open, consumers
 * resumed); the first that succeeds closes it, and consuming goes on where it stopped. Readiness is down meanwhile.
 */
public class DatabaseCircuit {

    private static final Logger log = LoggerFactory.getLogger(DatabaseCircuit.class);

    private final CircuitBreaker breaker;
    private final IngestMetrics metrics;
    private volatile StreamConsumers consumers;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private volatile long outageStartedNanos;
    private volatile String lastError = "";

    public DatabaseCircuit(CircuitBreaker breaker, IngestMetrics metrics) {
        this.breaker = breaker;
        this.metrics = metrics;
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

    /** The consumers to pause while the breaker is open (they hold this circuit through their listener). */
    void controls(StreamConsumers streamConsumers) {
        this.consumers = streamConsumers;
    }

    public boolean isClosed() {
        return breaker.getState() == CircuitBreaker.State.CLOSED;
    }

    public String state() {
        return breaker.getState().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Called (on the thread that closed the breaker) each time the database is back after an outage. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    private void onTransition(CircuitBreakerOnStateTransitionEvent event) {
        CircuitBreaker.State to = event.getStateTransition().getToState();
        CircuitBreaker.State from = event.getStateTransition().getFromState();
        switch (to) {
            case OPEN, FORCED_OPEN -> {
                pauseConsumers();
                if (from == CircuitBreaker.State.CLOSED) {
                    outageStartedNanos = System.nanoTime();
                    log.warn("PostgreSQL is unavailable ({}): consumers paused, the uncommitted batch waits, and the "
                            + "circuit breaker lets an attempt through every {} ms", lastError,
                            breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
                }
            }
            // Let the consumers poll again: a batch attempt is what tells whether the database is back.
            case HALF_OPEN -> resumeConsumers();
            case CLOSED -> {
                resumeConsumers();
                if (outageStartedNanos != 0) {
                    Duration outage = Duration.ofNanos(System.nanoTime() - outageStartedNanos);
                    outageStartedNanos = 0;
                    metrics.databaseOutage(outage);
                    log.info("PostgreSQL is back after {} s: consuming again", outage.toMillis() / 1000.0);
                    reconnectListeners.forEach(DatabaseCircuit::runQuietly);
                }
            }
            default -> {
            }
        }
    }

    private void pauseConsumers() {
        StreamConsumers current = consumers;
        if (current != null) {
            current.pause();
        }
    }

    private void resumeConsumers() {
        StreamConsumers current = consumers;
        if (current != null) {
            current.resume();
        }
    }

    private static void runQuietly(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            log.warn("After reconnecting: {}", e.toString());
        }
    }
}
