package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.RefreshMode;
import dev.upsertingest.core.view.ViewDefinition;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonPointer;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalStatementsTest {

    private static final StreamDefinition ORDERS = new StreamDefinition("orders", "orders", "streams", "orders",
            KeySource.VALUE, List.of(new KeyColumn("order_id", KeyType.TEXT, JsonPointer.compile("/order_id"))),
            JsonPointer.compile("/version"), MergeMode.REPLACE, Durability.UNLOGGED);

    private final IncrementalStatements byStatus = new IncrementalStatements(new ViewDefinition("by_status", "orders", "views",
            Duration.ofSeconds(1), false, RefreshMode.INCREMENTAL, List.of("status", "total")), ORDERS);

    /** A composite key, the whole document kept, and names that need quoting. */
    private final IncrementalStatements odd = new IncrementalStatements(new ViewDefinition("we\"ird_v", "we\"ird", "views",
            Duration.ofSeconds(1), true, RefreshMode.INCREMENTAL, List.of()), new StreamDefinition("we\"ird", "t", "streams", "we\"ird",
            KeySource.VALUE, List.of(new KeyColumn("tenant", KeyType.UUID, JsonPointer.compile("/t")),
            new KeyColumn("seq", KeyType.BIGINT, JsonPointer.compile("/s"))), null, MergeMode.MERGE, Durability.LOGGED));

    private static final String BY_STATUS_UPSERT = "insert into \"views\".\"by_status\" as \"w\" (\"order_id\", \"status\", \"total\", \"updated_at\") "
            + "select \"p\".\"order_id\", \"p\".\"status\", \"p\".\"total\", \"p\".\"updated_at\" from %s "
            + "on conflict (\"order_id\") do update set \"status\" = excluded.\"status\", \"total\" = excluded.\"total\", "
            + "\"updated_at\" = excluded.\"updated_at\" "
            + "where (\"w\".\"status\", \"w\".\"total\", \"w\".\"updated_at\") is distinct from "
            + "(excluded.\"status\", excluded.\"total\", excluded.\"updated_at\") "
            + "returning (\"w\".\"xmax\" = 0) as \"inserted\"";

    @Test
    void deltaAppliesTheKeysOfTransactionsThePreviousSnapshotDidNotSee() {
        assertThat(byStatus.delta()).isEqualTo(
                "with \"prev\" as (select cast(? as pg_snapshot) as \"snapshot\"), "
                        + "\"changed\" as materialized (select distinct \"u\".\"order_id\" from \"ingest\".\"orders__changes\" \"c\" "
                        + "cross join \"prev\" cross join lateral unnest(\"c\".\"order_id\") as \"u\"(\"order_id\") "
                        + "where \"c\".\"txid\" >= pg_snapshot_xmin(\"prev\".\"snapshot\") "
                        + "and not pg_visible_in_snapshot(\"c\".\"txid\", \"prev\".\"snapshot\")), "
                        + "\"fresh\" as materialized (select \"k\".\"order_id\" as \"changed:order_id\", \"p\".\"order_id\", "
                        + "\"p\".\"status\", \"p\".\"total\", \"p\".\"updated_at\" from \"changed\" \"k\" "
                        + "left join \"ingest\".\"by_status__projection\" \"p\" on \"p\".\"order_id\" = \"k\".\"order_id\"), "
                        + "\"deleted\" as (delete from \"views\".\"by_status\" \"w\" using \"fresh\" \"f\" "
                        + "where \"w\".\"order_id\" = \"f\".\"changed:order_id\" and \"f\".\"order_id\" is null returning 1), "
                        + "\"upserted\" as (" + BY_STATUS_UPSERT.formatted("\"fresh\" \"p\" where \"p\".\"order_id\" is not null") + ") "
                        + "select (select count(*) from \"changed\"), (select count(*) from \"deleted\"), "
                        + "(select count(*) from \"upserted\" where \"inserted\"), (select count(*) from \"upserted\")");
    }

    @Test
    void reconcileComparesTheWholeViewWithItsProjection() {
        assertThat(byStatus.reconcile()).isEqualTo(
                "with \"deleted\" as (delete from \"views\".\"by_status\" \"w\" where not exists (select 1 from \"streams\".\"orders\" \"s\" "
                        + "where \"s\".\"order_id\" = \"w\".\"order_id\") returning 1), "
                        + "\"upserted\" as (" + BY_STATUS_UPSERT.formatted("\"ingest\".\"by_status__projection\" \"p\"") + ") "
                        + "select (select count(*) from \"deleted\"), (select count(*) from \"upserted\" where \"inserted\"), "
                        + "(select count(*) from \"upserted\")");
    }

    @Test
    void pruneKeepsWhatTheOldestSnapshotOfTheStreamsViewsMayStillNeed() {
        assertThat(IncrementalStatements.pruneChanges(ORDERS)).isEqualTo(
                "delete from \"ingest\".\"orders__changes\" where \"txid\" < (select min(pg_snapshot_xmin(\"st\".\"snapshot\")) "
                        + "from \"ingest\".\"view_state\" \"st\" join \"ingest\".\"view\" \"v\" on \"v\".\"name\" = \"st\".\"view\" "
                        + "where \"v\".\"stream\" = ? and \"v\".\"refresh_mode\" = 'incremental' and \"st\".\"snapshot\" is not null)");
    }

    @Test
    void compositeKeysAreUnnestedTogetherAndNamesQuoted() {
        assertThat(odd.delta())
                .contains("from \"ingest\".\"we\"\"ird__changes\" \"c\" cross join \"prev\" "
                        + "cross join lateral unnest(\"c\".\"tenant\", \"c\".\"seq\") as \"u\"(\"tenant\", \"seq\")")
                .contains("on \"p\".\"tenant\" = \"k\".\"tenant\" and \"p\".\"seq\" = \"k\".\"seq\"")
                .contains("where \"w\".\"tenant\" = \"f\".\"changed:tenant\" and \"w\".\"seq\" = \"f\".\"changed:seq\" and \"f\".\"tenant\" is null")
                .contains("insert into \"views\".\"we\"\"ird_v\" as \"w\" (\"tenant\", \"seq\", \"doc\", \"updated_at\")")
                .contains("on conflict (\"tenant\", \"seq\") do update set \"doc\" = excluded.\"doc\", \"updated_at\" = excluded.\"updated_at\"");
    }
}
