package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record4;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.Duration;
import java.time.OffsetDateTime;

import static dev.upsertingest.schema.Tables.STREAM_REBUILD;
import static dev.upsertingest.schema.Tables.VIEW_REFRESH;
import static dev.upsertingest.schema.Tables.VIEW_STATE;
import static dev.upsertingest.schema.Tables.WORKER_LOCK;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.val;

/**
 * The SQL every refresh shares, whatever the view's mode: its lock and shared state, the settings of its transaction,
 * its history; and the only place that renders {@code REFRESH MATERIALIZED VIEW}. What an incremental refresh applies
 * is in {@link IncrementalStatements}. Identifiers come from the registry (checked by its constraints); everything else
 * is a bind parameter.
 */
final class RefreshStatements {

    /** The {@code scope} of the views' rows in {@code ingest.worker_lock}; the rebuilder has its own. */
    static final String LOCK_SCOPE = "view_refresh";

    /** The view's {@code snapshot} as text ({@code pg_snapshot} has no JDBC type). */
    private static final Field<String> SNAPSHOT = field("{0}::text", String.class, field(name("snapshot")));
    private static final Field<String> SNAPSHOT_COLUMN = field(name("snapshot"), String.class);
    /** This transaction's snapshot (REPEATABLE READ: the one every statement of it sees). */
    private static final Field<String> CURRENT_SNAPSHOT = field("pg_current_snapshot()", String.class);

    private final DSLContext dsl;

    RefreshStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * statement_timeout, work_mem and synchronous_commit for this transaction only, and UTC for the casts of timestamps
     * written without an offset (declare_view and replace_view fill views in UTC too).
     *
     * @param waitForFlush whether the commit waits for the WAL flush: incremental refreshes are small, and what
     *                     analysts saw must survive a crash; a full refresh lost in a crash is simply redone
     */
    void applyTransactionSettings(Duration statementTimeout, long workMemBytes, boolean waitForFlush) {
        dsl.select(
                function("set_config", String.class, inline("statement_timeout"), val(Long.toString(statementTimeout.toMillis())), inline(true)),
                function("set_config", String.class, inline("work_mem"), val((workMemBytes / 1024) + "kB"), inline(true)),
                function("set_config", String.class, inline("synchronous_commit"), inline(waitForFlush ? "on" : "off"), inline(true)),
                function("set_config", String.class, inline("TimeZone"), inline("UTC"), inline(true))).fetch();
    }

    /**
     * Makes sure the view's lock row exists. Run it outside the refresh transaction (autocommit): a row inserted inside
     * it would make another replica's insert wait for the whole refresh instead of finding the view busy. When the row
     * exists this writes nothing, and it does not wait for a replica holding the row's lock.
     */
    void ensureLockRow(ViewDefinition view) {
        ensureLockRowQuery(view).execute();
    }

    org.jooq.Query ensureLockRowQuery(ViewDefinition view) {
        return dsl.insertInto(WORKER_LOCK).set(WORKER_LOCK.SCOPE, LOCK_SCOPE).set(WORKER_LOCK.NAME, view.name())
                .onConflictDoNothing();
    }

    /**
     * Takes the view's lock row for this transaction, unless another worker (or a migration replacing or dropping the
     * view, which takes it first) holds it. A row lock, not an advisory lock: {@code FOR UPDATE} needs the UPDATE
     * privilege on {@code ingest.worker_lock}, which only the worker's login has, whereas any role may take any advisory
     * lock. It is the refresh transaction's first statement, so a REPEATABLE READ refresh's snapshot is taken with it.
     */
    boolean tryLock(ViewDefinition view) {
        return tryLockQuery(view).fetchOptional().isPresent();
    }

    org.jooq.ResultQuery<?> tryLockQuery(ViewDefinition view) {
        return dsl.select(WORKER_LOCK.NAME).from(WORKER_LOCK)
                .where(WORKER_LOCK.SCOPE.eq(LOCK_SCOPE).and(WORKER_LOCK.NAME.eq(view.name())))
                .forUpdate().skipLocked();
    }

