package dev.upsertingest.worker.recovery;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.ConsumerControl.PauseReason;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds unlogged stream tables that PostgreSQL crash recovery emptied, and carries each rebuild through its
 * {@link RebuildState states}; {@link RebuildScheduler} decides when it looks, {@link GroupOffsets} talks to Kafka,
 * {@link RebuildStatements} to the control schema.
 *
 * <p>Each unlogged stream has a marker row in an unlogged table ({@code ingest.stream_table_marker}); crash recovery
 * empties it together with the stream tables, so a missing marker means the table lost what the committed offsets say
 * it holds. A rebuild then goes:
 * <ol>
 *   <li>{@link RebuildState#REWINDING}: every worker replica stops its consumers ({@link PauseReason#REBUILD}: they
 *       leave the group), and once the group is empty one of them moves the group's committed offsets for the stream's
 *       partitions to the beginning, noting how far each partition must be replayed (its end offset now);</li>
 *   <li>{@link RebuildState#REPLAYING}: the consumers run again from the beginning, writing with the usual upserts (a
 *       replayed event is idempotent, so events written between the crash and the rewind do no harm);</li>
 *   <li>{@link RebuildState#DONE}: when the committed offsets (committed only after each batch's transaction) passed
 *       every target, the marker says complete again, and the views over the stream are refreshed again.</li>
 * </ol>
 * Views are not refreshed while the marker is missing or names a running rebuild, so analysts keep the last complete
 * view throughout. All state lives in the control schema, so any replica can carry a rebuild on after another stopped.
 */
class RebuildCoordinator {

    private static final Logger log = LoggerFactory.getLogger(RebuildCoordinator.class);
    private static final Duration WAIT_LOG_EVERY = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final StreamCatalog catalog;
    private final ConsumerControl consumers;
    private final GroupOffsets kafka;
    private final IngestMetrics metrics;
    private final String instanceId;
    private final AtomicInteger rebuilding = new AtomicInteger();
    private Instant lastWaitLog = Instant.EPOCH;
    private String lastFailure;

    RebuildCoordinator(DataSource dataSource, StreamCatalog catalog, ConsumerControl consumers, GroupOffsets kafka,
                       IngestMetrics metrics, String instanceId) {
        this.dataSource = dataSource;
        this.catalog = catalog;
        this.consumers = consumers;
        this.kafka = kafka;
        this.metrics = metrics;
        this.instanceId = instanceId;
        metrics.registerStreamsRebuilding(rebuilding::get);
    }

    List<StreamDefinition> unloggedStreams() {
        return catalog.streams().stream().filter(s -> s.durability() == Durability.UNLOGGED).toList();
    }

    /**
     * One look at every unlogged stream and every running rebuild; never throws (it runs on a schedule, and a failure
     * is typically the database being down, which the database circuit handles; the next check tries again).
     *
     * @param checkInterval how soon the next check comes, for the log
     */
    synchronized void check(Duration checkInterval) {
        try (Connection connection = dataSource.getConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            for (StreamDefinition stream : unloggedStreams()) {
                detect(dsl, stream);
            }
            boolean waiting = false;
            for (RebuildStatements.Rebuild rebuild : running(dsl)) {
                if (rebuild.state() == RebuildState.REWINDING) {
                    waiting |= !rewind(dsl, rebuild);
                }
            }
            List<RebuildStatements.Rebuild> running = running(dsl);
            rebuilding.set(running.size());
            if (!waiting && running.stream().noneMatch(r -> r.state() == RebuildState.REWINDING)) {
                consumers.resume(PauseReason.REBUILD);
            }
            for (RebuildStatements.Rebuild rebuild : running) {
                if (rebuild.state() == RebuildState.REPLAYING) {
                    follow(dsl, rebuild);
                }
            }
            rebuilding.set(running(dsl).size());
            lastFailure = null;
        } catch (SQLException | RuntimeException e) {
            String failure = e.toString();
            if (!failure.equals(lastFailure)) {
                log.warn("Checking the stream tables for crash recovery failed (tried again every {}): {}",
                        checkInterval, failure);
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
    private boolean rewind(DSLContext dsl, RebuildStatements.Rebuild rebuild) {
        StreamDefinition stream = catalog.byName(rebuild.stream()).orElseThrow();
        Map<TopicPartition, GroupOffsets.Range> ranges = kafka.ranges(stream.topic());
        long toReplay = ranges.values().stream().mapToLong(GroupOffsets.Range::length).sum();
        if (toReplay > 0) {
            consumers.pause(PauseReason.REBUILD);
            int members = kafka.members();
            if (members > 0) {
                if (Instant.now().isAfter(lastWaitLog.plus(WAIT_LOG_EVERY))) {
                    lastWaitLog = Instant.now();
                    log.info("Rebuild of {} waits for {} consumer(s) of group {} to stop (other worker replicas stop "
                            + "theirs at their next check)", stream.name(), members, kafka.groupId());
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
                ranges.forEach((tp, range) -> beginning.put(tp, new OffsetAndMetadata(range.start(), "rebuild " + rebuild.id())));
                kafka.moveTo(beginning);
            }
            Map<Integer, long[]> byPartition = new HashMap<>();
            ranges.forEach((tp, range) -> byPartition.put(tp.partition(), new long[]{range.start(), range.end()}));
            sql.replayStarted(rebuild.id(), byPartition);
            log.warn("Stream {}: replaying {} events of topic {} ({} partitions) into {}.{}", stream.name(), toReplay,
                    stream.topic(), ranges.size(), stream.tableSchema(), stream.tableName());
        });
        return true;
    }

    /** Marks partitions whose committed offset reached its target; finishes the rebuild when none is left. */
    private void follow(DSLContext dsl, RebuildStatements.Rebuild rebuild) {
        StreamDefinition stream = catalog.byName(rebuild.stream()).orElseThrow();
        RebuildStatements sql = new RebuildStatements(dsl);
        Map<Integer, Long> pending = sql.pendingPartitions(rebuild.id());
        if (!pending.isEmpty()) {
            Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed();
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

    /**
     * Warns about topics that cannot rebuild a table: with {@code cleanup.policy=delete} and a finite retention, events
     * older than the retention are gone, so a rebuilt table would miss those rows.
     */
    void warnWhereTopicsCannotRebuild() {
        try {
            kafka.retention(unloggedStreams().stream().map(StreamDefinition::topic).toList()).forEach((topic, kept) -> {
                if (!kept.cleanupPolicy().contains("compact") && (kept.retentionMs() >= 0 || kept.retentionBytes() >= 0)) {
                    log.warn("Topic {} has cleanup.policy={} with retention.ms={} retention.bytes={}: after a PostgreSQL "
                            + "crash its unlogged table can only be rebuilt from the events still retained, and rows "
                            + "whose last event expired would be lost. Use cleanup.policy=compact (records keyed by the "
                            + "primary key), or retention.ms=-1, or declare the stream with durability 'logged'.",
                            topic, kept.cleanupPolicy(), kept.retentionMs(), kept.retentionBytes());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not check the retention of the stream topics: {}", e.toString());
        }
    }
}
