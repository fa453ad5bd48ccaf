package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.Record3;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.time.Duration;
import java.time.OffsetDateTime;

import static dev.upsertingest.schema.Tables.VIEW_REFRESH;
import static dev.upsertingest.schema.Tables.VIEW_STATE;
import static dev.upsertingest.schema.Tables.WORKER_LOCK;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;

/**
 * All SQL of the refresher, and the only place that renders {@code REFRESH MATERIALIZED VIEW}. Identifiers come from
 * the registry (checked by its constraints); everything else is a bind parameter.
 */
final class RefreshStatements {

    /** The {@code scope} of the views' rows in {@code ingest.worker_lock}; the rebuilder has its own. */
    static final String LOCK_SCOPE = "view_refresh";

    private final DSLContext dsl;

    RefreshStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** statement_timeout, work_mem and synchronous_commit for this transaction only. */
    void applyTransactionSettings(Duration statementTimeout, long workMemBytes) {
        dsl.select(
                function("set_config", String.class, inline("statement_timeout"), val(Long.toString(statementTimeout.toMillis())), inline(true)),
                function("set_config", String.class, inline("work_mem"), val((workMemBytes / 1024) + "kB"), inline(true)),
                // A refresh lost in a crash is redone at the next interval: no need to wait for the WAL flush.
                function("set_config", String.class, inline("synchronous_commit"), inline("off"), inline(true))).fetch();
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
     * Takes the view's lock row for this transaction, unless another worker holds it. A row lock, not an advisory
     * lock: {@code FOR UPDATE} needs the UPDATE privilege on {@code ingest.worker_lock}, which only the worker's login
     * has, whereas any role may take any advisory lock.
     */
    boolean tryLock(ViewDefinition view) {
        return tryLockQuery(view).fetchOptional().isPresent();
    }

    org.jooq.ResultQuery<?> tryLockQuery(ViewDefinition view) {
        return dsl.select(WORKER_LOCK.NAME).from(WORKER_LOCK)
                .where(WORKER_LOCK.SCOPE.eq(LOCK_SCOPE).and(WORKER_LOCK.NAME.eq(view.name())))
                .forUpdate().skipLocked();
    }

    /** False while the stream's (unlogged) table is emptied by crash recovery or being rebuilt from its topic. */
    boolean streamTableIsComplete(StreamDefinition stream) {
        return Boolean.TRUE.equals(dsl.select(function(name("ingest", "stream_table_is_complete"), Boolean.class,
                val(stream.name()))).fetchOne(0, Boolean.class));
    }

    /** The shared state: when the last refresh started and the change counter it saw; {@code null} if none. */
    Record2<OffsetDateTime, Long> state(ViewDefinition view) {
        return dsl.select(VIEW_STATE.LAST_STARTED_AT, VIEW_STATE.CHANGE_COUNTER).from(VIEW_STATE)
                .where(VIEW_STATE.VIEW.eq(view.name())).fetchOne();
    }

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

    /** The REFRESH statement text; run it through JDBC so that it can be cancelled on shutdown. */
    String refresh(ViewDefinition view, boolean concurrently) {
        return dsl.render(DSL.query("refresh materialized view " + (concurrently ? "concurrently " : "") + "{0}",
                name(view.schema(), view.name())));
    }

    /** Row count and newest {@code updated_at} of the view, as this transaction sees it. */
    Record2<Integer, OffsetDateTime> contents(ViewDefinition view) {
        return dsl.select(DSL.count(), DSL.max(field(name("updated_at"), SQLDataType.TIMESTAMPWITHTIMEZONE)))
                .from(DSL.table(name(view.schema(), view.name()))).fetchOne();
    }

    void recordSuccess(ViewDefinition view, OffsetDateTime started, long counter, long rows, OffsetDateTime newest) {
        dsl.insertInto(VIEW_STATE)
                .set(VIEW_STATE.VIEW, view.name())
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_SUCCESS_AT, DSL.currentOffsetDateTime())
                .set(VIEW_STATE.AS_OF, started)
                .set(VIEW_STATE.LAST_OUTCOME, "ok")
                .setNull(VIEW_STATE.LAST_ERROR)
                .set(VIEW_STATE.CHANGE_COUNTER, counter)
                .set(VIEW_STATE.NEWEST_DATA_AT, newest)
                .set(VIEW_STATE.ROW_COUNT, rows)
                .onConflict(VIEW_STATE.VIEW).doUpdate()
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_SUCCESS_AT, DSL.currentOffsetDateTime())
                .set(VIEW_STATE.AS_OF, started)
                .set(VIEW_STATE.LAST_OUTCOME, "ok")
                .setNull(VIEW_STATE.LAST_ERROR)
                .set(VIEW_STATE.CHANGE_COUNTER, counter)
                .set(VIEW_STATE.NEWEST_DATA_AT, newest)
                .set(VIEW_STATE.ROW_COUNT, rows)
                .execute();
    }

    void recordFailure(ViewDefinition view, OffsetDateTime started, String error) {
        dsl.insertInto(VIEW_STATE)
                .set(VIEW_STATE.VIEW, view.name())
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_OUTCOME, "failed")
                .set(VIEW_STATE.LAST_ERROR, error)
                .onConflict(VIEW_STATE.VIEW).doUpdate()
                .set(VIEW_STATE.LAST_STARTED_AT, started)
                .set(VIEW_STATE.LAST_OUTCOME, "failed")
                .set(VIEW_STATE.LAST_ERROR, error)
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

    /** What every worker shows as gauges: per view, its rows, newest data and last success. */
    org.jooq.Result<Record3<String, Long, OffsetDateTime>> freshness() {
        return dsl.select(VIEW_STATE.VIEW, VIEW_STATE.ROW_COUNT, VIEW_STATE.NEWEST_DATA_AT).from(VIEW_STATE).fetch();
    }

    int pruneHistory(OffsetDateTime olderThan) {
        return dsl.deleteFrom(VIEW_REFRESH).where(VIEW_REFRESH.STARTED_AT.lt(olderThan)).execute();
    }

    private static org.jooq.Field<String> qualified(String schema, String relation) {
        return DSL.concat(function("quote_ident", String.class, val(schema)), inline("."),
                function("quote_ident", String.class, val(relation)));
    }
}
