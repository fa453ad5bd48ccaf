package dev.upsertingest.ops;

import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.upsertingest.schema.Tables.STREAM;
import static dev.upsertingest.schema.Tables.STREAM_REBUILD;
import static dev.upsertingest.schema.Tables.STREAM_REBUILD_PARTITION;
import static dev.upsertingest.schema.Tables.VIEW;
import static dev.upsertingest.schema.Tables.VIEW_STATE;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.val;

/**
 * All SQL that reads what {@code status} shows: the registry, the tables' sizes and change counters (statistics,
 * free to read), the views' state, the rebuilds. Read-only; everything is in the control schema or the catalog, which
 * {@code ingest_admin} may read.
 */
final class StatusStatements {

    private static final Table<?> TABLE_STATS = DSL.table(name("pg_catalog", "pg_stat_user_tables"));
    private static final Field<String> STATS_SCHEMA = field(name("pg_stat_user_tables", "schemaname"), String.class);
    private static final Field<String> STATS_TABLE = field(name("pg_stat_user_tables", "relname"), String.class);
    private static final Field<Long> LIVE_ROWS = field(name("pg_stat_user_tables", "n_live_tup"), SQLDataType.BIGINT);
    private static final Field<Long> CHANGES = field("{0} + {1} + {2}", SQLDataType.BIGINT,
            field(name("pg_stat_user_tables", "n_tup_ins")), field(name("pg_stat_user_tables", "n_tup_upd")),
            field(name("pg_stat_user_tables", "n_tup_del")));
    /**
     * By the table's oid from the statistics view: a name would need USAGE on schema streams, which ingest_admin does
     * not have (it never reads a stream table).
     */
    private static final Field<Long> TABLE_BYTES = function("pg_total_relation_size", SQLDataType.BIGINT,
            field(name("pg_stat_user_tables", "relid")));

    /** A stream as the registry and the statistics have it. */
    record StreamRow(String name, String topic, String durability, String tableSchema, String tableName,
                     long liveRows, long bytes) {
    }

    /** A view and its state. */
    record ViewRow(String name, String stream, String mode, String interval, OffsetDateTime refreshedAt,
                   OffsetDateTime asOf, Double stalenessSeconds, Long rows, String lastOutcome, String lastError,
                   long pendingChanges, OffsetDateTime refreshRequestedAt) {
    }

    /** A rebuild's row; {@code partitions} maps each partition to its start and target offsets. */
    record RebuildRow(long id, String stream, String state, String reason, String detectedBy, OffsetDateTime detectedAt,
                      OffsetDateTime replayStartedAt, OffsetDateTime finishedAt, Map<Integer, long[]> partitions) {
    }

    private final DSLContext dsl;

    StatusStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    OffsetDateTime now() {
        return dsl.select(DSL.currentOffsetDateTime()).fetchOne(0, OffsetDateTime.class);
    }

    ResultQuery<? extends Record> streamsQuery() {
        return dsl.select(STREAM.NAME, STREAM.TOPIC, STREAM.DURABILITY, STREAM.TABLE_SCHEMA, STREAM.TABLE_NAME,
                        DSL.coalesce(LIVE_ROWS, inline(0L)), DSL.coalesce(TABLE_BYTES, inline(0L)))
                .from(STREAM)
                .leftJoin(TABLE_STATS).on(STATS_SCHEMA.eq(STREAM.TABLE_SCHEMA).and(STATS_TABLE.eq(STREAM.TABLE_NAME)))
                .orderBy(STREAM.NAME);
    }

    List<StreamRow> streams() {
        return streamsQuery().fetch(r -> new StreamRow(r.get(0, String.class), r.get(1, String.class),
                r.get(2, String.class), r.get(3, String.class), r.get(4, String.class), r.get(5, Long.class),
                r.get(6, Long.class)));
    }

