package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.local.PostgresTuning;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.infra.DirectWriter;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.workload.OrderView;
import dev.upsertingest.loadtest.workload.Workload;
import dev.upsertingest.worker.write.WriteSettings;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The design's durability table, re-measured as ratios: the same events written straight into PostgreSQL (the
 * worker's write path, no Kafka) one rung at a time, each rung adding one thing to the one before: a logged table with
 * {@code synchronous_commit=on} and PostgreSQL's default WAL settings; {@code synchronous_commit=off}; the WAL tuning
 * of {@link PostgresTuning}; an unlogged table; 8 expression indexes on it; and finally the design's answer: the
 * unlogged table with its primary key only and the same 8 indexes on a materialized view, including the refresh.
 *
 * <p>The WAL settings can only change with a restart (the embedded server gets them on its command line), so the first
 * two rungs run on an embedded server with PostgreSQL's WAL defaults and the rest on one with the tuned settings. With
 * {@code --jdbc-url} every rung runs on that server's own settings and the WAL rung says so.
 */
public final class DurabilityLadderScenario implements Scenario {

    /** Settings of {@link PostgresTuning} that concern the WAL and checkpoints: left at PostgreSQL's defaults for the first rungs. */
    private static final Set<String> WAL_SETTINGS = Set.of("max_wal_size", "min_wal_size", "checkpoint_timeout",
            "checkpoint_completion_target", "wal_buffers", "commit_delay", "commit_siblings");

    static final double GOAL = 2.5;

    @Override
    public String name() {
        return "durability-ladder";
    }

    @Override
    public String summary() {
        return "direct JDBC: logged/sync on -> sync off -> WAL tuning -> unlogged -> +8 indexes -> indexes on a view";
    }

    @Override
    public String usage() {
        return Workload.usage(1_000_000, 1_000_000, "uniform", 440) + """

                --writers=2                  writer threads (connections), each owning a share of the keys
                --batch-size=2000            events per transaction
                --jdbc-url=...               an existing PostgreSQL (default: embedded ones, see below)
                --db-user=postgres --db-password=postgres

                Rungs 1-2 run on an embedded server with PostgreSQL's default WAL settings, rungs 3-6 on one with the
                tuned settings (local-stack PostgresTuning); each rung writes the same events into a fresh table.""";
    }

    private record Rung(String label, String durability, WriteSettings.SynchronousCommit commit, boolean tableIndexes, boolean view) {
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload workload = Workload.from(options, 1_000_000, 1_000_000, "uniform", 440);
        int writers = (int) options.number("writers", 2);
        int batchSize = (int) options.number("batch-size", 2000);
        boolean external = options.string("jdbc-url", null) != null;
        options.string("db-user", null);
        options.string("db-password", null);
        options.rejectUnknown();

        List<Rung> untuned = List.of(
                new Rung("logged, synchronous_commit=on", "logged", WriteSettings.SynchronousCommit.ON, false, false),
                new Rung("logged, synchronous_commit=off", "logged", WriteSettings.SynchronousCommit.OFF, false, false));
        List<Rung> tuned = List.of(
                new Rung(external ? "logged, sync off, the server's WAL settings" : "logged, sync off, WAL tuning", "logged",
                        WriteSettings.SynchronousCommit.OFF, false, false),
                new Rung("unlogged", "unlogged", WriteSettings.SynchronousCommit.OFF, false, false),
                new Rung("unlogged + 8 indexes on the table", "unlogged", WriteSettings.SynchronousCommit.OFF, true, false),
                new Rung("unlogged, primary key only + 8 indexes on a view", "unlogged", WriteSettings.SynchronousCommit.OFF, false, true));

        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> postgres = new LinkedHashMap<>();
        Map<String, String> defaultWal = new LinkedHashMap<>(PostgresTuning.settings());
        defaultWal.keySet().removeAll(WAL_SETTINGS);
        progress.say("workload: %s, %d writers, batches of %d", workload.describe(), writers, batchSize);
        try (BenchDatabase database = BenchDatabase.open(options, progress, defaultWal)) {
            postgres.put("rungs_1_2", Map.of("where", database.description(), "settings", database.settings()));
            for (Rung rung : untuned) {
                rows.add(measure(database, rung, workload, writers, batchSize, progress));
            }
        }
        try (BenchDatabase database = BenchDatabase.open(options, progress)) {
            postgres.put("version", database.serverVersion());
            postgres.put("rungs_3_6", Map.of("where", database.description(), "settings", database.settings()));
            for (Rung rung : tuned) {
                rows.add(measure(database, rung, workload, writers, batchSize, progress));
            }
        }

        double unlogged = ((Number) rows.get(3).get("events_per_s")).doubleValue();
        double indexedTable = ((Number) rows.get(4).get("events_per_s")).doubleValue();
        double viewDesign = ((Number) rows.get(5).get("events_per_s")).doubleValue();
        for (Map<String, Object> row : rows) {
            row.put("ratio_to_unlogged", Figures.round(((Number) row.get("events_per_s")).doubleValue() / unlogged, 2));
        }
        double goalRatio = viewDesign / indexedTable;

