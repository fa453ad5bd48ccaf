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
 * Why secondary indexes belong on a materialized view: in one run, the upsert rate of a primary-key-only table
 * against the same table carrying 8 indexes, and what the view costs instead: its refresh time, plain and
 * CONCURRENTLY, after 0%, 1% and 10% of the rows changed.
 */
public final class ViewRefreshScenario implements Scenario {

    @Override
    public String name() {
        return "view-refresh";
    }

    @Override
    public String summary() {
        return "indexes on the table vs on a materialized view: ingest rate, and refresh time after 0/1/10% changes";
    }

    @Override
    public String usage() {
        return """
                --rows=1000000             rows in the table and the view
                --ingest-events=200000     upserts (to existing keys) per ingest measurement
                --changes=0,1,10           percentages of rows changed before each pair of refreshes
                --doc-size=440             bytes per document
                --batch-size=2000          events per write transaction
                --jdbc-url=...             an existing PostgreSQL (default: an embedded one, tuned)
                --db-user=postgres --db-password=postgres""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        int rows = (int) options.number("rows", 1_000_000);
        int ingestEvents = (int) options.number("ingest-events", 200_000);
        List<Integer> changes = options.list("changes", "0,1,10").stream().map(Integer::parseInt).toList();
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
                    new WriteSettings(WriteMethod.UNNEST, WriteSettings.SynchronousCommit.OFF, Duration.ofMinutes(10)),
                    BenchEvents.PARSER::toJson);

            double loadSeconds = BenchEvents.load(writer, stream, rows, docSize, batchSize, progress);
            sql.execute("vacuum analyze streams.bench_view");

            // Ingest: primary key only, then with the 8 indexes on the table, then primary key only again.
            SplittableRandom random = new SplittableRandom(11);
            Map<String, Object> ingest = new LinkedHashMap<>();
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

            progress.say("declaring the view with 8 indexes over %,d rows", rows);
            sql.execute("set work_mem = '64MB'"); // what the worker's refresher uses
            long t0 = System.nanoTime();
            OrderView.declare(sql.getConnection(), "bench_view_v", "bench_view", "10s");
            double createSeconds = (System.nanoTime() - t0) / 1e9;
            sql.execute("vacuum analyze views.bench_view_v");

            List<Map<String, Object>> refreshes = new ArrayList<>();
            for (int percent : changes) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("changed_percent", percent);
                change(stream, writer, rows, percent, docSize, batchSize, random);
                row.put("concurrently_s", Figures.round(BenchDatabase.secondsToRun(sql, "refresh materialized view concurrently views.bench_view_v"), 2));
                change(stream, writer, rows, percent, docSize, batchSize, random);
                row.put("plain_s", Figures.round(BenchDatabase.secondsToRun(sql, "refresh materialized view views.bench_view_v"), 2));
                progress.say("%d%% changed: refresh concurrently %.1f s, plain %.1f s", percent, row.get("concurrently_s"), row.get("plain_s"));
                refreshes.add(row);
            }
            return report(resultsDirectory, progress, rows, loadSeconds, createSeconds, ingest, refreshes, database, Map.of(
                    "rows", rows, "ingest_events", ingestEvents, "changes_percent", changes, "doc_size", docSize,
                    "batch_size", batchSize, "writers", 1, "write_method", "unnest", "view_indexes", 8 + 1,
                    "table_indexes_compared", 8));
        }
    }

    @Override
    public LineChart chart(tools.jackson.databind.JsonNode results) {
        List<String> categories = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        List<Double> concurrently = new ArrayList<>();
        for (tools.jackson.databind.JsonNode row : results.get("refresh")) {
            categories.add(row.get("changed_percent").asInt() + "%");
            plain.add(row.get("plain_s").asDouble());
            concurrently.add(row.get("concurrently_s").asDouble());
        }
        LineChart chart = new LineChart("Refresh of a %,d-row view with 8 indexes (+ unique key)"
                .formatted(results.get("load").get("rows").asLong()), "rows changed since the last refresh", "seconds", categories);
        chart.series("REFRESH (plain: blocks readers)", plain.stream().mapToDouble(Double::doubleValue).toArray());
        chart.series("REFRESH CONCURRENTLY", concurrently.stream().mapToDouble(Double::doubleValue).toArray());
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

    /** Rewrites {@code percent} % of the rows (distinct keys, new documents). */
    private static void change(StreamDefinition stream, UpsertBatchWriter writer, int rows, int percent, int docSize,
                               int batchSize, SplittableRandom random) throws Exception {
        if (percent == 0) {
            return;
        }
        Set<Long> keys = new HashSet<>();
        while (keys.size() < rows * (long) percent / 100) {
            keys.add(random.nextLong(rows));
        }
        var iterator = keys.iterator();
        BenchEvents.write(writer, BenchEvents.batches(stream,
                BenchEvents.generate(stream, keys.size(), iterator::next, docSize, random.nextLong()), batchSize));
    }

    private Path report(Path directory, Progress progress, int rows, double loadSeconds, double createSeconds, Map<String, Object> ingest,
                        List<Map<String, Object>> refreshes, BenchDatabase database, Map<String, Object> parameters) throws Exception {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("parameters", parameters);
        document.put("postgres", database.facts());
        document.put("load", Map.of("rows", rows, "seconds", Figures.round(loadSeconds, 1)));
        document.put("ingest", ingest);
        document.put("view_create_s", Figures.round(createSeconds, 2));
        document.put("refresh", refreshes);
        Path json = save(directory, progress, document);
        Path png = Results.chartFile(json);

        StringBuilder summary = new StringBuilder();
        summary.append(String.format("%nIngest (upserts to existing keys, 1 writer):%n"));
        summary.append(String.format("  primary key only          %,10d events/s%n", ingest.get("primary_key_only_events_per_s")));
        summary.append(String.format("  + 8 indexes on the table  %,10d events/s%n", ingest.get("eight_indexes_on_table_events_per_s")));
        summary.append(String.format("  ratio                     %10.2f x%n", ingest.get("ratio_view_design_over_indexed_table")));
        summary.append(String.format("%nView with 8 indexes over %,d rows: created in %.1f s%n", rows, createSeconds));
        SummaryTable table = new SummaryTable("changed", "plain (s)", "concurrently (s)");
        for (Map<String, Object> r : refreshes) {
            table.row(r.get("changed_percent") + "%", r.get("plain_s"), r.get("concurrently_s"));
        }
        summary.append(table);
        System.out.println(summary + "\nresults: " + json + "\nchart:   " + png);
        return json;
    }
}
