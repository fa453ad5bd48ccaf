package dev.upsertingest.ops;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations' SQL by its exact text: identifiers quoted through jOOQ, every value a bind parameter, requests only
 * through the checked functions of V8__operations.sql, and a replay's claim that never sends a letter twice.
 */
class StatementsTest {

    private final DSLContext dsl = DSL.using(SQLDialect.POSTGRES);

    @Test
    void aRebuildAndARefreshAreRequestedThroughTheirFunctions() {
        RequestStatements sql = new RequestStatements(dsl);
        assertThat(sql.requestRebuildQuery("orders", "ops@host", true).getSQL())
                .isEqualTo("select \"ingest\".\"request_rebuild\"(?, ?, ?)");
        assertThat(sql.requestRebuildQuery("orders", "ops@host", true).getBindValues()).containsExactly("orders", "ops@host", true);
        assertThat(sql.requestRefreshQuery("orders_view", "ops@host").getSQL())
                .isEqualTo("select \"ingest\".\"request_view_refresh\"(?, ?)");
        assertThat(sql.refreshStateQuery("orders_view").getSQL()).isEqualTo(
                "select \"ingest\".\"view\".\"name\", \"ingest\".\"view\".\"refresh_mode\", \"ingest\".\"view_state\".\"last_started_at\", "
                        + "\"ingest\".\"view_state\".\"last_outcome\", \"ingest\".\"view_state\".\"last_error\", "
                        + "\"ingest\".\"view_state\".\"row_count\", \"ingest\".\"view_state\".\"refresh_requested_at\", "
                        + "\"ingest\".\"stream_table_is_complete\"(\"ingest\".\"view\".\"stream\") "
                        + "from \"ingest\".\"view\" join \"ingest\".\"view_state\" on \"ingest\".\"view_state\".\"view\" = \"ingest\".\"view\".\"name\" "
                        + "where \"ingest\".\"view\".\"name\" = ?");
    }

    @Test
    void streamsAreReadWithTheirStatisticsAndSize() {
        assertThat(new StatusStatements(dsl).streamsQuery().getSQL()).isEqualTo(
                "select \"ingest\".\"stream\".\"name\", \"ingest\".\"stream\".\"topic\", \"ingest\".\"stream\".\"durability\", "
                        + "\"ingest\".\"stream\".\"table_schema\", \"ingest\".\"stream\".\"table_name\", "
                        + "coalesce(\"pg_stat_user_tables\".\"n_live_tup\", 0), "
                        + "coalesce(pg_total_relation_size(\"pg_stat_user_tables\".\"relid\"), 0) "
                        + "from \"ingest\".\"stream\" left outer join \"pg_catalog\".\"pg_stat_user_tables\" "
                        + "on (\"pg_stat_user_tables\".\"schemaname\" = \"ingest\".\"stream\".\"table_schema\" "
                        + "and \"pg_stat_user_tables\".\"relname\" = \"ingest\".\"stream\".\"table_name\") "
                        + "order by \"ingest\".\"stream\".\"name\"");
    }

    @Test
    void theLatestRebuildIsTheRunningOneElseTheNewest() {
        assertThat(new StatusStatements(dsl).latestRebuildQuery("orders").getSQL()).endsWith(
                "from \"ingest\".\"stream_rebuild\" where \"ingest\".\"stream_rebuild\".\"stream\" = ? "
                        + "order by (\"ingest\".\"stream_rebuild\".\"state\" in (?, ?)) desc, \"ingest\".\"stream_rebuild\".\"id\" desc "
                        + "fetch next 1 rows only");
    }

    @Test
    void aReplayClaimsItsLettersOrFindsThemClaimed() {
        UUID id = UUID.fromString("00000000-0000-0000-0000-000000000001");
        var claim = new ReplayStatements(dsl).claimQuery("orders", "orders.dlt",
                List.of(new ReplayStatements.Claim(0, 7, "key_too_long"), new ReplayStatements.Claim(1, 3, "invalid_json")),
                id, "ops@host");
        assertThat(claim.getSQL()).isEqualTo(
                "insert into \"ingest\".\"dead_letter_replay\" (\"dlt_topic\", \"dlt_partition\", \"dlt_offset\", \"stream\", "
                        + "\"reason\", \"replay_id\", \"replayed_by\") values (?, ?, ?, ?, ?, cast(? as uuid), ?), (?, ?, ?, ?, ?, cast(? as uuid), ?) "
                        + "on conflict do nothing returning \"ingest\".\"dead_letter_replay\".\"dlt_partition\", "
                        + "\"ingest\".\"dead_letter_replay\".\"dlt_offset\"");
        assertThat(claim.getBindValues()).containsExactly("orders.dlt", 0, 7L, "orders", "key_too_long", id, "ops@host",
                "orders.dlt", 1, 3L, "orders", "invalid_json", id, "ops@host");
        assertThat(new ReplayStatements(dsl).recordTargetQuery("orders.dlt", 0, 7, "orders", 2, 99).getSQL()).isEqualTo(
                "update \"ingest\".\"dead_letter_replay\" set \"target_topic\" = ?, \"target_partition\" = ?, "
                        + "\"target_offset\" = ? where (\"ingest\".\"dead_letter_replay\".\"dlt_topic\" = ? "
                        + "and \"ingest\".\"dead_letter_replay\".\"dlt_partition\" = ? "
                        + "and \"ingest\".\"dead_letter_replay\".\"dlt_offset\" = ?)");
    }

    @Test
    void positionsOfDifferentPartitionsNeverCollide() {
        assertThat(ReplayStatements.position(0, 5)).isNotEqualTo(ReplayStatements.position(1, 5));
        assertThat(ReplayStatements.position(2, 1L << 40)).isEqualTo((2L << 48) | (1L << 40));
    }

    @Test
    void intervalsReadAsIso() {
        assertThat(DirectOperations.isoInterval("00:00:10")).isEqualTo("PT10S");
        assertThat(DirectOperations.isoInterval("01:30:00")).isEqualTo("PT1H30M");
        assertThat(DirectOperations.isoInterval("1 day 00:00:01")).isEqualTo("PT24H1S");
        assertThat(DirectOperations.isoInterval("1 mon")).isEqualTo("1 mon");
    }
}