        Map<String, Object> document = new LinkedHashMap<>(new Figures(workload.events(), (Long) rows.get(3).get("distinct_keys"))
                .ceiling(unlogged).map());
        Map<String, Object> parameters = new LinkedHashMap<>(workload.parameters());
        parameters.put("writers", writers);
        parameters.put("batch_size", batchSize);
        parameters.put("write_method", "unnest");
        document.put("parameters", parameters);
        document.put("postgres", postgres);
        document.put("rungs", rows);
        document.put("view_design_over_indexed_table", Figures.round(goalRatio, 2));
        document.put("goal", Map.of("view_design_over_indexed_table_at_least", GOAL, "met", goalRatio >= GOAL));

        Path json = save(resultsDirectory, progress, document);
        Path png = Results.chartFile(json);
        SummaryTable table = new SummaryTable("rung", "events/s", "x unlogged", "distinct keys", "extra");
        for (Map<String, Object> row : rows) {
            table.row(row.get("rung"), ((Number) row.get("events_per_s")).doubleValue(), row.get("ratio_to_unlogged"),
                    row.get("distinct_keys"), row.containsKey("view_fill_s")
                            ? String.format("view fill %.1f s (with it %,d events/s); refresh concurrently %.1f s",
                            (Double) row.get("view_fill_s"), (Long) row.get("events_per_s_including_fill"),
                            (Double) row.get("view_refresh_concurrently_s")) : "");
        }
        System.out.println("\n" + name() + ": " + workload.describe() + ", " + writers + " writers\n" + table
                + String.format("  primary key only + view / 8 indexes on the table = %.2f x (goal >= %.1f)%n", goalRatio, GOAL)
                + "\nresults: " + json + "\nchart:   " + png);
        return json;
    }

    private Map<String, Object> measure(BenchDatabase database, Rung rung, Workload workload, int writers, int batchSize,
                                        Progress progress) throws Exception {
        progress.say("rung: %s", rung.label());
        String table = "bench_ladder";
        StreamDefinition stream = database.declareStream(table, rung.durability());
        if (rung.tableIndexes()) {
            OrderView.createTableIndexes(table).forEach(database::execute);
        }
        if (rung.view()) {
            database.declareOrderView("bench_ladder_v", table, "10s", "full");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rung", rung.label());
        row.put("durability", rung.durability());
        row.put("synchronous_commit", rung.commit().setting());
        row.put("table_indexes", rung.tableIndexes() ? 8 : 0);
        try (DirectWriter writer = new DirectWriter(database, stream, writers, batchSize, rung.commit())) {
            writer.write(workload.withEvents(Math.min(workload.events(), 20_000)), progress); // warm-up, unmeasured
            database.truncateStream(table);
            database.tryCheckpoint();
            double seconds = writer.write(workload, progress);
            row.put("events_per_s", Math.round(workload.events() / seconds));
            row.put("seconds", Figures.round(seconds, 2));
            if (rung.view()) {
                try (var connection = database.connection(); var sql = connection.createStatement()) {
                    sql.execute("set work_mem = '64MB'"); // what the worker's refresher uses
                    // The first fill (a plain refresh: what declare_view does over a full table), then the steady-state
                    // cost of every later refresh (CONCURRENTLY, readers never blocked), which follows the view's size.
                    double fill = BenchDatabase.secondsToRun(sql, "refresh materialized view views.bench_ladder_v");
                    double concurrently = BenchDatabase.secondsToRun(sql, "refresh materialized view concurrently views.bench_ladder_v");
                    row.put("view_fill_s", Figures.round(fill, 2));
                    row.put("view_refresh_concurrently_s", Figures.round(concurrently, 2));
                    row.put("events_per_s_including_fill", Math.round(workload.events() / (seconds + fill)));
                    progress.say("  view (8 indexes + unique key): first fill %.1f s, each refresh CONCURRENTLY after it %.1f s",
                            fill, concurrently);
                }
            }
        }
        row.put("distinct_keys", database.rows(table));
        progress.say("  %s: %,d events/s", rung.label(), row.get("events_per_s"));
        return row;
    }

    @Override
    public LineChart chart(JsonNode results) {
        List<String> categories = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        for (JsonNode rung : results.get("rungs")) {
            categories.add(Integer.toString(categories.size() + 1));
            rates.add(rung.get("events_per_s").asDouble());
        }
        LineChart chart = new LineChart("Durability ladder: direct upserts/s per rung (%,d events, %d writers)"
                .formatted(results.get("events").asLong(), results.get("parameters").get("writers").asInt()),
                "rung (1 logged sync on, 2 sync off, 3 WAL tuning, 4 unlogged, 5 +8 table indexes, 6 view design)", "events/s", categories);
        chart.series("events/s", rates.stream().mapToDouble(Double::doubleValue).toArray());
        return chart;
    }
}