    /** Stream name -> rows inserted + updated + deleted in its table since the statistics were reset. */
    Map<String, Long> changeCounters() {
        Map<String, Long> counters = new HashMap<>();
        dsl.select(STREAM.NAME, CHANGES).from(STREAM)
                .join(TABLE_STATS).on(STATS_SCHEMA.eq(STREAM.TABLE_SCHEMA).and(STATS_TABLE.eq(STREAM.TABLE_NAME)))
                .fetch().forEach(r -> counters.put(r.value1(), r.value2()));
        return counters;
    }

    ResultQuery<? extends Record> viewsQuery() {
        return dsl.select(VIEW.NAME, VIEW.STREAM, VIEW.REFRESH_MODE,
                        field("{0}::text", String.class, VIEW.REFRESH_INTERVAL),
                        VIEW_STATE.LAST_SUCCESS_AT, VIEW_STATE.AS_OF,
                        field("extract(epoch from {0} - {1})::float8", Double.class, DSL.currentOffsetDateTime(),
                                VIEW_STATE.NEWEST_DATA_AT),
                        VIEW_STATE.ROW_COUNT, VIEW_STATE.LAST_OUTCOME, VIEW_STATE.LAST_ERROR,
                        function(name("ingest", "view_pending_changes"), SQLDataType.BIGINT, VIEW.NAME),
                        VIEW_STATE.REFRESH_REQUESTED_AT)
                .from(VIEW).leftJoin(VIEW_STATE).on(VIEW_STATE.VIEW.eq(VIEW.NAME))
                .orderBy(VIEW.NAME);
    }

    List<ViewRow> views() {
        return viewsQuery().fetch(r -> new ViewRow(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class),
                r.get(3, String.class), r.get(4, OffsetDateTime.class), r.get(5, OffsetDateTime.class),
                r.get(6, Double.class), r.get(7, Long.class), r.get(8, String.class), r.get(9, String.class),
                r.get(10, Long.class) == null ? 0 : r.get(10, Long.class), r.get(11, OffsetDateTime.class)));
    }

    /** The running rebuild of the stream, or else its latest one; {@code null} if it was never rebuilt. */
    RebuildRow latestRebuild(String stream) {
        Record row = latestRebuildQuery(stream).fetchOne();
        if (row == null) {
            return null;
        }
        long id = row.get(STREAM_REBUILD.ID);
        Map<Integer, long[]> partitions = new HashMap<>();
        dsl.select(STREAM_REBUILD_PARTITION.KAFKA_PARTITION, STREAM_REBUILD_PARTITION.START_OFFSET,
                        STREAM_REBUILD_PARTITION.TARGET_OFFSET)
                .from(STREAM_REBUILD_PARTITION).where(STREAM_REBUILD_PARTITION.REBUILD_ID.eq(id))
                .fetch().forEach(r -> partitions.put(r.value1(), new long[]{r.value2(), r.value3()}));
        return new RebuildRow(id, row.get(STREAM_REBUILD.STREAM), row.get(STREAM_REBUILD.STATE),
                row.get(STREAM_REBUILD.REASON), row.get(STREAM_REBUILD.DETECTED_BY), row.get(STREAM_REBUILD.DETECTED_AT),
                row.get(STREAM_REBUILD.REPLAY_STARTED_AT), row.get(STREAM_REBUILD.FINISHED_AT), partitions);
    }

    ResultQuery<? extends Record> latestRebuildQuery(String stream) {
        return dsl.select(STREAM_REBUILD.ID, STREAM_REBUILD.STREAM, STREAM_REBUILD.STATE, STREAM_REBUILD.REASON,
                        STREAM_REBUILD.DETECTED_BY, STREAM_REBUILD.DETECTED_AT, STREAM_REBUILD.REPLAY_STARTED_AT,
                        STREAM_REBUILD.FINISHED_AT)
                .from(STREAM_REBUILD).where(STREAM_REBUILD.STREAM.eq(val(stream)))
                .orderBy(DSL.field(STREAM_REBUILD.STATE.in("rewinding", "replaying")).desc(), STREAM_REBUILD.ID.desc())
                .limit(inline(1));
    }
}
