package dev.upsertingest.ops;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.SQLDataType;

import java.sql.SQLException;
import java.time.OffsetDateTime;

import static dev.upsertingest.schema.Tables.VIEW;
import static dev.upsertingest.schema.Tables.VIEW_STATE;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.val;

/**
 * The SQL of the requests the worker carries out: a rebuild ({@code ingest.request_rebuild}) and a refresh
 * ({@code ingest.request_view_refresh}), both checked by those functions (V8__operations.sql), and how a requested
 * refresh stands.
 */
final class RequestStatements {

    /** A view's refresh state, as far as a requested refresh goes. */
    record RefreshRow(String view, String mode, OffsetDateTime lastStartedAt, String outcome, String error, Long rows,
                      OffsetDateTime requestedAt, boolean streamComplete) {
    }

    private final DSLContext dsl;

    RequestStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    ResultQuery<Record> requestRebuildQuery(String stream, String requestedBy, boolean emptyTable) {
        return dsl.resultQuery("select {0}", function(name("ingest", "request_rebuild"), SQLDataType.BIGINT,
                val(stream), val(requestedBy), val(emptyTable)));
    }

    long requestRebuild(String stream, String requestedBy, boolean emptyTable) {
        return translated(() -> requestRebuildQuery(stream, requestedBy, emptyTable).fetchOne(0, Long.class));
    }

    ResultQuery<Record> requestRefreshQuery(String view, String requestedBy) {
        return dsl.resultQuery("select {0}", function(name("ingest", "request_view_refresh"),
                SQLDataType.TIMESTAMPWITHTIMEZONE, val(view), val(requestedBy)));
    }

    OffsetDateTime requestRefresh(String view, String requestedBy) {
        return translated(() -> requestRefreshQuery(view, requestedBy).fetchOne(0, OffsetDateTime.class));
    }

    ResultQuery<? extends Record> refreshStateQuery(String view) {
        return dsl.select(VIEW.NAME, VIEW.REFRESH_MODE, VIEW_STATE.LAST_STARTED_AT, VIEW_STATE.LAST_OUTCOME,
                        VIEW_STATE.LAST_ERROR, VIEW_STATE.ROW_COUNT, VIEW_STATE.REFRESH_REQUESTED_AT,
                        function(name("ingest", "stream_table_is_complete"), Boolean.class, VIEW.STREAM))
                .from(VIEW).join(VIEW_STATE).on(VIEW_STATE.VIEW.eq(VIEW.NAME))
                .where(VIEW.NAME.eq(val(view)));
    }

    RefreshRow refreshState(String view) {
        Record r = refreshStateQuery(view).fetchOne();
        if (r == null) {
            throw new OperationException(OperationException.Kind.NOT_FOUND, "there is no view " + view);
        }
        return new RefreshRow(r.get(0, String.class), r.get(1, String.class), r.get(2, OffsetDateTime.class),
                r.get(3, String.class), r.get(4, String.class), r.get(5, Long.class), r.get(6, OffsetDateTime.class),
                !Boolean.FALSE.equals(r.get(7, Boolean.class)));
    }

    /** The functions' refusals (their SQLSTATEs) as what they mean. */
    private static <T> T translated(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (DataAccessException e) {
            String state = e.getCause() instanceof SQLException sql ? sql.getSQLState() : e.sqlState();
            String message = e.getCause() instanceof SQLException sql
                    ? sql.getMessage().replaceFirst("^ERROR: ", "").lines().findFirst().orElse("") : e.getMessage();
            OperationException.Kind kind = switch (state == null ? "" : state) {
                case "P0002" -> OperationException.Kind.NOT_FOUND;
                case "55000", "0A000" -> OperationException.Kind.CONFLICT;
                default -> null;
            };
            if (kind == null) {
                throw e;
            }
            throw new OperationException(kind, message, e);
        }
    }
}
