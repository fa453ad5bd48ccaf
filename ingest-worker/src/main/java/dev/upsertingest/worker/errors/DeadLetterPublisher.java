package dev.upsertingest.worker.errors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends rejected events to their stream's dead-letter topic ({@code <topic>.dlt}) with the reason and origin in
 * {@link DeadLetterHeaders}. Sending is asynchronous so it overlaps the database write; the caller awaits it before
 * the batch's offsets are committed, so a rejected event is never dropped on the floor.
 */
public class DeadLetterPublisher {

    private final KafkaTemplate<byte[], byte[]> template;
    private final Duration sendTimeout;
    private final Clock clock;

    public DeadLetterPublisher(KafkaTemplate<byte[], byte[]> template, Duration sendTimeout, Clock clock) {
        this.template = template;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    /** Starts sending; the future completes when the broker has acknowledged every letter. */
    public CompletableFuture<Void> publish(List<DeadLetter> letters) {
        if (letters.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        String failedAt = clock.instant().toString();
        CompletableFuture<?>[] sends = new CompletableFuture<?>[letters.size()];
        for (int i = 0; i < letters.size(); i++) {
            sends[i] = template.send(toProducerRecord(letters.get(i), failedAt));
        }
        return CompletableFuture.allOf(sends);
    }

    /** Waits for {@link #publish}; throws if any letter was not acknowledged in time. */
    public void await(CompletableFuture<Void> published) {
        try {
            published.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while sending dead letters", e);
        } catch (ExecutionException e) {
            throw new DeadLetterException("a dead letter could not be sent: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeadLetterException("dead letters not acknowledged within " + sendTimeout, e);
        }
    }

    private static ProducerRecord<byte[], byte[]> toProducerRecord(DeadLetter letter, String failedAt) {
        ConsumerRecord<byte[], byte[]> source = letter.record();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : source.headers()) {
            headers.add(header);
        }
        add(headers, DeadLetterHeaders.REASON, letter.reason().code());
        add(headers, DeadLetterHeaders.DETAIL, letter.detail());
        add(headers, DeadLetterHeaders.STREAM, letter.stream().name());
        add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, source.topic());
        add(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(source.partition()));
        add(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(source.offset()));
        add(headers, DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(source.timestamp()));
        add(headers, DeadLetterHeaders.FAILED_AT, failedAt);
        return new ProducerRecord<>(letter.stream().deadLetterTopic(), null, source.key(), source.value(), headers);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.remove(name); // a record dead-lettered twice (e.g. replayed from the DLT) keeps only the latest reason
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
