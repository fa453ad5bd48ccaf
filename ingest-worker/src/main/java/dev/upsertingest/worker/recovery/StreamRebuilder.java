package dev.upsertingest.worker.recovery;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.consume.DatabaseCircuit;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.consume.TopicProvisioner;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds unlogged stream tables that PostgreSQL crash recovery emptied, and refills them from their topics.
 *
 * <p>Each unlogged stream has a marker row in an unlogged table ({@code ingest.stream_table_marker}); crash recovery
 * empties it together with the stream tables, so a missing marker means the table lost what the committed offsets say
 * it holds. The check runs at start (before the consumers), every {@code ingest.recovery.check-interval}, and when the
 * database is back after an outage. A rebuild then goes:
 * <ol>
 *   <li><b>rewinding</b>: every worker replica stops its consumers (they leave the group), and once the group is
 *       empty one of them moves the group's committed offsets for the stream's partitions to the beginning, noting how
 *       far each partition must be replayed (its end offset now);</li>
 *   <li><b>replaying</b>: the consumers run again from the beginning, writing with the usual upserts (a replayed event
 *       is idempotent, so events written between the crash and the rewind do no harm);</li>
 *   <li><b>done</b>: when the committed offsets (committed only after each batch's transaction) passed every target,
 *       the marker says complete again, and the views over the stream are refreshed again.</li>
 * </ol>
 * Views are not refreshed while the marker is missing or names a running rebuild, so analysts keep the last complete
 * view throughout. All state lives in the control schema, so any replica can carry a rebuild on after another stopped.
 */
public class StreamRebuilder implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamRebuilder.class);
    private static final Duration WAIT_LOG_EVERY = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final StreamCatalog catalog;
    private final StreamConsumers consumers;
    private final TopicProvisioner topics;
    private final Map<String, Object> adminConfig;
    private final RecoverySettings settings;
    private final IngestMetrics metrics;
    private final String instanceId;
    private final AtomicInteger rebuilding = new AtomicInteger();
    private volatile ScheduledExecutorService executor;
    private volatile Admin admin;
    private Instant lastWaitLog = Instant.EPOCH;
    private String lastFailure;

    public StreamRebuilder(DataSource dataSource, StreamCatalog catalog, StreamConsumers consumers,
                           TopicProvisioner topics, Map<String, Object> adminConfig, RecoverySettings settings, IngestMetrics metrics,
                           DatabaseCircuit database, String instanceId) {
        this.dataSource = dataSource;
        this.catalog = catalog;
        this.consumers = consumers;
        this.topics = topics;
        this.adminConfig = Map.copyOf(adminConfig);
        this.settings = settings;
        this.metrics = metrics;
        this.instanceId = instanceId;
        metrics.registerStreamsRebuilding(rebuilding::get);
        database.onReconnect(this::checkSoon);
    }

    private List<StreamDefinition> unloggedStreams() {
        return catalog.streams().stream().filter(s -> s.durability() == Durability.UNLOGGED).toList();
    }

    /**
     * Called by the consumers as they start, before any of them runs: provisions the topics, warns about retention
     * that cannot rebuild a table, and runs the first check, so a table lost while the worker was down is found (and
     * the group rewound) before anything is written to it.
     */
    public synchronized void beforeConsuming() {
        if (unloggedStreams().isEmpty()) {
            return;
        }
        admin();
        topics.ensureTopics(catalog.streams());
        warnWhereTopicsCannotRebuild();
        check();
    }

    @Override
    public synchronized void start() {
        if (executor != null || unloggedStreams().isEmpty()) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stream-rebuilder");
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.checkInterval().toMillis();
        executor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig);
        }
        return admin;
    }

    /** Runs a check on the rebuilder's thread now (after a reconnect), rather than at the next interval. */
    public void checkSoon() {
        ScheduledExecutorService current = executor;
        if (current != null) {
            current.execute(this::check);
        }
    }

    /** One look at every unlogged stream and every running rebuild; never throws (it runs on a schedule). */
    synchronized void check() {
        try (Connection connection = dataSource.getConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            for (StreamDefinition stream : unloggedStreams()) {
                detect(dsl, stream);
            }
            List<RebuildStatements.Rebuild> running = running(dsl);
            boolean waiting = false;
            for (RebuildStatements.Rebuild rebuild : running) {
                if (rebuild.state().equals("rewinding")) {
                    waiting |= !rewind(dsl, rebuild);
                }
            }
            running = running(dsl);
            rebuilding.set(running.size());
            if (!waiting && running.stream().noneMatch(r -> r.state().equals("rewinding"))) {
                consumers.release();
            }
            for (RebuildStatements.Rebuild rebuild : running) {
                if (rebuild.state().equals("replaying")) {
                    follow(dsl, rebuild);
                }
            }
            rebuilding.set(running(dsl).size());
            lastFailure = null;
        } catch (SQLException | RuntimeException e) {
            // Typically the database is down; the database circuit handles that, and the next check tries again.
            String failure = e.toString();
            if (!failure.equals(lastFailure)) {
                log.warn("Checking the stream tables for crash recovery failed (tried again every {}): {}",
                        settings.checkInterval(), failure);
                lastFailure = failure;
            }
        }
    }

    private List<RebuildStatements.Rebuild> running(DSLContext dsl) {
        return new RebuildStatements(dsl).running().stream()
                .filter(r -> catalog.byName(r.stream()).isPresent()).toList();
    }

    /** A missing marker starts a rebuild (under the stream's lock, so one replica starts it). */
    private void detect(DSLContext dsl, StreamDefinition stream) {
        if (new RebuildStatements(dsl).marker(stream.name()) != RebuildStatements.Marker.MISSING) {
            return;
        }
        dsl.transaction(tx -> {
            RebuildStatements sql = new RebuildStatements(tx.dsl());
            sql.lock(stream.name());
            if (sql.marker(stream.name()) != RebuildStatements.Marker.MISSING) {
                return;
            }
            boolean again = sql.supersedeRunning(stream.name()) > 0;
            String reason = again
                    ? "the table was emptied again while it was being rebuilt"
                    : "no marker: PostgreSQL crash recovery emptied the unlogged table (or the stream is new to the worker)";
            long id = sql.startRebuild(stream.name(), reason, instanceId);
            log.warn("Stream {}: {}. Rebuilding table {}.{} from topic {} (rebuild {})", stream.name(), reason,
                    stream.tableSchema(), stream.tableName(), stream.topic(), id);
            metrics.rebuildStarted(stream.name());
        });
    }

    /**
     * Moves the group's offsets of the stream's partitions to the beginning, once no consumer of the group runs.
     * Returns false while it waits for that.
     */
    private boolean rewind(DSLContext dsl, RebuildStatements.Rebuild rebuild) throws SQLException {
        StreamDefinition stream = catalog.byName(rebuild.stream()).orElseThrow();
        Map<TopicPartition, long[]> offsets = startAndEndOffsets(stream.topic());
        long toReplay = offsets.values().stream().mapToLong(o -> o[1] - o[0]).sum();
        if (toReplay > 0) {
            consumers.hold();
            int members = groupMembers();
            if (members > 0) {
                if (Instant.now().isAfter(lastWaitLog.plus(WAIT_LOG_EVERY))) {
                    lastWaitLog = Instant.now();
                    log.info("Rebuild of {} waits for {} consumer(s) of group {} to stop (other worker replicas stop "
                            + "theirs at their next check)", stream.name(), members, consumers.groupId());
                }
                return false;
            }
        }
        dsl.transaction(tx -> {
            RebuildStatements sql = new RebuildStatements(tx.dsl());
            sql.lock(stream.name());
            if (!sql.isRewinding(rebuild.id())) {
                return; // another replica did it
            }
            if (toReplay > 0) {
                Map<TopicPartition, OffsetAndMetadata> beginning = new HashMap<>();
                offsets.forEach((tp, o) -> beginning.put(tp, new OffsetAndMetadata(o[0], "rebuild " + rebuild.id())));
                await(admin().alterConsumerGroupOffsets(consumers.groupId(), beginning).all());
            }
            Map<Integer, long[]> byPartition = new HashMap<>();
            offsets.forEach((tp, o) -> byPartition.put(tp.partition(), o));
            sql.replayStarted(rebuild.id(), byPartition);
            log.warn("Stream {}: replaying {} events of topic {} ({} partitions) into {}.{}", stream.name(), toReplay,
                    stream.topic(), offsets.size(), stream.tableSchema(), stream.tableName());
        });
        return true;
    }

    /** Marks partitions whose committed offset reached its target; finishes the rebuild when none is left. */
    private void follow(DSLContext dsl, RebuildStatements.Rebuild rebuild) {
        StreamDefinition stream = catalog.byName(rebuild.stream()).orElseThrow();
        RebuildStatements sql = new RebuildStatements(dsl);
        Map<Integer, Long> pending = sql.pendingPartitions(rebuild.id());
        if (!pending.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets();
            pending.forEach((partition, target) -> {
                OffsetAndMetadata offset = committed.get(new TopicPartition(stream.topic(), partition));
                if (offset != null && offset.offset() >= target) {
                    sql.partitionDone(rebuild.id(), partition);
                }
            });
            if (!sql.pendingPartitions(rebuild.id()).isEmpty()) {
                return;
            }
        }
        long events = sql.eventsToReplay(rebuild.id());
        dsl.transaction(tx -> {
            if (new RebuildStatements(tx.dsl()).finish(rebuild.id(), stream.name())) {
                Duration took = Duration.between(rebuild.detectedAt(), OffsetDateTime.now());
                metrics.rebuildFinished(stream.name(), took);
                log.info("Stream {}: table {}.{} rebuilt from topic {} in {} s ({} events replayed); its views are "
                                + "refreshed again", stream.name(), stream.tableSchema(), stream.tableName(), stream.topic(),
                        took.toMillis() / 1000.0, events);
            }
        });
    }

    private Map<TopicPartition, long[]> startAndEndOffsets(String topic) {
        TopicDescription description = await(admin().describeTopics(List.of(topic)).allTopicNames()).get(topic);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        });
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> first = await(admin().listOffsets(earliest).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = await(admin().listOffsets(latest).all());
        Map<TopicPartition, long[]> offsets = new HashMap<>();
        first.forEach((tp, info) -> offsets.put(tp, new long[]{info.offset(), end.get(tp).offset()}));
        return offsets;
    }

    private int groupMembers() {
        try {
            ConsumerGroupDescription group = await(admin().describeConsumerGroups(List.of(consumers.groupId())).all())
                    .get(consumers.groupId());
            return group == null ? 0 : group.members().size();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets() {
        return await(admin().listConsumerGroupOffsets(consumers.groupId()).partitionsToOffsetAndMetadata());
    }

    /**
     * Warns at start about topics that cannot rebuild a table: with {@code cleanup.policy=delete} and a finite
     * retention, events older than the retention are gone, so a rebuilt table would miss those rows.
     */
    private void warnWhereTopicsCannotRebuild() {
        try {
            List<ConfigResource> topics = unloggedStreams().stream()
                    .map(s -> new ConfigResource(ConfigResource.Type.TOPIC, s.topic())).toList();
            Map<ConfigResource, Config> configs = await(admin().describeConfigs(topics).all());
            configs.forEach((resource, config) -> {
                String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG, "delete");
                long retentionMs = Long.parseLong(value(config, TopicConfig.RETENTION_MS_CONFIG, "-1"));
                long retentionBytes = Long.parseLong(value(config, TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
                if (!policy.contains("compact") && (retentionMs >= 0 || retentionBytes >= 0)) {
                    log.warn("Topic {} has cleanup.policy={} with retention.ms={} retention.bytes={}: after a PostgreSQL "
                            + "crash its unlogged table can only be rebuilt from the events still retained, and rows "
                            + "whose last event expired would be lost. Use cleanup.policy=compact (records keyed by the "
                            + "primary key), or retention.ms=-1, or declare the stream with durability 'logged'.",
                            resource.name(), policy, retentionMs, retentionBytes);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not check the retention of the stream topics: {}", e.toString());
        }
    }

    private static String value(Config config, String name, String fallback) {
        var entry = config.get(name);
        return entry == null || entry.value() == null ? fallback : entry.value();
    }

    private <T> T await(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(settings.adminTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin call failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka admin call timed out after " + settings.adminTimeout(), e);
        }
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
    public boolean isRunning() {
        return executor != null;
    }

    /**
     * Started after the consumers (which it depends on, so Spring starts them first anyway; the first check runs
     * in {@link #beforeConsuming()}), stopped before them.
     */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 50;
    }
}
