package dev.upsertingest.fuzz;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The Kafka door: hostile records produced straight onto the stream topics, each with the compression its event
 * names (one producer per compression). The producers take records far larger than any rule allows
 * ({@code max.request.size} 16 MB), because what a hostile producer can get onto a topic is for the broker to decide;
 * what the broker acknowledges is recorded in the {@link Ledger}, what it refuses never reached the topic.
 *
 * <p>Records the broker may refuse for their size (any record on the small topic, and every large one) go through
 * producers that send each record in a batch of its own ({@code batch.size=0}): a refused batch of several records is
 * split and sent again, and repeated splits chain the records' futures until the producer's network thread dies of
 * a {@link StackOverflowError} (seen in {@code bench fuzz}), after which nothing is sent and {@code flush} never
 * returns. Small records elsewhere are batched as usual (compressed batches of many records).
 */
public final class KafkaDoor implements AutoCloseable {

    /** Large enough for the largest hostile record (megabytes of key or headers). */
    public static final int MAX_REQUEST_SIZE = 16 * 1024 * 1024;

    /** Records at most this large (value, key and headers) are batched, except on the small topic. */
    static final int BATCHED_UP_TO = 2048;

    private final Ledger ledger;
    private final Map<Compression, KafkaProducer<byte[], byte[]>> batching = new EnumMap<>(Compression.class);
    private final Map<Compression, KafkaProducer<byte[], byte[]>> alone = new EnumMap<>(Compression.class);

    public KafkaDoor(String bootstrapServers, Ledger ledger) {
        this.ledger = ledger;
        for (Compression compression : Compression.values()) {
            batching.put(compression, producer(bootstrapServers, compression, true));
            alone.put(compression, producer(bootstrapServers, compression, false));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, Compression compression, boolean batched) {
        return new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.CLIENT_ID_CONFIG, "fuzz-" + compression.kafkaName() + (batched ? "" : "-alone"),
                    ProducerConfig.BATCH_SIZE_CONFIG, batched ? 16384 : 0,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.kafkaName(),
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    // one batch in flight per partition: a batch the broker refuses (a record without a key on a
                    // compacted topic, one too large) cannot leave later ones out of sequence
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE,
                    ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * MAX_REQUEST_SIZE,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                    new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static long size(HostileEvent event) {
        long size = (event.value() == null ? 0 : event.value().length) + (event.recordKey() == null ? 0 : event.recordKey().length);
        for (HostileEvent.Header header : event.headers()) {
            size += header.name().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    /** Sends the event's record; the outcome lands in the ledger when the broker answers. */
    public void send(HostileEvent event) {
        ledger.tried(Door.KAFKA, event);
        RecordHeaders headers = new RecordHeaders();
        event.headers().forEach(h -> headers.add(h.name(), h.value()));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(event.stream().topic(), null, event.recordKey(),
                event.value(), headers);
        boolean batched = !event.stream().smallTopic() && size(event) <= BATCHED_UP_TO;
        (batched ? batching : alone).get(event.compression()).send(record, (metadata, exception) -> {
            if (exception == null) {
                ledger.acknowledged(event, metadata.partition(), metadata.offset());
            } else {
                ledger.refused(event, exception);
            }
        });
    }

    /** Returns once every record sent so far was acknowledged or refused. */
    public void flush() {
        batching.values().forEach(KafkaProducer::flush);
        alone.values().forEach(KafkaProducer::flush);
    }

    @Override
    public void close() {
        batching.values().forEach(p -> p.close(Duration.ofSeconds(30)));
        alone.values().forEach(p -> p.close(Duration.ofSeconds(30)));
    }
}
