package dev.upsertingest.worker.recovery;

import org.jooq.DSLContext;
import org.jooq.Record;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import static dev.upsertingest.schema.Tables.STREAM_REBUILD;
import static dev.upsertingest.schema.Tables.STREAM_REBUILD_PARTITION;
import static dev.upsertingest.schema.Tables.STREAM_TABLE_MARKER;
import static dev.upsertingest.schema.Tables.WORKER_LOCK;
import static org.jooq.impl.DSL.currentOffsetDateTime;

/** All SQL of table-loss detection and rebuilds (tables in V5__crash_recovery.sql). */
final class RebuildStatements {

    /** The {@code scope} of the streams' rows in {@code ingest.worker_lock}; the refresher has its own. */
    static final String LOCK_SCOPE = "stream_rebuild";

    enum Marker { COMPLETE, REBUILDING, MISSING }

    /** A running rebuild as the control schema has it. */
    record Rebuild(long id, String stream, RebuildState state, OffsetDateTime detectedAt) {
    }

    private final DSLContext dsl;

    RebuildStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * Serializes detection and rewinding of one stream across worker replicas, for this transaction: waits for the
     * stream's row in {@code ingest.worker_lock} and locks it. A row lock rather than an advisory lock, because
     * {@code FOR UPDATE} needs the UPDATE privilege only the worker's login has, and any role may take any advisory
     * lock. The row is created on first use in this same transaction: a replica inserting it concurrently waits for
     * this transaction to end and then finds it, which serializes the two just as the lock does.
     */
    void lock(String stream) {
        for (org.jooq.Query query : lockQueries(stream)) {
            query.execute();
        }
    }

    List<org.jooq.Query> lockQueries(String stream) {
        return List.of(
                dsl.insertInto(WORKER_LOCK).set(WORKER_LOCK.SCOPE, LOCK_SCOPE).set(WORKER_LOCK.NAME, stream)
                        .onConflictDoNothing(),
                dsl.select(WORKER_LOCK.NAME).from(WORKER_LOCK)
                        .where(WORKER_LOCK.SCOPE.eq(LOCK_SCOPE).and(WORKER_LOCK.NAME.eq(stream))).forUpdate());
    }

    Marker marker(String stream) {
        Record row = dsl.select(STREAM_TABLE_MARKER.REBUILD_ID).from(STREAM_TABLE_MARKER)
                .where(STREAM_TABLE_MARKER.STREAM.eq(stream)).fetchOne();
        if (row == null) {
            return Marker.MISSING;
        }
        return row.get(STREAM_TABLE_MARKER.REBUILD_ID) == null ? Marker.COMPLETE : Marker.REBUILDING;
    }

    /** Ends a rebuild that was overtaken by another loss of the table; returns how many were. */
    int supersedeRunning(String stream) {
        return dsl.update(STREAM_REBUILD).set(STREAM_REBUILD.STATE, RebuildState.SUPERSEDED.column())
                .set(STREAM_REBUILD.FINISHED_AT, currentOffsetDateTime())
                .where(STREAM_REBUILD.STREAM.eq(stream).and(STREAM_REBUILD.STATE.in(RebuildState.columns(RebuildState.RUNNING))))
                .execute();
    }

    long startRebuild(String stream, String reason, String detectedBy) {
        long id = dsl.insertInto(STREAM_REBUILD)
                .set(STREAM_REBUILD.STREAM, stream)
                .set(STREAM_REBUILD.REASON, reason)
                .set(STREAM_REBUILD.DETECTED_BY, detectedBy)
                .returning(STREAM_REBUILD.ID).fetchOne().getId();
        dsl.insertInto(STREAM_TABLE_MARKER).set(STREAM_TABLE_MARKER.STREAM, stream)
                .set(STREAM_TABLE_MARKER.REBUILD_ID, id).execute();
        return id;
    }

    List<Rebuild> running() {
        return dsl.select(STREAM_REBUILD.ID, STREAM_REBUILD.STREAM, STREAM_REBUILD.STATE, STREAM_REBUILD.DETECTED_AT)
                .from(STREAM_REBUILD).where(STREAM_REBUILD.STATE.in(RebuildState.columns(RebuildState.RUNNING)))
                .fetch(r -> new Rebuild(r.value1(), r.value2(), RebuildState.ofColumn(r.value3()), r.value4()));
    }

