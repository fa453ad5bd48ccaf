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
 * Scale-out within one worker: the same backlog drained with 1, 2 and 4 consumer threads (each with its own database
 * connection), on a topic with enough partitions for all of them. On a 2-core machine that also runs PostgreSQL and
 * the broker, more threads mostly show where the machine, not the worker, is the limit.
 */
public final class ScaleOutScenario implements Scenario {

    @Override
    public String name() {
        return "scale-out";
    }

    @Override
    public String summary() {
        return "backlog drain with 1, 2 and 4 worker consumer threads";
    }

    @Override
    public String usage() {
        return Workload.usage(1_000_000, 1_000_000, "uniform", 440) + "\n" + PipelineRun.usage(12, "1,2,4")
                + """

                --ceiling=true               also measure the ceiling (direct JDBC, 2 writer threads)""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload workload = Workload.from(options, 1_000_000, 1_000_000, "uniform", 440);
        List<Integer> levels = options.list("concurrency", "1,2,4").stream().map(Integer::parseInt).toList();
        PipelineRun.Settings settings = PipelineRun.settingsWithConcurrency(options, 12, levels.getFirst());
        if (levels.stream().anyMatch(c -> c > settings.partitions())) {
            throw new IllegalArgumentException("--partitions must be at least the highest --concurrency");
        }
        boolean ceilingToo = Boolean.parseBoolean(options.string("ceiling", "true"));

        try (PipelineRun run = new PipelineRun(options, settings, progress, name())) {
            double ceiling = ceilingToo ? run.ceiling("bench_scale_ceiling", workload, 2) : Double.NaN;
            List<PipelineRun.Drain> drains = new ArrayList<>();
            for (int concurrency : levels) {
                String stream = "bench_scale_" + concurrency;
                drains.add(run.drain(stream, workload, concurrency, false));
                run.database().dropStream(stream);
            }
            PipelineRun.Drain best = drains.stream().max(java.util.Comparator.comparingDouble(PipelineRun.Drain::eventsPerSecond)).orElseThrow();

            Figures figures = new Figures(workload.events(), best.distinctKeys()).pipeline(best.eventsPerSecond()).heap(best.heap());
            if (ceilingToo) {
                figures.ceiling(ceiling);
            }
            Map<String, Object> document = new LinkedHashMap<>(figures.map());
            document.put("best_concurrency", best.concurrency());
            Map<String, Object> parameters = new LinkedHashMap<>(workload.parameters());
            parameters.putAll(settings.parameters());
            parameters.put("worker_concurrency", levels);
            document.put("parameters", parameters);
            document.put("postgres", run.database().facts());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (PipelineRun.Drain drain : drains) {
                Map<String, Object> m = drain.toMap();
                m.put("label", drain.concurrency() + " thread" + (drain.concurrency() == 1 ? "" : "s"));
                m.put("speedup_over_first", Figures.round(drain.eventsPerSecond() / drains.getFirst().eventsPerSecond(), 2));
                rows.add(m);
            }
            document.put("drains", rows);

            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);
            SummaryTable table = new SummaryTable("consumer threads", "drain events/s", "vs first", "pipeline / ceiling", "heap max MB", "worker CPU cores");
            for (PipelineRun.Drain drain : drains) {
                table.row(drain.concurrency(), drain.eventsPerSecond(), drain.eventsPerSecond() / drains.getFirst().eventsPerSecond(),
                        ceilingToo ? drain.eventsPerSecond() / ceiling : null, drain.heap().get("max_used_mb"),
                        drain.heap().get("worker_cpu_avg_cores"));
            }
            System.out.println("\n" + name() + ": " + workload.describe() + ", " + settings.partitions() + " partitions\n" + table
                    + (ceilingToo ? String.format("  ceiling (direct JDBC, 2 writers): %,.0f events/s%n", ceiling) : "")
                    + "\nresults: " + json + "\nchart:   " + png);
            return json;
        }
    }

    @Override
    public LineChart chart(JsonNode results) {
        return PipelineRun.timelineChart("Backlog drain by worker consumer threads (%,d events)".formatted(results.get("events").asLong()),
                results, "ceiling, 2 writers");
    }
}
