package dev.upsertingest.worker.write;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonPointer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpsertStatementsTest {

    private static final String REPLACE_VERSIONED_CONFLICT = " on conflict (\"order_id\") do update set \"doc\" = excluded.\"doc\", "
            + "\"version\" = excluded.\"version\", \"updated_at\" = excluded.\"updated_at\" "
            + "where (excluded.\"doc\" is distinct from \"t\".\"doc\" and \"t\".\"version\" <= excluded.\"version\")";

    private final UpsertStatements orders = new UpsertStatements(new StreamDefinition("orders", "orders", "streams", "orders",
            KeySource.VALUE, List.of(new KeyColumn("order_id", KeyType.TEXT, JsonPointer.compile("/order_id"))),
            JsonPointer.compile("/version"), MergeMode.REPLACE, Durability.UNLOGGED));

    /** Merge mode, composite key of two types, and a name that needs quoting. */
    private final UpsertStatements odd = new UpsertStatements(new StreamDefinition("we\"ird", "t", "streams", "we\"ird",
            KeySource.VALUE, List.of(new KeyColumn("tenant", KeyType.UUID, JsonPointer.compile("/t")),
            new KeyColumn("seq", KeyType.BIGINT, JsonPointer.compile("/s"))), null, MergeMode.MERGE, Durability.LOGGED));

    @Test
    void unnestUpsertBindsOneArrayPerColumn() {
        assertThat(orders.unnestUpsert()).isEqualTo(
                "insert into \"streams\".\"orders\" as \"t\" (\"order_id\", \"doc\", \"version\") "
                        + "select \"u\".\"k0\", cast(\"u\".\"doc\" as jsonb), \"u\".\"version\" "
                        + "from unnest(cast(? as text[]), cast(? as text[]), cast(? as bigint[])) as \"u\" (\"k0\", \"doc\", \"version\")"
                        + REPLACE_VERSIONED_CONFLICT);
    }

    @Test
    void jsonbArrayUpsertSplitsOneDocumentArray() {
        assertThat(orders.jsonbArrayUpsert()).isEqualTo(
                "insert into \"streams\".\"orders\" as \"t\" (\"order_id\", \"doc\", \"version\") "
                        + "select \"u\".\"k0\", \"u\".\"doc\", \"u\".\"version\" "
                        + "from rows from (unnest(cast(? as text[])), jsonb_array_elements(cast(? as jsonb)), unnest(cast(? as bigint[]))) "
                        + "as \"u\" (\"k0\", \"doc\", \"version\")"
                        + REPLACE_VERSIONED_CONFLICT);
    }

    @Test
    void valuesUpsertHasOneTupleOfParametersPerRow() {
        assertThat(orders.valuesUpsert(2)).isEqualTo(
                "insert into \"streams\".\"orders\" as \"t\" (\"order_id\", \"doc\", \"version\") "
                        + "values (?, cast(? as jsonb), ?), (?, cast(? as jsonb), ?)"
                        + REPLACE_VERSIONED_CONFLICT);
        assertThat(orders.maxRowsPerStatement()).isEqualTo(32_767 / 3);
        assertThatThrownBy(() -> orders.valuesUpsert(32_767 / 3 + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mergeModeMergesWithConcatenationAndSkipsNoOpMerges() {
        assertThat(odd.unnestUpsert()).isEqualTo(
                "insert into \"streams\".\"we\"\"ird\" as \"t\" (\"tenant\", \"seq\", \"doc\") "
                        + "select \"u\".\"k0\", \"u\".\"k1\", cast(\"u\".\"doc\" as jsonb) "
                        + "from unnest(cast(? as uuid[]), cast(? as bigint[]), cast(? as text[])) as \"u\" (\"k0\", \"k1\", \"doc\") "
                        + "on conflict (\"tenant\", \"seq\") do update set \"doc\" = (\"t\".\"doc\" || excluded.\"doc\"), "
                        + "\"updated_at\" = excluded.\"updated_at\" "
                        + "where (\"t\".\"doc\" || excluded.\"doc\") is distinct from \"t\".\"doc\"");
    }

    @Test
    void deletesJoinOnEveryKeyColumn() {
        assertThat(orders.deleteByKeys()).isEqualTo("delete from \"streams\".\"orders\" as \"t\" "
                + "using unnest(cast(? as text[])) as \"u\" (\"k0\") where \"t\".\"order_id\" = \"u\".\"k0\"");
        assertThat(odd.deleteByKeys()).isEqualTo("delete from \"streams\".\"we\"\"ird\" as \"t\" "
                + "using unnest(cast(? as uuid[]), cast(? as bigint[])) as \"u\" (\"k0\", \"k1\") "
                + "where (\"t\".\"tenant\" = \"u\".\"k0\" and \"t\".\"seq\" = \"u\".\"k1\")");
    }

    @Test
    void copyStagesIntoASessionPrivateTable() {
        assertThat(orders.createStagingTable()).isEqualTo("create temporary table if not exists \"ingest_stage_orders\" "
                + "(like \"streams\".\"orders\" including defaults) on commit delete rows");
        assertThat(orders.copyIntoStaging()).isEqualTo(
                "copy \"pg_temp\".\"ingest_stage_orders\" (\"order_id\", \"doc\", \"version\") from stdin");
        assertThat(orders.upsertFromStaging()).isEqualTo("insert into \"streams\".\"orders\" as \"t\" (\"order_id\", \"doc\", \"version\") "
                + "select \"order_id\", \"doc\", \"version\" from \"pg_temp\".\"ingest_stage_orders\"" + REPLACE_VERSIONED_CONFLICT);
    }

    @Test
    void transactionSettingsAreBoundNotSpliced() {
        assertThat(UpsertStatements.transactionSettings()).isEqualTo(
                "select set_config('synchronous_commit', ?, true), set_config('statement_timeout', ?, true)");
    }
}
