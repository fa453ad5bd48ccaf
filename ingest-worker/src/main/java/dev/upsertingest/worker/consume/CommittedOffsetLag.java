package dev.upsertingest.worker.consume;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The consumer group's lag as the worker measures it: per stream, over its topic's partitions, the end offset minus
 * the group's committed offset (the beginning of the partition where the group has committed nothing yet). Offsets
 * are committed only once a batch is written, so this is what is really not yet in the table. Kafka's own
 * {@code records-lag} counts from the consumer's fetch position instead, and reads 0 while a batch that was fetched
 * keeps failing.
 *
 * <p>Measured every {@code ingest.consumer.lag-interval} with one admin client; NaN while it cannot be measured. A
 * partition whose last records came from a transactional producer ends in a commit marker the group never commits
 * past, so it reads 1 until newer records arrive.
 */
public class CommittedOffsetLag implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CommittedOffsetLag.class);

    private final StreamCatalog catalog;
    private final String groupId;
    private final Map<String, Object> adminConfig;
    private final Duration interval;
    private final Duration timeout;
    private final Map<String, Double> lag = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService executor;
    private Admin admin;
    private boolean failing;

    public CommittedOffsetLag(StreamCatalog catalog, String groupId, Map<String, Object> adminConfig, Duration interval,
                              Duration timeout, IngestMetrics metrics) {
        this.catalog = catalog;
        this.groupId = groupId;
        this.adminConfig = Map.copyOf(adminConfig);
        this.interval = interval;
        this.timeout = timeout;
        for (StreamDefinition stream : catalog.streams()) {
            lag.put(stream.name(), Double.NaN);
            metrics.registerConsumerLag(stream.name(), () -> lag.getOrDefault(stream.name(), Double.NaN));
        }
    }

    /**
     * Lag per stream from the offsets the admin client read.
     *
     * @param partitions partitions of each stream's topic
     * @param ends       end offset of each partition
     * @param committed  the group's committed offset, for partitions it has committed on
     * @param beginnings first offset still in the partition, for partitions without a committed offset
     */
    static Map<String, Long> lag(Map<String, List<TopicPartition>> partitions, Map<TopicPartition, Long> ends,
                                 Map<TopicPartition, Long> committed, Map<TopicPartition, Long> beginnings) {
        Map<String, Long> lag = new HashMap<>();
        partitions.forEach((stream, list) -> {
            long behind = 0;
            for (TopicPartition partition : list) {
                long end = ends.getOrDefault(partition, 0L);
                long from = committed.containsKey(partition) ? committed.get(partition) : beginnings.getOrDefault(partition, end);
                behind += Math.max(0, end - from);
            }
            lag.put(stream, behind);
        });
        return lag;
    }

    void measure() {
        try {
            measureOnce().forEach((stream, behind) -> lag.put(stream, behind.doubleValue()));
            if (failing) {
                failing = false;
                log.info("Measuring the committed lag of group {} again", groupId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            lag.replaceAll((stream, value) -> Double.NaN);
            if (!failing) {
                failing = true;
                log.warn("Cannot measure the committed lag of group {} (ingest.consumer.lag reads NaN meanwhile): {}",
                        groupId, e instanceof ExecutionException ? e.getCause() : e);
            }
        }
    }

    private Map<String, Long> measureOnce() throws InterruptedException, ExecutionException, TimeoutException {
        Admin client = admin();
        Map<String, List<TopicPartition>> partitions = new HashMap<>();
        Map<String, KafkaFuture<TopicDescription>> topics = client.describeTopics(catalog.topics()).topicNameValues();
        for (StreamDefinition stream : catalog.streams()) {
            List<TopicPartition> list = new ArrayList<>();
            try {
                topics.get(stream.topic()).get(timeout.toMillis(), TimeUnit.MILLISECONDS).partitions()
                        .forEach(p -> list.add(new TopicPartition(stream.topic(), p.partition())));
            } catch (ExecutionException missing) {
                continue; // no topic (yet): no lag to report for this stream
            }
            partitions.put(stream.name(), list);
        }
        Map<TopicPartition, Long> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = client.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                committed.put(partition, offset.offset());
            }
        });
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.values().forEach(list -> list.forEach(p -> {
            latest.put(p, OffsetSpec.latest());
            if (!committed.containsKey(p)) {
                earliest.put(p, OffsetSpec.earliest());
            }
        }));
        return lag(partitions, offsets(client, latest), committed, offsets(client, earliest));
    }

    private Map<TopicPartition, Long> offsets(Admin client, Map<TopicPartition, OffsetSpec> specs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (!specs.isEmpty()) {
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result = client.listOffsets(specs).all()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            result.forEach((partition, info) -> offsets.put(partition, info.offset()));
        }
        return offsets;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    @Override
    public synchronized void start() {
        if (executor != null || catalog.isEmpty()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "committed-lag");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::measure, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
