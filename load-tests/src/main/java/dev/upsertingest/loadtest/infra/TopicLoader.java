package dev.upsertingest.loadtest.infra;

import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.workload.Workload;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Produces a workload's events to a stream topic, keyed by the order id (what a compacted topic needs): all at once
 * as a backlog, or on a fixed schedule. Uncompressed, so the broker and the worker handle every byte.
 */
public final class TopicLoader implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public TopicLoader(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    /** How an event becomes a record: the worker's plain form (order id, document) or another sink's. */
    public interface RecordFormat {
        /** The worker's form: the order id as the record key, the document as the value. */
        RecordFormat PLAIN = new RecordFormat() {
            @Override
            public byte[] key(Workload.Event event) {
                return event.key().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] value(Workload.Event event) {
                return event.document();
            }
        };

        byte[] key(Workload.Event event);

        byte[] value(Workload.Event event);
    }

    /** Produces every event of {@code workload} as fast as the broker takes them; returns the seconds it took. */
    public double backlog(String topic, Workload workload, Progress progress) {
        return backlog(topic, workload, progress, RecordFormat.PLAIN);
    }

    /** As {@link #backlog(String, Workload, Progress)}, each event as {@code format} makes it. */
    public double backlog(String topic, Workload workload, Progress progress, RecordFormat format) {
        progress.say("producing a backlog of %s to topic %s", workload.describe(), topic);
        Workload.Generator events = workload.generator();
        long start = System.nanoTime();
        long reportEvery = Math.max(1, workload.events() / 5);
        for (long i = 0; i < workload.events(); i++) {
            Workload.Event event = events.next();
            send(topic, format.key(event), format.value(event));
            if ((i + 1) % reportEvery == 0 && i + 1 < workload.events()) {
                progress.say("  %,d events produced", i + 1);
            }
        }
        flush();
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.say("  %,d events produced in %.1f s (%,.0f/s)", workload.events(), seconds, workload.events() / seconds);
        return seconds;
    }

    /**
     * Produces on a fixed schedule, {@code eventsPerSecond}, until {@code stop} says so. Each event is stamped with
     * its intended time on the schedule (not when it was actually sent), so a producer that falls behind shows up as
     * latency instead of silently sending less: the correction for coordinated omission that an open loop needs.
     * {@code sent} sees each event with its stamp (epoch microseconds). Returns the number of events produced.
     */
    public long atRate(String topic, Workload.Generator events, double eventsPerSecond, BooleanSupplier stop, Sent sent) {
        long intervalNanos = (long) (1e9 / eventsPerSecond);
        long startNanos = System.nanoTime();
        long startMicros = System.currentTimeMillis() * 1000;
        long produced = 0;
        while (!stop.getAsBoolean()) {
            long intended = startNanos + produced * intervalNanos;
            long ahead = intended - System.nanoTime();
            if (ahead > 1_000_000) {
                sleep(ahead);
                continue;
            }
            long stamp = startMicros + (intended - startNanos) / 1000;
            Workload.Event event = events.next(stamp);
            send(topic, RecordFormat.PLAIN.key(event), event.document());
            sent.accept(event, stamp);
            produced++;
        }
        flush();
        return produced;
    }

    /** Called for every event produced at a rate, with its intended production time in epoch microseconds. */
    @FunctionalInterface
    public interface Sent {
        void accept(Workload.Event event, long stampMicros);
    }

    private void send(String topic, byte[] key, byte[] value) {
        Exception failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("producing to " + topic + " failed: " + failed.getMessage(), failed);
        }
        producer.send(new ProducerRecord<>(topic, key, value),
                (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    }
                });
    }

    private void flush() {
        producer.flush();
        Exception failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("producing failed: " + failed.getMessage(), failed);
        }
    }

    private static void sleep(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
