package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.view.RefreshMode;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refresher's lock, by the exact SQL: a row lock on the control schema (which only the worker's login may lock),
 * skipping a row another replica holds, never an advisory lock (which any role may take).
 */
class RefreshStatementsTest {

    private final RefreshStatements sql = new RefreshStatements(DSL.using(SQLDialect.POSTGRES));
    private final ViewDefinition view = new ViewDefinition("orders_view", "orders", "views", Duration.ofSeconds(5), false,
            RefreshMode.INCREMENTAL, List.of("status"));

    @Test
    void theLockIsTheViewsRowInWorkerLockSkippedWhenAnotherReplicaHoldsIt() {
        assertThat(sql.tryLockQuery(view).getSQL()).isEqualTo(
                "select \"ingest\".\"worker_lock\".\"name\" from \"ingest\".\"worker_lock\" "
                        + "where (\"ingest\".\"worker_lock\".\"scope\" = ? and \"ingest\".\"worker_lock\".\"name\" = ?) "
                        + "for update skip locked");
        assertThat(sql.tryLockQuery(view).getBindValues()).containsExactly("view_refresh", "orders_view");
    }

    @Test
    void theLockRowIsCreatedWithoutWaitingForAHolder() {
        assertThat(sql.ensureLockRowQuery(view).getSQL()).isEqualTo(
                "insert into \"ingest\".\"worker_lock\" (\"scope\", \"name\") values (?, ?) on conflict do nothing");
        assertThat(sql.ensureLockRowQuery(view).getBindValues()).containsExactly("view_refresh", "orders_view");
    }

    @Test
    void aRefreshAskedForByHandIsPendingUntilARefreshStartsAfterIt() {
        assertThat(sql.freshnessQuery().getSQL()).isEqualTo(
                "select \"ingest\".\"view_state\".\"view\", \"ingest\".\"view_state\".\"row_count\", "
                        + "\"ingest\".\"view_state\".\"newest_data_at\", (\"ingest\".\"view_state\".\"refresh_requested_at\" is not null "
                        + "and (\"ingest\".\"view_state\".\"last_started_at\" is null or \"ingest\".\"view_state\".\"refresh_requested_at\" "
                        + "> \"ingest\".\"view_state\".\"last_started_at\")) from \"ingest\".\"view_state\"");
        java.time.OffsetDateTime t = java.time.OffsetDateTime.parse("2026-12-01T10:00:00Z");
        assertThat(new RefreshStatements.ViewState(t, null, null, null, null, t.plusSeconds(1)).requested()).isTrue();
        assertThat(new RefreshStatements.ViewState(t, null, null, null, null, t).requested()).as("that refresh did it").isFalse();
        assertThat(new RefreshStatements.ViewState(null, null, null, null, null, t).requested()).isTrue();
        assertThat(new RefreshStatements.ViewState(t, null, null, null, null, null).requested()).isFalse();
    }
}
