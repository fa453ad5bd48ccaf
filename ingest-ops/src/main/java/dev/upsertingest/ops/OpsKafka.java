package dev.upsertingest.ops;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker as the operations see it: topic offsets, the worker group's committed offsets, a consumer that reads a
 * dead-letter topic without joining any group, and a producer for replays (acks=all, idempotent).
 *
 * @see #OpsKafka(Map, String, Duration)
 */
public final class OpsKafka implements AutoCloseable {

    private final Map<String, Object> clientConfig;
    private final String groupId;
    private final Duration timeout;
    private Admin admin;
    private KafkaProducer<byte[], byte[]> producer;

    /**
     * @param clientConfig what every client needs ({@code bootstrap.servers}, security settings)
     * @param groupId      the worker's consumer group ({@code ingest.consumer.group-id})
     * @param timeout      how long one broker call may take
     */
    public OpsKafka(Map<String, Object> clientConfig, String groupId, Duration timeout) {
        this.clientConfig = Map.copyOf(clientConfig);
        this.groupId = groupId;
        this.timeout = timeout;
    }

    public String groupId() {
        return groupId;
    }

    synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
            admin = Admin.create(config);
        }
        return admin;
    }

    /** The topic's partitions, or empty when the topic does not exist. */
    Optional<List<TopicPartition>> partitions(String topic) {
        try {
            TopicDescription description = await(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
            return Optional.of(description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList());
        } catch (OperationException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = await(admin().listOffsets(request).all());
        Map<TopicPartition, Long> offsets = new HashMap<>();
        result.forEach((p, info) -> offsets.put(p, info.offset()));
        return offsets;
    }

    /** The worker group's committed offsets (empty when the group has none). */
    Map<TopicPartition, Long> committed() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    await(admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
            Map<TopicPartition, Long> committed = new HashMap<>();
            offsets.forEach((p, o) -> {
                if (o != null) {
                    committed.put(p, o.offset());
                }
            });
            return committed;
        } catch (OperationException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw e;
        }
    }

    KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "upsert-ingest-ops");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "upsert-ingest-replay");
            // A letter is at most as large as the record it was (plus headers); the topic's own limit still applies.
            config.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024);
            config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 30_000) + 1000);
            config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(timeout.toMillis(), 30_000));
            producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    Duration timeout() {
        return timeout;
    }

    <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationException(OperationException.Kind.UNAVAILABLE, "interrupted", e);
        } catch (ExecutionException e) {
            throw new OperationException(OperationException.Kind.UNAVAILABLE,
                    "the Kafka call failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new OperationException(OperationException.Kind.UNAVAILABLE,
                    "the Kafka broker did not answer within " + timeout + " (" + clientConfig.get("bootstrap.servers") + ")", e);
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
