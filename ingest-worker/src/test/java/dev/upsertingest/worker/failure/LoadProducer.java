package dev.upsertingest.worker.failure;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces events {@code {"id": k, "seq": n}} over a fixed key space at a steady rate on its own thread, and keeps, per
 * key, the highest sequence the broker acknowledged: with an idempotent producer, acknowledgements per partition come
 * in send order, so that is each key's last event, and what the table must end up holding.
 */
final class LoadProducer implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final String topic;
    private final int keys;
    private final int perSecond;
    private final Map<String, Long> lastAcked = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private final Thread thread;

    LoadProducer(String bootstrapServers, String topic, int keys, int perSecond) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        this.topic = topic;
        this.keys = keys;
        this.perSecond = perSecond;
        this.thread = new Thread(this::run, "load-producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Random random = new Random(42);
        long start = System.nanoTime();
        long sent = 0;
        while (running) {
            long seq = sequence.incrementAndGet();
            // Every key early (so all rows exist soon), then random keys.
            String key = Long.toString(seq <= keys ? seq - 1 : random.nextInt(keys));
            producer.send(new ProducerRecord<>(topic, key, "{\"id\": \"" + key + "\", \"seq\": " + seq + "}"),
                    (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            lastAcked.merge(key, seq, Math::max);
                        }
                    });
            sent++;
            long due = start + sent * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    long sent() {
        return sequence.get();
    }

    /** Stops producing and waits for every acknowledgement; returns each key's last acknowledged sequence. */
    Map<String, Long> stop() throws InterruptedException {
        running = false;
        thread.join();
        producer.flush();
        if (failure.get() != null) {
            throw new AssertionError("the broker refused an event", failure.get());
        }
        return Map.copyOf(lastAcked);
    }

    @Override
    public void close() {
        running = false;
        producer.close();
    }
}
