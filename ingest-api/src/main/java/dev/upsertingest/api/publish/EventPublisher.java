package dev.upsertingest.api.publish;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a request's events to Kafka and returns only once the broker acknowledged all of them (idempotent producer,
 * {@code acks=all}), so a 202 never covers an event that could still be lost. A bulkhead caps how many requests wait
 * on the broker at once, and a circuit breaker answers at once while Kafka is known to be down, so a broker outage
 * costs callers a fast 503, not hung request threads; it closes again by itself once sends succeed.
 */
public class EventPublisher {

    private final KafkaTemplate<byte[], byte[]> template;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Duration ackTimeout;

    public EventPublisher(KafkaTemplate<byte[], byte[]> template, CircuitBreaker breaker, Bulkhead bulkhead, Duration ackTimeout) {
        this.template = template;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.ackTimeout = ackTimeout;
    }

    public void publish(List<ProducerRecord<byte[], byte[]>> records) {
        if (!bulkhead.tryAcquirePermission()) {
            throw new PublishException.Unavailable("too many requests are waiting for Kafka", Duration.ofSeconds(1), null);
        }
        try {
            if (!breaker.tryAcquirePermission()) {
                throw new PublishException.Unavailable("Kafka is unavailable (circuit open)", retryAfter(), null);
            }
            long start = System.nanoTime();
            try {
                sendAll(records);
                breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } catch (RuntimeException | TimeoutException | ExecutionException e) {
                breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                throw new PublishException.Unavailable("Kafka did not acknowledge the events: " + cause, retryAfter(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                breaker.releasePermission();
                throw new PublishException.Unavailable("interrupted while waiting for Kafka", retryAfter(), e);
            }
        } finally {
            bulkhead.onComplete();
        }
    }

    private void sendAll(List<ProducerRecord<byte[], byte[]>> records)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<CompletableFuture<?>> sends = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            sends.add(template.send(record));
        }
        template.flush();
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration retryAfter() {
        Duration wait = Duration.ofMillis(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
        return wait.isZero() ? Duration.ofSeconds(1) : wait;
    }
}
