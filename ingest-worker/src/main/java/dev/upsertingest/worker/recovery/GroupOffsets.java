package dev.upsertingest.worker.recovery;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every Kafka admin call a rebuild makes: the topic's first and last offsets, the consumer group's members and committed
 * offsets, moving those offsets back, and the topics' retention. Each call waits at most
 * {@code ingest.recovery.admin-timeout} and fails as an {@link IllegalStateException}. One admin client, opened on first
 * use and closed with {@link #close()}.
 */
class GroupOffsets implements AutoCloseable {

    /** A partition's first offset still in the log, and the offset the next record will get. */
    record Range(long start, long end) {
        long length() {
            return end - start;
        }
    }

    private final Map<String, Object> adminConfig;
    private final String groupId;
    private final Duration timeout;
    private Admin admin;

    GroupOffsets(Map<String, Object> adminConfig, String groupId, Duration timeout) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.groupId = groupId;
        this.timeout = timeout;
    }

    String groupId() {
        return groupId;
    }

    Map<TopicPartition, Range> ranges(String topic) {
        TopicDescription description = await(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = await(admin().listOffsets(earliest).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = await(admin().listOffsets(latest).all());
        Map<TopicPartition, Range> ranges = new HashMap<>();
        first.forEach((tp, info) -> ranges.put(tp, new Range(info.offset(), end.get(tp).offset())));
        return ranges;
    }

    /** Members of the group now (0 when the group does not exist yet). */
    int members() {
        try {
            ConsumerGroupDescription group = await(admin().describeConsumerGroups(List.of(groupId)).all()).get(groupId);
            return group == null ? 0 : group.members().size();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    Map<TopicPartition, OffsetAndMetadata> committed() {
        return await(admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
    }

    /** Moves the group's committed offsets; Kafka refuses unless the group has no member. */
    void moveTo(Map<TopicPartition, OffsetAndMetadata> offsets) {
        await(admin().alterConsumerGroupOffsets(groupId, offsets).all());
    }

    /** How long a topic keeps its records: {@code cleanup.policy}, {@code retention.ms}, {@code retention.bytes}. */
    record Retention(String cleanupPolicy, long retentionMs, long retentionBytes) {
    }

    Map<String, Retention> retention(List<String> topics) {
        List<ConfigResource> resources = topics.stream()
                .map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        Map<String, Retention> retention = new HashMap<>();
        await(admin().describeConfigs(resources).all()).forEach((resource, config) -> retention.put(resource.name(),
                new Retention(value(config, TopicConfig.CLEANUP_POLICY_CONFIG, "delete"),
                        Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, "-1")),
                        Long.parseLong(value(config, TopicConfig.RETENTION_BYTES_CONFIG, "-1")))));
        return retention;
    }

    private static String value(Config config, String name, String fallback) {
        var entry = config.get(name);
        return entry == null || entry.value() == null ? fallback : entry.value();
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    private <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka admin call timed out after " + timeout, e);
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