    /** Still rewinding (another replica may have done it meanwhile)? Call under {@link #lock(String)}. */
    boolean isRewinding(long rebuildId) {
        return dsl.fetchExists(STREAM_REBUILD, STREAM_REBUILD.ID.eq(rebuildId).and(STREAM_REBUILD.STATE.eq(RebuildState.REWINDING.column())));
    }

    /** Offsets moved to the beginning: records what each partition must reach, and starts the replay. */
    void replayStarted(long rebuildId, Map<Integer, long[]> startAndTarget) {
        startAndTarget.forEach((partition, offsets) -> dsl.insertInto(STREAM_REBUILD_PARTITION)
                .set(STREAM_REBUILD_PARTITION.REBUILD_ID, rebuildId)
                .set(STREAM_REBUILD_PARTITION.KAFKA_PARTITION, partition)
                .set(STREAM_REBUILD_PARTITION.START_OFFSET, offsets[0])
                .set(STREAM_REBUILD_PARTITION.TARGET_OFFSET, offsets[1])
                .set(STREAM_REBUILD_PARTITION.DONE, offsets[1] <= offsets[0])
                .execute());
        dsl.update(STREAM_REBUILD).set(STREAM_REBUILD.STATE, RebuildState.REPLAYING.column())
                .set(STREAM_REBUILD.REPLAY_STARTED_AT, currentOffsetDateTime())
                .where(STREAM_REBUILD.ID.eq(rebuildId)).execute();
    }

    /** Partition -> target offset of the partitions not yet replayed far enough. */
    Map<Integer, Long> pendingPartitions(long rebuildId) {
        return dsl.select(STREAM_REBUILD_PARTITION.KAFKA_PARTITION, STREAM_REBUILD_PARTITION.TARGET_OFFSET)
                .from(STREAM_REBUILD_PARTITION)
                .where(STREAM_REBUILD_PARTITION.REBUILD_ID.eq(rebuildId).and(STREAM_REBUILD_PARTITION.DONE.isFalse()))
                .fetchMap(STREAM_REBUILD_PARTITION.KAFKA_PARTITION, STREAM_REBUILD_PARTITION.TARGET_OFFSET);
    }

    void partitionDone(long rebuildId, int partition) {
        dsl.update(STREAM_REBUILD_PARTITION).set(STREAM_REBUILD_PARTITION.DONE, true)
                .where(STREAM_REBUILD_PARTITION.REBUILD_ID.eq(rebuildId)
                        .and(STREAM_REBUILD_PARTITION.KAFKA_PARTITION.eq(partition))).execute();
    }

    long eventsToReplay(long rebuildId) {
        Long events = dsl.select(org.jooq.impl.DSL.sum(STREAM_REBUILD_PARTITION.TARGET_OFFSET.minus(STREAM_REBUILD_PARTITION.START_OFFSET)).cast(Long.class))
                .from(STREAM_REBUILD_PARTITION).where(STREAM_REBUILD_PARTITION.REBUILD_ID.eq(rebuildId))
                .fetchOne(0, Long.class);
        return events == null ? 0 : events;
    }

    /**
     * Marks the table complete again, if its marker still names this rebuild (a crash since then removed the marker,
     * and the next detection starts over). Returns whether it did.
     */
    boolean finish(long rebuildId, String stream) {
        int marked = dsl.update(STREAM_TABLE_MARKER).setNull(STREAM_TABLE_MARKER.REBUILD_ID)
                .set(STREAM_TABLE_MARKER.MARKED_AT, currentOffsetDateTime())
                .where(STREAM_TABLE_MARKER.STREAM.eq(stream).and(STREAM_TABLE_MARKER.REBUILD_ID.eq(rebuildId)))
                .execute();
        if (marked == 0) {
            return false;
        }
        dsl.update(STREAM_REBUILD).set(STREAM_REBUILD.STATE, RebuildState.DONE.column()).set(STREAM_REBUILD.FINISHED_AT, currentOffsetDateTime())
                .where(STREAM_REBUILD.ID.eq(rebuildId)).execute();
        return true;
    }
}
