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
 */
public final class KafkaDoor implements AutoCloseable {

    /** Large enough for the largest hostile record (megabytes of key or headers). */
    public static final int MAX_REQUEST_SIZE = 16 * 1024 * 1024;

    private final Ledger ledger;
    private final Map<Compression, KafkaProducer<byte[], byte[]>> producers = new EnumMap<>(Compression.class);

    public KafkaDoor(String bootstrapServers, Ledger ledger) {
        this.ledger = ledger;
        for (Compression compression : Compression.values()) {
            producers.put(compression, new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.CLIENT_ID_CONFIG, "fuzz-" + compression.kafkaName(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.kafkaName(),
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    // one batch in flight per partition: a batch the broker refuses (a record without a key on a
                    // compacted topic, one too large) cannot leave later ones out of sequence
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE,
                    ProducerConfig.BUFFER_MEMORY_CONFIG, 4L * MAX_REQUEST_SIZE,
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                    new ByteArraySerializer(), new ByteArraySerializer()));
        }
    }

    /** Sends the event's record; the outcome lands in the ledger when the broker answers. */
    public void send(HostileEvent event) {
        ledger.tried(Door.KAFKA, event);
        RecordHeaders headers = new RecordHeaders();
        event.headers().forEach(h -> headers.add(h.name(), h.value()));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(event.stream().topic(), null, event.recordKey(),
                event.value(), headers);
        producers.get(event.compression()).send(record, (metadata, exception) -> {
            if (exception == null) {
                ledger.acknowledged(event, metadata.partition(), metadata.offset());
            } else {
                ledger.refused(event, exception);
            }
        });
    }

    /** Returns once every record sent so far was acknowledged or refused. */
    public void flush() {
        producers.values().forEach(KafkaProducer::flush);
    }

    @Override
    public void close() {
        producers.values().forEach(p -> p.close(Duration.ofSeconds(30)));
    }
}
