package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.jooq.impl.DSL.name;

/**
 * All SQL that keeps one incremental view up to date, rendered once per view definition. Identifiers come from the
 * registry (the stream's key columns, the view's declared columns) and are quoted by jOOQ; the previous snapshot and
 * the stream name are bind parameters. The relations it reads and writes are made by the migrations
 * (V7__incremental_views.sql): the view table {@code views.<view>}, its projection {@code ingest.<view>__projection}
 * (the same select list as the view, over the stream table) and the stream's change table
 * {@code ingest.<stream>__changes} (keys written by each statement, with the writing transaction's id).
 *
 * <p>Each statement is one statement on purpose: its parts (the changed keys, the deletes, the upserts) share one
 * snapshot, and the refresh transaction, REPEATABLE READ, shares it with the snapshot it records.
 */
final class IncrementalStatements {

    private static final DSLContext DSL_CONTEXT = DSL.using(SQLDialect.POSTGRES,
            new Settings().withRenderFormatted(false).withExecuteLogging(false));

    private final String delta;
    private final String reconcile;

    IncrementalStatements(ViewDefinition view, StreamDefinition stream) {
        List<String> keys = stream.keyColumns().stream().map(KeyColumn::name).toList();
        List<String> values = new ArrayList<>(view.columns());
        if (view.keepDocument()) {
            values.add("doc");
        }
        values.add("updated_at");
        List<String> all = new ArrayList<>(keys);
        all.addAll(values);

        String target = q(view.schema(), view.name());
        String projection = q("ingest", view.projectionView());
        String changes = q("ingest", stream.name() + "__changes");
        String streamTable = q(stream.tableSchema(), stream.tableName());
        String upsert = "insert into " + target + " as \"w\" (" + list(all, IncrementalStatements::q) + ") "
                + "select " + list(all, c -> "\"p\"." + q(c)) + " from %s "
                + "on conflict (" + list(keys, IncrementalStatements::q) + ") do update set "
                + list(values, c -> q(c) + " = excluded." + q(c)) + " "
                + "where (" + list(values, c -> "\"w\"." + q(c)) + ") is distinct from ("
                + list(values, c -> "excluded." + q(c)) + ") "
                + "returning (\"w\".\"xmax\" = 0) as \"inserted\"";

        // The changed keys' rows are looked up in the stream table once ("fresh"): a key without a row there was
        // deleted, the others are upserted with their new projection. "changed:<key>" cannot clash with a view column
        // (declared names are plain lower-case identifiers).
        this.delta = "with \"prev\" as (select cast(? as pg_snapshot) as \"snapshot\"), "
                + "\"changed\" as materialized (select distinct " + list(keys, k -> "\"u\"." + q(k)) + " from " + changes + " \"c\" "
                + "cross join \"prev\" cross join lateral unnest(" + list(keys, k -> "\"c\"." + q(k)) + ") as \"u\"(" + list(keys, IncrementalStatements::q) + ") "
                + "where \"c\".\"txid\" >= pg_snapshot_xmin(\"prev\".\"snapshot\") "
                + "and not pg_visible_in_snapshot(\"c\".\"txid\", \"prev\".\"snapshot\")), "
                + "\"fresh\" as materialized (select " + list(keys, k -> "\"k\"." + q(k) + " as " + q("changed:" + k))
                + ", " + list(all, c -> "\"p\"." + q(c)) + " from \"changed\" \"k\" left join " + projection + " \"p\" on "
                + sameKeys(keys, "\"p\"", "\"k\"") + "), "
                + "\"deleted\" as (delete from " + target + " \"w\" using \"fresh\" \"f\" where "
                + keys.stream().map(k -> "\"w\"." + q(k) + " = \"f\"." + q("changed:" + k)).collect(Collectors.joining(" and "))
                + " and \"f\"." + q(keys.getFirst()) + " is null returning 1), "
                + "\"upserted\" as (" + upsert.formatted("\"fresh\" \"p\" where \"p\"." + q(keys.getFirst()) + " is not null") + ") "
                + "select (select count(*) from \"changed\"), (select count(*) from \"deleted\"), "
                + "(select count(*) from \"upserted\" where \"inserted\"), (select count(*) from \"upserted\")";

        this.reconcile = "with \"deleted\" as (delete from " + target + " \"w\" where not exists (select 1 from " + streamTable
                + " \"s\" where " + sameKeys(keys, "\"s\"", "\"w\"") + ") returning 1), "
                + "\"upserted\" as (" + upsert.formatted(projection + " \"p\"") + ") "
                + "select (select count(*) from \"deleted\"), (select count(*) from \"upserted\" where \"inserted\"), "
                + "(select count(*) from \"upserted\")";
    }

    /**
     * Applies the changes the snapshot bound as parameter 1 did not see: the keys of every change-table row written by
     * a transaction invisible to it, looked up once in the projection; deleted from the view where the stream table no
     * longer has them, upserted elsewhere (a row whose projected values did not change is left alone). Returns one row: changed
     * keys, rows deleted, rows inserted, rows inserted or updated.
     */
    String delta() {
        return delta;
    }

    /**
     * Makes the whole view equal to its projection: deletes rows whose key the stream table lacks and upserts every
     * projected row that differs. For a view never filled, after a TRUNCATE, and after a rebuild of the stream table
     * from Kafka (whose change table was emptied with it). Returns one row: rows deleted, inserted, inserted or updated.
     */
    String reconcile() {
        return reconcile;
    }

    /**
     * Deletes the change-table rows every incremental view of the stream has applied (written by transactions that
     * ended before the oldest of their snapshots). The stream name is parameter 1.
     */
    static String pruneChanges(StreamDefinition stream) {
        return "delete from " + q("ingest", stream.name() + "__changes") + " where \"txid\" < (select min(pg_snapshot_xmin(\"st\".\"snapshot\")) "
                + "from \"ingest\".\"view_state\" \"st\" join \"ingest\".\"view\" \"v\" on \"v\".\"name\" = \"st\".\"view\" "
                + "where \"v\".\"stream\" = ? and \"v\".\"refresh_mode\" = 'incremental' and \"st\".\"snapshot\" is not null)";
    }

    private static String sameKeys(List<String> keys, String left, String right) {
        return keys.stream().map(k -> left + "." + q(k) + " = " + right + "." + q(k)).collect(Collectors.joining(" and "));
    }

    private static String list(List<String> names, Function<String, String> each) {
        return names.stream().map(each).collect(Collectors.joining(", "));
    }

    private static String q(String... parts) {
        return DSL_CONTEXT.render(name(parts));
    }
}
