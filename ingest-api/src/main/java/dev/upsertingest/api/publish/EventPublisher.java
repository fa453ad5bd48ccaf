package dev.upsertingest.api.publish;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a request's events to Kafka and returns only once the broker acknowledged all of them (idempotent producer,
 * {@code acks=all}), so a 202 never covers an event that could still be lost. A bulkhead caps how many requests wait
 * on the broker at once, and a circuit breaker answers at once while Kafka is known to be down, so a broker outage
 * costs callers a fast 503, not hung request threads; it closes again by itself once sends succeed.
 *
 * <p>Only unavailability counts toward the breaker (see {@link KafkaFailure}). A record Kafka refuses for its size is
 * that event's rejection, returned to the caller with the topic's limit; any other refusal fails the request without
 * touching the breaker, because one client's records must never shut every client out.
 */
public class EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final KafkaTemplate<byte[], byte[]> template;
    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final Duration ackTimeout;
    private final TopicLimits topicLimits;
    private final PublishTracing tracing;

    public EventPublisher(KafkaTemplate<byte[], byte[]> template, CircuitBreaker breaker, Bulkhead bulkhead, Duration ackTimeout,
                          TopicLimits topicLimits, PublishTracing tracing) {
        this.template = template;
        this.breaker = breaker;
        this.bulkhead = bulkhead;
        this.ackTimeout = ackTimeout;
        this.topicLimits = topicLimits;
        this.tracing = tracing;
    }

    /**
     * A record Kafka refused for its size although the broker is up.
     *
     * @param position the record's place in the list given to {@link #publish}
     * @param detail   what the topic takes, for the event's rejection
     */
    public record TooLarge(int position, String detail) {
    }

    /**
     * Publishes {@code records} and waits for the broker's acknowledgements.
     *
     * @return the records Kafka refused for their size (every other record was acknowledged)
     * @throws PublishException.Unavailable when Kafka is down, slow or the breaker is open (503, retry)
     * @throws PublishException.Refused     when Kafka refuses the API's writes for another reason (retrying will not help)
     */
    public List<TooLarge> publish(List<ProducerRecord<byte[], byte[]>> records) {
        if (!bulkhead.tryAcquirePermission()) {
            throw new PublishException.Unavailable("too many requests are waiting for Kafka", Duration.ofSeconds(1), null);
        }
        try {
            if (!breaker.tryAcquirePermission()) {
                throw new PublishException.Unavailable("Kafka is unavailable (circuit open)", retryAfter(), null);
            }
            long start = System.nanoTime();
            KafkaFailure[] failures;
            try (PublishTracing.Publish traced = tracing.start(records)) {
                failures = sendAll(records);
                KafkaFailure failed = first(failures, KafkaFailure.Kind.UNAVAILABLE);
                if (failed != null || (failed = first(failures, KafkaFailure.Kind.REFUSED)) != null) {
                    traced.failed(failed.reason());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                breaker.releasePermission();
                throw new PublishException.Unavailable("interrupted while waiting for Kafka", retryAfter(), e);
            }
            long elapsed = System.nanoTime() - start;
            KafkaFailure unavailable = first(failures, KafkaFailure.Kind.UNAVAILABLE);
            if (unavailable != null) {
                breaker.onError(elapsed, TimeUnit.NANOSECONDS, unavailable.cause());
                throw new PublishException.Unavailable("Kafka did not take the events: " + unavailable.reason(), retryAfter(),
                        unavailable.cause());
            }
            boolean anyAcknowledged = false;
            for (KafkaFailure failure : failures) {
                anyAcknowledged |= failure == null;
            }
            if (anyAcknowledged) {
                breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
            } else {
                breaker.releasePermission(); // the broker answered, or was never asked: this call says nothing either way
            }
            KafkaFailure refused = first(failures, KafkaFailure.Kind.REFUSED);
            if (refused != null) {
                throw new PublishException.Refused(refused.reason(), refused.cause());
            }
            List<TooLarge> tooLarge = new ArrayList<>();
            for (int k = 0; k < failures.length; k++) {
                if (failures[k] != null) {
                    tooLarge.add(new TooLarge(k, tooLargeDetail(records.get(k), failures[k])));
                }
            }
            return tooLarge;
        } finally {
            bulkhead.onComplete();
        }
    }

    /** Per record, why Kafka did not take it, or {@code null} where it acknowledged it. */
    private KafkaFailure[] sendAll(List<ProducerRecord<byte[], byte[]>> records) throws InterruptedException {
        List<CompletableFuture<?>> sends = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            try {
                sends.add(template.send(record));
            } catch (RuntimeException e) {
                sends.add(CompletableFuture.failedFuture(e));
            }
        }
        template.flush();
        KafkaFailure[] failures = new KafkaFailure[records.size()];
        long deadline = System.nanoTime() + ackTimeout.toNanos();
        for (int k = 0; k < sends.size(); k++) {
            try {
                sends.get(k).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                failures[k] = KafkaFailure.of(e.getCause());
            } catch (TimeoutException e) {
                failures[k] = KafkaFailure.of(e); // unavailable: no need to wait for the rest
                break;
            }
        }
        return failures;
    }

    private static KafkaFailure first(KafkaFailure[] failures, KafkaFailure.Kind kind) {
        for (KafkaFailure failure : failures) {
            if (failure != null && failure.kind() == kind) {
                return failure;
            }
        }
        return null;
    }

    private String tooLargeDetail(ProducerRecord<byte[], byte[]> record, KafkaFailure failure) {
        long bytes = record.value().length + (record.key() == null ? 0 : record.key().length);
        String message = String.valueOf(failure.cause().getMessage());
        if (message.contains("max.request.size") || message.contains("buffer.memory")) {
            return "the event and its key (" + bytes + " bytes) make a Kafka record larger than this API's producer sends";
        }
        log.info("Kafka refused a record of {} bytes for topic {} as too large", bytes, record.topic());
        OptionalLong limit = topicLimits.maxMessageBytes(record.topic());
        return "Kafka refused the event as too large for topic " + record.topic() + " (" + bytes + " bytes with its key, "
                + "before compression; the topic takes " + (limit.isPresent() ? "record batches of at most "
                + limit.getAsLong() + " bytes" : "less") + ", its max.message.bytes)";
    }

    private Duration retryAfter() {
        Duration wait = Duration.ofMillis(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1));
        return wait.isZero() ? Duration.ofSeconds(1) : wait;
    }
}