    /** The view's shared state (read under its lock), or {@code null} when the view is no longer registered. */
    ViewState state(ViewDefinition view) {
        return dsl.select(VIEW_STATE.LAST_STARTED_AT, VIEW_STATE.CHANGE_COUNTER, SNAPSHOT, VIEW_STATE.REBUILD_SEEN, VIEW_STATE.ROW_COUNT,
                        VIEW_STATE.REFRESH_REQUESTED_AT)
                .from(VIEW_STATE).where(VIEW_STATE.VIEW.eq(view.name()))
                .fetchOne(r -> new ViewState(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    /** False while the stream's (unlogged) table is emptied by crash recovery or being rebuilt from its topic. */
    boolean streamTableIsComplete(StreamDefinition stream) {
        return Boolean.TRUE.equals(dsl.select(function(name("ingest", "stream_table_is_complete"), Boolean.class,
                val(stream.name()))).fetchOne(0, Boolean.class));
    }

    /** The last completed rebuild of the stream's table, or 0: an incremental view reconciles after each one. */
    long latestRebuild(StreamDefinition stream) {
        Long id = dsl.select(DSL.max(STREAM_REBUILD.ID)).from(STREAM_REBUILD)
                .where(STREAM_REBUILD.STREAM.eq(stream.name()).and(STREAM_REBUILD.STATE.eq("done")))
                .fetchOne(0, Long.class);
        return id == null ? 0 : id;
    }

    /** Whether the stream table was truncated by a transaction {@code snapshot} did not see (its keys are unknown). */
    boolean truncatedSince(StreamDefinition stream, String snapshot) {
        return Boolean.TRUE.equals(dsl.select(DSL.field(DSL.exists(DSL.selectOne().from(name("ingest", "stream_truncation"))
                .where(field(name("stream"), String.class).eq(stream.name()))
                .and(DSL.condition("{0} >= pg_snapshot_xmin(cast({1} as pg_snapshot))", field(name("txid")), val(snapshot)))
                .and(DSL.condition("not pg_visible_in_snapshot({0}, cast({1} as pg_snapshot))", field(name("txid")), val(snapshot))))))
                .fetchOne(0, Boolean.class));
    }

    /** The transaction's start on the database's clock: replicas' clocks may disagree, the database's is shared. */
    OffsetDateTime now() {
        return dsl.select(DSL.currentOffsetDateTime()).fetchOne(0, OffsetDateTime.class);
    }

    /** Whether the view relation exists and holds data; {@code null} when it does not exist. */
    Boolean isPopulated(ViewDefinition view) {
        return dsl.select(field(name("relispopulated"), Boolean.class)).from(name("pg_catalog", "pg_class"))
                .where(field(name("oid")).eq(function("to_regclass", Object.class, qualified(view.schema(), view.name()))))
                .fetchOne(0, Boolean.class);
    }

    /**
     * Inserts + updates + deletes the stream table has seen, from the statistics collector: free to read, and it only
     * moves when rows really change (an upsert skipped because the document is unchanged does not count).
     */
    long changeCounter(StreamDefinition stream) {
        Long counter = dsl.select(field("n_tup_ins + n_tup_upd + n_tup_del", SQLDataType.BIGINT))
                .from(name("pg_catalog", "pg_stat_user_tables"))
                .where(field(name("schemaname"), String.class).eq(stream.tableSchema())
                        .and(field(name("relname"), String.class).eq(stream.tableName())))
                .fetchOne(0, Long.class);
        return counter == null ? 0 : counter;
    }

    /** The REFRESH statement text of a full view; run it through JDBC so that it can be cancelled on shutdown. */
    String refresh(ViewDefinition view, boolean concurrently) {
        return dsl.render(DSL.query("refresh materialized view " + (concurrently ? "concurrently " : "") + "{0}",
                name(view.schema(), view.name())));
    }

    /** Row count and newest {@code updated_at} of the view, as this transaction sees it. */
    Contents contents(ViewDefinition view) {
        return dsl.select(DSL.count(), newestData())
                .from(DSL.table(name(view.schema(), view.name())))
                .fetchOne(r -> new Contents(r.value1(), r.value2()));
    }

    /** The newest {@code updated_at} of the view (its updated_at index answers at once). */
    OffsetDateTime newestData(ViewDefinition view) {
        return dsl.select(newestData()).from(DSL.table(name(view.schema(), view.name()))).fetchOne(0, OffsetDateTime.class);
    }

    private static Field<OffsetDateTime> newestData() {
        return DSL.max(field(name("updated_at"), SQLDataType.TIMESTAMPWITHTIMEZONE));
    }

    void recordSuccess(ViewDefinition view, OffsetDateTime started, long counter, long rows, OffsetDateTime newest) {
        dsl.update(VIEW_STATE)
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_SUCCESS_AT, DSL.currentOffsetDateTime())
                .set(VIEW_STATE.AS_OF, started)
                .set(VIEW_STATE.LAST_OUTCOME, "ok")
                .setNull(VIEW_STATE.LAST_ERROR)
                .set(VIEW_STATE.CHANGE_COUNTER, counter)
                .set(VIEW_STATE.NEWEST_DATA_AT, newest)
                .set(VIEW_STATE.ROW_COUNT, rows)
                .where(VIEW_STATE.VIEW.eq(view.name()))
                .execute();
    }

    /**
     * An incremental view's state after a refresh: the snapshot this (REPEATABLE READ) transaction saw, which the next
     * refresh takes its changes from, and the rebuild it was reconciled after.
     */
    void recordIncremental(ViewDefinition view, OffsetDateTime started, long rows, OffsetDateTime newest, long rebuildSeen) {
        dsl.update(VIEW_STATE)
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_SUCCESS_AT, DSL.currentOffsetDateTime())
                .set(VIEW_STATE.AS_OF, started)
                .set(VIEW_STATE.LAST_OUTCOME, "ok")
                .setNull(VIEW_STATE.LAST_ERROR)
                .set(SNAPSHOT_COLUMN, CURRENT_SNAPSHOT)
                .set(VIEW_STATE.REBUILD_SEEN, rebuildSeen)
                .set(VIEW_STATE.NEWEST_DATA_AT, newest)
                .set(VIEW_STATE.ROW_COUNT, rows)
                .where(VIEW_STATE.VIEW.eq(view.name()))
                .execute();
    }

    /** Nothing changed since the last refresh: the view is exact as of now, which its as_of and snapshot say. */
    void recordUnchanged(ViewDefinition view, OffsetDateTime started) {
        dsl.update(VIEW_STATE)
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.AS_OF, started)
                .set(SNAPSHOT_COLUMN, CURRENT_SNAPSHOT)
                .where(VIEW_STATE.VIEW.eq(view.name()))
                .execute();
    }

