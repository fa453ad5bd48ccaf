package dev.upsertingest.worker.errors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends rejected events to their stream's dead-letter topic ({@code <topic>.dlt}) with the reason and origin in
 * {@link DeadLetterHeaders}. Sending is asynchronous so it overlaps the database write; the caller awaits it before
 * the batch's offsets are committed, so a rejected event is never dropped on the floor.
 *
 * <p>A letter the producer or the broker refuses as too large ({@link RecordTooLargeException}) is sent again
 * without its value, flagged with {@link DeadLetterHeaders#VALUE_DROPPED}: its key, headers, reason and original
 * coordinates still reach the dead-letter topic, and the partition moves on. One that does not fit even so (a record
 * key or headers of megabytes that arrived compressed) is sent a last time without its key and its own headers too
 * ({@link DeadLetterHeaders#KEY_DROPPED}, {@link DeadLetterHeaders#HEADERS_DROPPED}): a hostile producer must not
 * be able to stop a partition for good. Any other failure fails the batch, which is then retried (and reported by
 * the worker's readiness).
 */
public class DeadLetterPublisher {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterPublisher.class);
    private static final byte[] NO_VALUE = new byte[0];

    private final KafkaTemplate<byte[], byte[]> template;
    private final Duration sendTimeout;
    private final Clock clock;

    public DeadLetterPublisher(KafkaTemplate<byte[], byte[]> template, Duration sendTimeout, Clock clock) {
        this.template = template;
        this.sendTimeout = sendTimeout;
        this.clock = clock;
    }

    /** Letters on their way to the broker; pass to {@link #await}. */
    public static final class Sending {
        private final List<DeadLetter> letters;
        private final String failedAt;
        private final List<CompletableFuture<?>> sends;

        private Sending(List<DeadLetter> letters, String failedAt, List<CompletableFuture<?>> sends) {
            this.letters = letters;
            this.failedAt = failedAt;
            this.sends = sends;
        }
    }

    /** Starts sending; {@link #await} tells when the broker has acknowledged every letter. */
    public Sending publish(List<DeadLetter> letters) {
        String failedAt = clock.instant().toString();
        List<CompletableFuture<?>> sends = new ArrayList<>(letters.size());
        for (DeadLetter letter : letters) {
            sends.add(send(toProducerRecord(letter, failedAt, Form.WHOLE)));
        }
        return new Sending(List.copyOf(letters), failedAt, sends);
    }

    /**
     * Waits for {@link #publish}, sending letters that were too large again without their value.
     *
     * @return the letters that went without their value (empty when every letter was sent whole)
     * @throws DeadLetterException if a letter was not acknowledged in time, failed for another reason, or did not fit
     *                             even without its value
     */
    public List<DeadLetter> await(Sending sending) {
        List<Integer> tooLarge = new ArrayList<>();
        List<Throwable> tooLargeCauses = new ArrayList<>();
        long deadline = System.nanoTime() + sendTimeout.toNanos();
        for (int i = 0; i < sending.sends.size(); i++) {
            Throwable failure = failure(sending.sends.get(i), deadline);
            if (failure == null) {
                continue;
            }
            if (!isTooLarge(failure)) {
                throw new DeadLetterException("the dead letter of " + coordinates(sending.letters.get(i).record())
                        + " could not be sent: " + rootCause(failure), failure);
            }
            tooLarge.add(i);
            tooLargeCauses.add(rootCause(failure));
        }
        if (tooLarge.isEmpty()) {
            return List.of();
        }
        List<DeadLetter> dropped = new ArrayList<>(tooLarge.size());
        List<CompletableFuture<?>> resends = new ArrayList<>(tooLarge.size());
        for (int index : tooLarge) {
            DeadLetter letter = sending.letters.get(index);
            dropped.add(letter);
            resends.add(send(toProducerRecord(letter, sending.failedAt, Form.WITHOUT_VALUE)));
        }
        long resendDeadline = System.nanoTime() + sendTimeout.toNanos();
        for (int i = 0; i < resends.size(); i++) {
            Throwable failure = failure(resends.get(i), resendDeadline);
            ConsumerRecord<byte[], byte[]> source = dropped.get(i).record();
            boolean bare = failure != null && isTooLarge(failure);
            if (bare) {
                // the key or the headers are what is too large: the reason and the coordinates still go
                failure = failure(send(toProducerRecord(dropped.get(i), sending.failedAt, Form.BARE)),
                        System.nanoTime() + sendTimeout.toNanos());
                if (failure == null) {
                    log.warn("Dead letter of {} ({}) sent without its value of {} bytes, its key of {} bytes and its {} "
                                    + "headers, which did not fit: {}", coordinates(source), dropped.get(i).reason().code(),
                            valueSize(source), source.key() == null ? 0 : source.key().length, source.headers().toArray().length,
                            tooLargeCauses.get(i).toString());
                    continue;
                }
            }
            if (failure != null) {
                throw new DeadLetterException("the dead letter of " + coordinates(source) + " could not be sent, "
                        + "whole (" + tooLargeCauses.get(i) + ") nor without its value" + (bare ? ", key and headers" : "") + ": "
                        + rootCause(failure), failure);
            }
            log.warn("Dead letter of {} ({}) sent without its value of {} bytes, which did not fit: {}",
                    coordinates(source), dropped.get(i).reason().code(), valueSize(source), tooLargeCauses.get(i).toString());
        }
        return dropped;
    }

    /** What of the original record a letter carries. */
    private enum Form {
        WHOLE, WITHOUT_VALUE, BARE
    }

    private CompletableFuture<?> send(ProducerRecord<byte[], byte[]> record) {
        try {
            return template.send(record);
        } catch (RuntimeException e) { // e.g. a producer that cannot be created: the batch fails and is retried
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The send's failure, {@code null} if it was acknowledged. */
    private Throwable failure(CompletableFuture<?> send, long deadlineNanos) {
        try {
            send.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadLetterException("interrupted while sending dead letters", e);
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
            throw new DeadLetterException("dead letters not acknowledged within " + sendTimeout, e);
        }
    }

    /** Too large for the producer's {@code max.request.size} or {@code buffer.memory}, or for the topic. */
    static boolean isTooLarge(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String coordinates(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private static int valueSize(ConsumerRecord<byte[], byte[]> record) {
        return record.value() == null ? 0 : record.value().length;
    }

    private static ProducerRecord<byte[], byte[]> toProducerRecord(DeadLetter letter, String failedAt, Form form) {
        ConsumerRecord<byte[], byte[]> source = letter.record();
        RecordHeaders headers = new RecordHeaders();
        if (form != Form.BARE) {
            for (Header header : source.headers()) {
                // what was dropped is the worker's to say: a producer's own flags would describe a letter it never saw
                if (!DeadLetterHeaders.DROPPED_FLAGS.contains(header.key())) {
                    headers.add(header);
                }
            }
        }
        add(headers, DeadLetterHeaders.REASON, letter.reason().code());
        add(headers, DeadLetterHeaders.DETAIL, letter.detail());
        add(headers, DeadLetterHeaders.STREAM, letter.stream().name());
        add(headers, DeadLetterHeaders.ORIGINAL_TOPIC, source.topic());
        add(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(source.partition()));
        add(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(source.offset()));
        add(headers, DeadLetterHeaders.ORIGINAL_TIMESTAMP, Long.toString(source.timestamp()));
        add(headers, DeadLetterHeaders.FAILED_AT, failedAt);
        byte[] value = source.value();
        if (form != Form.WHOLE) {
            add(headers, DeadLetterHeaders.VALUE_DROPPED, "true");
            add(headers, DeadLetterHeaders.ORIGINAL_VALUE_SIZE, Integer.toString(valueSize(source)));
            value = value == null ? null : NO_VALUE;
        }
        if (form == Form.BARE) {
            add(headers, DeadLetterHeaders.KEY_DROPPED, "true");
            add(headers, DeadLetterHeaders.HEADERS_DROPPED, "true");
        }
        return new ProducerRecord<>(letter.stream().deadLetterTopic(), null, form == Form.BARE ? null : source.key(), value,
                headers);
    }

    private static void add(RecordHeaders headers, String name, String value) {
        headers.remove(name); // a record dead-lettered twice (e.g. replayed from the DLT) keeps only the latest reason
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
