package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.workload.Workload;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hot keys: the same number of events drained through the worker with uniformly drawn keys, then with Zipf-skewed
 * keys. Skew should help, not hurt: the worker collapses a batch's events per key (last write wins) before writing, so
 * hot keys mean fewer rows per batch. The skewed events' ceiling is measured too.
 */
public final class HotKeysScenario implements Scenario {

    @Override
    public String name() {
        return "hot-keys";
    }

    @Override
    public String summary() {
        return "pipeline drain with Zipf-skewed keys vs uniform keys (same event count)";
    }

    @Override
    public String usage() {
        return Workload.usage(1_000_000, 1_000_000, "zipf:1.1", 440) + "   (the skewed run; the other is uniform)\n"
                + PipelineRun.usage(6, "4") + """

                --ceiling=true               also write the skewed events straight into a table (the ceiling)""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload skewed = Workload.from(options, 1_000_000, 1_000_000, "zipf:1.1", 440);
        Workload uniform = skewed.withDistribution("uniform");
        PipelineRun.Settings settings = PipelineRun.settings(options, 6, 4);
        boolean ceilingToo = Boolean.parseBoolean(options.string("ceiling", "true"));

        try (PipelineRun run = new PipelineRun(options, settings, progress, name())) {
            double ceiling = ceilingToo ? run.ceiling("bench_hot_ceiling", skewed, settings.writersFor(settings.concurrency())) : Double.NaN;
            PipelineRun.Drain flat = run.drain("bench_uniform", uniform, settings.concurrency(), false);
            run.database().dropStream("bench_uniform");
            PipelineRun.Drain hot = run.drain("bench_hot", skewed, settings.concurrency(), false);

            double ratio = hot.eventsPerSecond() / flat.eventsPerSecond();
            Figures figures = new Figures(skewed.events(), hot.distinctKeys()).pipeline(hot.eventsPerSecond()).heap(hot.heap());
            if (ceilingToo) {
                figures.ceiling(ceiling);
            }
            Map<String, Object> document = new LinkedHashMap<>(figures.map());
            document.put("hot_over_uniform", Figures.round(ratio, 3));
            document.put("uniform_events_per_s", Math.round(flat.eventsPerSecond()));
            Map<String, Object> parameters = new LinkedHashMap<>(skewed.parameters());
            parameters.putAll(settings.parameters());
            document.put("parameters", parameters);
            document.put("postgres", run.database().facts());
            List<Map<String, Object>> drains = new ArrayList<>();
            for (PipelineRun.Drain drain : List.of(flat, hot)) {
                Map<String, Object> m = drain.toMap();
                m.put("label", drain == flat ? "uniform" : skewed.distribution());
                drains.add(m);
            }
            document.put("drains", drains);
            document.put("goal", Map.of("hot_over_uniform_at_least", 1.0, "met", ratio >= 1.0));

            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);
            SummaryTable table = new SummaryTable("keys", "distinct keys", "drain events/s", "worker heap max MB")
                    .row("uniform", flat.distinctKeys(), flat.eventsPerSecond(), flat.heap().get("max_used_mb"))
                    .row(skewed.distribution(), hot.distinctKeys(), hot.eventsPerSecond(), hot.heap().get("max_used_mb"));
            System.out.println("\n" + name() + ": " + skewed.events() + " events each\n" + table
                    + String.format("  %s / uniform = %.2f x (goal >= 1.0)%n", skewed.distribution(), ratio)
                    + (ceilingToo ? String.format("  %s ceiling %,.0f events/s, pipeline / ceiling = %.2f%n", skewed.distribution(), ceiling,
                    hot.eventsPerSecond() / ceiling) : "")
                    + "\nresults: " + json + "\nchart:   " + png);
            return json;
        }
    }

    @Override
    public LineChart chart(JsonNode results) {
        return PipelineRun.timelineChart("Backlog drain: uniform vs skewed keys (%,d events each)".formatted(results.get("events").asLong()),
                results, "ceiling, skewed keys");
    }
}