    void recordFailure(ViewDefinition view, OffsetDateTime started, String error) {
        dsl.update(VIEW_STATE)
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_OUTCOME, "failed")
                .set(VIEW_STATE.LAST_ERROR, error)
                .where(VIEW_STATE.VIEW.eq(view.name()))
                .execute();
    }

    void recordHistory(ViewDefinition view, OffsetDateTime started, OffsetDateTime finished, long durationMillis,
                       String mode, String outcome, Long rows, String error, String refreshedBy) {
        dsl.insertInto(VIEW_REFRESH)
                .set(VIEW_REFRESH.VIEW, view.name())
                .set(VIEW_REFRESH.STARTED_AT, started)
                .set(VIEW_REFRESH.FINISHED_AT, finished)
                .set(VIEW_REFRESH.DURATION_MS, durationMillis)
                .set(VIEW_REFRESH.MODE, mode)
                .set(VIEW_REFRESH.OUTCOME, outcome)
                .set(VIEW_REFRESH.ROW_COUNT, rows)
                .set(VIEW_REFRESH.ERROR, error)
                .set(VIEW_REFRESH.REFRESHED_BY, refreshedBy)
                .execute();
    }

    /**
     * What every worker shows as gauges: per view, its rows, newest data and last success; and whether a refresh was
     * asked for by hand that has not started yet (its lane then looks at once).
     */
    org.jooq.Result<Record4<String, Long, OffsetDateTime, Boolean>> freshness() {
        return freshnessQuery().fetch();
    }

    org.jooq.ResultQuery<Record4<String, Long, OffsetDateTime, Boolean>> freshnessQuery() {
        return dsl.select(VIEW_STATE.VIEW, VIEW_STATE.ROW_COUNT, VIEW_STATE.NEWEST_DATA_AT,
                        DSL.field(VIEW_STATE.REFRESH_REQUESTED_AT.isNotNull().and(VIEW_STATE.LAST_STARTED_AT.isNull()
                                .or(VIEW_STATE.REFRESH_REQUESTED_AT.gt(VIEW_STATE.LAST_STARTED_AT)))))
                .from(VIEW_STATE);
    }

    int pruneHistory(OffsetDateTime olderThan) {
        return dsl.deleteFrom(VIEW_REFRESH).where(VIEW_REFRESH.STARTED_AT.lt(olderThan)).execute();
    }

    private static Field<String> qualified(String schema, String relation) {
        return DSL.concat(function("quote_ident", String.class, val(schema)), inline("."),
                function("quote_ident", String.class, val(relation)));
    }

    /**
     * A view's shared state, as its lock read it.
     *
     * @param lastStarted   when the last refresh started, or {@code null}
     * @param changeCounter full views: the stream table's change counter the last refresh saw
     * @param snapshot      incremental views: the snapshot the last refresh saw, {@code null} when the next must reconcile
     * @param rebuildSeen   incremental views: the last rebuild of the stream table reconciled after
     * @param rows          rows after the last refresh, or {@code null}
     * @param refreshRequested a refresh asked for by hand ({@code ingest.request_view_refresh}), or {@code null}
     */
    record ViewState(OffsetDateTime lastStarted, Long changeCounter, String snapshot, Long rebuildSeen, Long rows,
                     OffsetDateTime refreshRequested) {

        /** A refresh asked for by hand that no refresh has started since: due whatever the interval says. */
        boolean requested() {
            return refreshRequested != null && (lastStarted == null || refreshRequested.isAfter(lastStarted));
        }
    }

    /** @param rows rows in the view @param newest its newest {@code updated_at}, {@code null} when empty */
    record Contents(long rows, OffsetDateTime newest) {
    }
}
