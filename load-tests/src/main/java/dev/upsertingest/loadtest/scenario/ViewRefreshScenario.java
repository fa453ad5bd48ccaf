package dev.upsertingest.loadtest.scenario;

import com.zaxxer.hikari.HikariDataSource;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamCatalogRepository;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.workload.BenchEvents;
import dev.upsertingest.loadtest.workload.OrderView;
import dev.upsertingest.core.view.ViewCatalogRepository;
import dev.upsertingest.core.view.ViewDefinition;
import dev.upsertingest.worker.refresh.RefreshResult;
import dev.upsertingest.worker.refresh.RefreshSettings;
import dev.upsertingest.worker.refresh.ViewRefresher;
import org.springframework.util.unit.DataSize;
import java.time.Clock;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Why secondary indexes belong on a view, and what keeping that view fresh costs in each refresh mode. In one run: the
 * upsert rate of a primary-key-only table against the same table carrying 8 indexes; then two views with the same 8
 * indexes over the same table, one full (a materialized view, REFRESH ... CONCURRENTLY) and one incremental (the
 * worker's own refresher applying the changed rows), and, after 0, 0.1, 1, 10 and 100% of the rows changed, the time
 * each takes to show the change.
 */
public final class ViewRefreshScenario implements Scenario {

    @Override
    public String name() {
        return "view-refresh";
    }

    @Override
    public String summary() {
        return "indexes on the table vs on a view: ingest rate; refresh time, incremental vs full, after 0-100% changes";
    }

    @Override
    public String usage() {
        return """
                --rows=1000000             rows in the table and the view
                --ingest-events=200000     upserts (to existing keys) per ingest measurement
                --changes=0,0.1,1,10,100   percentages of rows changed before each pair of refreshes (decimals allowed)
                --ingest-comparison=true   false skips the table-indexes ingest comparison (e.g. for --rows=10000000)
                --doc-size=440             bytes per document
                --batch-size=2000          events per write transaction
                --jdbc-url=...             an existing PostgreSQL (default: an embedded one, tuned)
                --db-user=postgres --db-password=postgres""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        int rows = (int) options.number("rows", 1_000_000);
        int ingestEvents = (int) options.number("ingest-events", 200_000);
        List<Double> changes = options.list("changes", "0,0.1,1,10,100").stream().map(Double::parseDouble).toList();
        boolean ingestComparison = Boolean.parseBoolean(options.string("ingest-comparison", "true"));
        int docSize = (int) options.number("doc-size", 440);
        int batchSize = (int) options.number("batch-size", 2000);

        try (BenchDatabase database = BenchDatabase.open(options, progress);
             HikariDataSource pool = database.pool("writer", 1);
             Connection session = database.connection();
             Statement sql = session.createStatement()) {
            options.rejectUnknown();
            sql.execute("select ingest.drop_stream(name) from ingest.stream where name = 'bench_view'");
            sql.execute("select ingest.declare_stream('bench_view', 'bench_view', "
                    + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
            StreamDefinition stream = new StreamCatalogRepository(DSL.using(pool, SQLDialect.POSTGRES)).load()
                    .byName("bench_view").orElseThrow();
            UpsertBatchWriter writer = new UpsertBatchWriter(pool,
                    new WriteSettings(WriteMethod.UNNEST, WriteSettings.SynchronousCommit.OFF, WriteSettings.SynchronousCommit.OFF, Duration.ofMinutes(10)),
                    BenchEvents.PARSER::toJson);

            double loadSeconds = BenchEvents.load(writer, stream, rows, docSize, batchSize, progress);
            sql.execute("vacuum analyze streams.bench_view");

            // Ingest: primary key only, then with the 8 indexes on the table, then primary key only again.
            SplittableRandom random = new SplittableRandom(11);
            Map<String, Object> ingest = new LinkedHashMap<>();
            if (ingestComparison) {
                double pkOnlyFirst = ingestRate(stream, writer, sql, ingestEvents, rows, docSize, batchSize, random, progress, "primary key only");
                for (String index : OrderView.createTableIndexes("bench_view")) {
                    sql.execute(index);
                }
                double indexed = ingestRate(stream, writer, sql, ingestEvents, rows, docSize, batchSize, random, progress, "8 indexes on the table");
                for (String index : OrderView.dropTableIndexes("bench_view")) {
                    sql.execute(index);
                }
                double pkOnlyAgain = ingestRate(stream, writer, sql, ingestEvents, rows, docSize, batchSize, random, progress, "primary key only, again");
                double pkOnly = (pkOnlyFirst + pkOnlyAgain) / 2;
                ingest.put("events", ingestEvents);
                ingest.put("primary_key_only_events_per_s", Math.round(pkOnly));
                ingest.put("primary_key_only_runs_events_per_s", List.of(Math.round(pkOnlyFirst), Math.round(pkOnlyAgain)));
                ingest.put("eight_indexes_on_table_events_per_s", Math.round(indexed));
                ingest.put("ratio_view_design_over_indexed_table", Figures.round(pkOnly / indexed, 2));
            }

            sql.execute("set work_mem = '64MB'"); // what the worker's refresher uses
            progress.say("declaring the full view (a materialized view) with 8 indexes over %,d rows", rows);
            long t0 = System.nanoTime();
            OrderView.declare(sql.getConnection(), "bench_view_f", "bench_view", "10s", "full");
            double fullCreateSeconds = (System.nanoTime() - t0) / 1e9;
            progress.say("declaring the incremental view (a table, change capture on the stream) with the same indexes");
            t0 = System.nanoTime();
            OrderView.declare(sql.getConnection(), "bench_view_i", "bench_view", "1s", "incremental");
            double incrementalCreateSeconds = (System.nanoTime() - t0) / 1e9;
            sql.execute("vacuum analyze views.bench_view_f");
            sql.execute("vacuum analyze views.bench_view_i");

            // The incremental view is refreshed by the worker's own refresher, as in production: lock, delta, state. It
            // refreshes only a stream table known complete, which the worker's crash recovery marks; here no worker runs.
            sql.execute("insert into ingest.stream_table_marker (stream) values ('bench_view') on conflict do nothing");
            ViewRefresher refresher = new ViewRefresher(pool, new StreamCatalogRepository(DSL.using(pool, SQLDialect.POSTGRES)).load(),
                    new RefreshSettings(true, Duration.ofSeconds(1), Duration.ofHours(2), DataSize.ofMegabytes(64), Map.of(),
                            Duration.ofDays(1), Duration.ofSeconds(10), 1), "bench", Clock.systemUTC());
            ViewDefinition incremental = new ViewCatalogRepository(DSL.using(pool, SQLDialect.POSTGRES)).load("bench_view_i").orElseThrow();

            for (int i = 0; i < 20; i++) { // warm the refresher's code path (class loading, JIT) on unchanged looks
                refresher.refreshIfDue(incremental, v -> Duration.ZERO);
            }

            List<Map<String, Object>> refreshes = new ArrayList<>();
            for (double percent : changes) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("changed_percent", percent);
                row.put("changed_rows", change(stream, writer, rows, percent, docSize, batchSize, random));
                long start = System.nanoTime();
                RefreshResult result = refresher.refreshIfDue(incremental, v -> Duration.ZERO);
                double incrementalSeconds = (System.nanoTime() - start) / 1e9;
                if (result.outcome() != RefreshResult.Outcome.REFRESHED && result.outcome() != RefreshResult.Outcome.UNCHANGED) {
                    throw new IllegalStateException("the incremental refresh came to " + result.outcome() + ": " + result.error());
                }
                row.put("incremental_s", Figures.round(incrementalSeconds, 4));
                row.put("incremental_keys_applied", Math.max(0, result.changed()));
                row.put("concurrently_s", Figures.round(BenchDatabase.secondsToRun(sql, "refresh materialized view concurrently views.bench_view_f"), 2));
                row.put("speedup", Figures.round((Double) row.get("concurrently_s") / Math.max(1e-4, incrementalSeconds), 1));
                progress.say("%s%% changed (%,d rows): incremental %.3f s, concurrently %.1f s (%.0fx)", percent, row.get("changed_rows"),
                        incrementalSeconds, row.get("concurrently_s"), row.get("speedup"));
                refreshes.add(row);
            }
            progress.say("differential check of the incremental view against a full recompute");
            long differences = Long.parseLong(database.queryString("select count(*) from ingest.check_view('bench_view_i', 1000000)"));
            progress.say("  %d differences", differences);
            Map<String, Object> goals = new LinkedHashMap<>();
            refreshes.stream().filter(r -> (Double) r.get("changed_percent") == 1.0).findFirst().ifPresent(r ->
                    goals.put("speedup_at_1_percent_at_least_10", Map.of("speedup", r.get("speedup"), "met", (Double) r.get("speedup") >= 10)));
            refreshes.stream().filter(r -> (Double) r.get("changed_percent") == 0.1).findFirst().ifPresent(r ->
                    goals.put("speedup_at_0.1_percent_at_least_50", Map.of("speedup", r.get("speedup"), "met", (Double) r.get("speedup") >= 50)));
            Map<String, Object> views = new LinkedHashMap<>();
            views.put("full_create_s", Figures.round(fullCreateSeconds, 2));
            views.put("incremental_create_s", Figures.round(incrementalCreateSeconds, 2));
            views.put("incremental_differences_after_all_refreshes", differences);
            return report(resultsDirectory, progress, rows, loadSeconds, views, ingest, refreshes, goals, database, Map.of(
                    "rows", rows, "ingest_events", ingestEvents, "changes_percent", changes, "doc_size", docSize,
                    "batch_size", batchSize, "writers", 1, "write_method", "unnest", "view_indexes", 8 + 1,
                    "table_indexes_compared", ingestComparison ? 8 : 0));
        }
    }

    @Override
    public LineChart chart(tools.jackson.databind.JsonNode results) {
        List<String> categories = new ArrayList<>();
        List<Double> incremental = new ArrayList<>();
        List<Double> concurrently = new ArrayList<>();
        for (tools.jackson.databind.JsonNode row : results.get("refresh")) {
            categories.add(row.get("changed_percent").asDouble() + "%");
            if (row.has("plain_s")) { // results of the full mode only, before incremental views
                incremental.add(Double.NaN);
            } else {
                incremental.add(row.get("incremental_s").asDouble());
            }
            concurrently.add(row.get("concurrently_s").asDouble());
        }
        LineChart chart = new LineChart("Refresh of a %,d-row view with 8 indexes (+ unique key), incremental vs full"
                .formatted(results.get("load").get("rows").asLong()), "rows changed since the last refresh", "seconds", categories);
        chart.series("full: REFRESH MATERIALIZED VIEW CONCURRENTLY", concurrently.stream().mapToDouble(Double::doubleValue).toArray());
        chart.series("incremental: the changed rows applied", incremental.stream().mapToDouble(Double::doubleValue).toArray());
        return chart;
    }

    private static double ingestRate(StreamDefinition stream, UpsertBatchWriter writer, Statement sql, int events, int rows,
                                     int docSize, int batchSize, SplittableRandom random, Progress progress, String label) throws Exception {
        sql.execute("vacuum analyze streams.bench_view");
        List<ParsedEvent.Upsert> upserts = BenchEvents.generate(stream, events, () -> random.nextLong(rows), docSize, random.nextLong());
        double rate = events / BenchEvents.write(writer, BenchEvents.batches(stream, upserts, batchSize));
        progress.say("ingest, %s: %,.0f events/s", label, rate);
        return rate;
    }

    /** Rewrites {@code percent} % of the rows (distinct keys, new documents); returns how many. */
    private static int change(StreamDefinition stream, UpsertBatchWriter writer, int rows, double percent, int docSize,
                              int batchSize, SplittableRandom random) throws Exception {
        long count = Math.round(rows * percent / 100);
        if (count == 0) {
            return 0;
        }
        Set<Long> keys = new HashSet<>();
        if (count == rows) {
            for (long key = 0; key < rows; key++) {
                keys.add(key);
            }
        }
        while (keys.size() < count) {
            keys.add(random.nextLong(rows));
        }
        var iterator = keys.iterator();
        BenchEvents.write(writer, BenchEvents.batches(stream,
                BenchEvents.generate(stream, keys.size(), iterator::next, docSize, random.nextLong()), batchSize));
        return keys.size();
    }

    private Path report(Path directory, Progress progress, int rows, double loadSeconds, Map<String, Object> views, Map<String, Object> ingest,
                        List<Map<String, Object>> refreshes, Map<String, Object> goals, BenchDatabase database,
                        Map<String, Object> parameters) throws Exception {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("parameters", parameters);
        document.put("postgres", database.facts());
        document.put("load", Map.of("rows", rows, "seconds", Figures.round(loadSeconds, 1)));
        document.put("ingest", ingest);
        document.put("views", views);
        document.put("refresh", refreshes);
        document.put("goals", goals);
        Path json = save(directory, progress, document);
        Path png = Results.chartFile(json);

        StringBuilder summary = new StringBuilder();
        if (!ingest.isEmpty()) {
            summary.append(String.format("%nIngest (upserts to existing keys, 1 writer):%n"));
            summary.append(String.format("  primary key only          %,10d events/s%n", ingest.get("primary_key_only_events_per_s")));
            summary.append(String.format("  + 8 indexes on the table  %,10d events/s%n", ingest.get("eight_indexes_on_table_events_per_s")));
            summary.append(String.format("  ratio                     %10.2f x%n", ingest.get("ratio_view_design_over_indexed_table")));
        }
        summary.append(String.format("%nViews with 8 indexes over %,d rows: full created in %.1f s, incremental in %.1f s%n", rows,
                views.get("full_create_s"), views.get("incremental_create_s")));
        SummaryTable table = new SummaryTable("changed", "rows", "incremental (s)", "concurrently (s)", "speedup");
        for (Map<String, Object> r : refreshes) {
            table.row(r.get("changed_percent") + "%", r.get("changed_rows"), r.get("incremental_s"), r.get("concurrently_s"),
                    r.get("speedup") + "x");
        }
        summary.append(table);
        System.out.println(summary + "\nresults: " + json + "\nchart:   " + png);
        return json;
    }
}
