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
 * The headline figure: how fast the real worker drains a backlog, against the ceiling of this machine measured in the
 * same run (the same events written straight into an identical table by the worker's own write path, no Kafka). Then,
 * optionally, a fixed-rate phase with end-to-end latency, view staleness, and the worker's heap and CPU.
 */
public final class CeilingVsPipelineScenario implements Scenario {

    static final double GOAL = 0.75;

    private final String name;
    private final String summary;
    private final long defaultEvents;
    private final int defaultDocSize;
    private final int defaultSustainSeconds;

    /**
     * {@code ceiling-vs-pipeline}: 3,000,000 events of ~440 bytes over the 1,000,000-key space, then 60 s at a fixed
     * rate. Three million rather than one, so that each measurement lasts half a minute or more: on a shared 2-core
     * machine a 10-15 s window (what 1,000,000 events take) catches too much of whatever else the machine is doing.
     */
    public CeilingVsPipelineScenario() {
        this("ceiling-vs-pipeline",
                "backlog drain through Kafka and the worker vs direct JDBC writes of the same events; then a fixed-rate phase",
                3_000_000, 440, 60);
    }

    private CeilingVsPipelineScenario(String name, String summary, long defaultEvents, int defaultDocSize, int defaultSustainSeconds) {
        this.name = name;
        this.summary = summary;
        this.defaultEvents = defaultEvents;
        this.defaultDocSize = defaultDocSize;
        this.defaultSustainSeconds = defaultSustainSeconds;
    }

    /** {@code big-docs}: the same comparison with 10 KB documents (100,000 of them: 1 GB), no fixed-rate phase by default. */
    public static CeilingVsPipelineScenario bigDocs() {
        return new CeilingVsPipelineScenario("big-docs", "pipeline vs ceiling with 10 KB documents", 100_000, 10_240, 0);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public String usage() {
        return Workload.usage(defaultEvents, 1_000_000, "uniform", defaultDocSize) + "\n" + PipelineRun.usage(6, "4") + """

                --writers=<worker-writers>   ceiling writer threads (default: as many as the worker's writer slots, so
                                             both keep the same number of transactions running)
                --ceiling=true               false skips the ceiling (e.g. for a heap check with --events=5000000)
                --sustain-seconds=%d%s length of the fixed-rate phase; 0 skips it
                --rate=auto                  events/s in the fixed-rate phase; auto = a quarter of the measured drain rate
                --probe-every=100            one event in this many is a latency probe
                --view=true                  declare the 8-index order view over the stream (refreshed by the worker)
                --view-mode=incremental      the view's refresh mode: incremental or full
                --refresh-interval=auto      the view's refresh interval; auto = 1s incremental, 10s full
                --capture-cost=true          also measure the ceiling with change capture on (an incremental view on the
                                             table): what capture costs the write path, in the same run
                --compare-full=true          with an incremental view and a fixed-rate phase: replace the view by a full
                                             one afterwards and run the fixed-rate phase again, for latency and staleness
                                             of both modes in one run
                --cases=auto                 key-space cases after the main one, each drained and bracketed by its
                                             ceiling (no view, no fixed-rate phase), as <keys>[:<distribution>], e.g.
                                             100000,1000000:zipf:1.1; auto = those two, unless --key-space or
                                             --key-distribution is given (then none); none = none"""
                .formatted(defaultSustainSeconds, " ".repeat(Math.max(0, 10 - Integer.toString(defaultSustainSeconds).length())));
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload workload = Workload.from(options, defaultEvents, 1_000_000, "uniform", defaultDocSize);
        PipelineRun.Settings settings = PipelineRun.settings(options, 6, 4);
        int writers = (int) options.number("writers", settings.writersFor(settings.concurrency()));
        boolean ceilingToo = Boolean.parseBoolean(options.string("ceiling", "true"));
        int sustainSeconds = (int) options.number("sustain-seconds", defaultSustainSeconds);
        String rateOption = options.string("rate", "auto");
        int probeEvery = (int) options.number("probe-every", 100);
        boolean view = Boolean.parseBoolean(options.string("view", "true"));
        String viewMode = options.choice("view-mode", "incremental", "incremental", "full");
        String refreshInterval = options.string("refresh-interval", "auto");
        if (refreshInterval.equals("auto")) {
            refreshInterval = viewMode.equals("incremental") ? "1s" : "10s";
        }
        boolean captureCost = Boolean.parseBoolean(options.string("capture-cost", "true")) && ceilingToo;
        boolean compareFull = Boolean.parseBoolean(options.string("compare-full", "true")) && view
                && viewMode.equals("incremental") && sustainSeconds > 0;
        String viewName = view ? "bench_pipeline_v" : null;
        List<Workload> cases = cases(options, workload);

        try (PipelineRun run = new PipelineRun(options, settings, progress, name)) {
            progress.say("workload: %s", workload.describe());
            // The ceiling is measured before and after the drain and averaged: on a shared machine the capacity left to
            // a benchmark drifts over minutes, and bracketing the drain cancels most of that drift from the ratio.
            double ceilingBefore = ceilingToo ? run.ceiling("bench_ceiling", workload, writers) : Double.NaN;
            double ceilingCaptured = captureCost ? run.ceiling("bench_ceiling_captured", workload, writers, true) : Double.NaN;
            PipelineRun.Drain drain = run.drain("bench_pipeline", workload, settings.concurrency(), viewName, refreshInterval,
                    viewMode, sustainSeconds > 0);
            PipelineRun.Sustained sustained = null;
            PipelineRun.Sustained sustainedFull = null;
            if (sustainSeconds > 0) {
                if (viewName != null && viewMode.equals("incremental")) {
                    run.awaitCaughtUp(viewName);
                } else if (viewName != null) {
                    run.awaitFirstRefresh(viewName);
                }
                double rate = rateOption.equals("auto") ? Math.max(100, Math.round(drain.eventsPerSecond() / 4 / 100) * 100.0)
                        : Double.parseDouble(rateOption);
                sustained = run.sustain("bench_pipeline", workload, rate, sustainSeconds, probeEvery, viewName);
                if (compareFull) {
                    progress.say("the same fixed-rate phase with %s replaced by a full view (REFRESH ... CONCURRENTLY every 10 s)", viewName);
                    java.time.Instant replaced = java.time.Instant.now();
                    try (java.sql.Connection c = run.database().connection()) {
                        dev.upsertingest.loadtest.workload.OrderView.replace(c, viewName, "10s", "full");
                    }
                    run.awaitRefreshSince(viewName, "concurrent", replaced);
                    sustainedFull = run.sustain("bench_pipeline", workload, rate, sustainSeconds, probeEvery, viewName);
                }
                run.stack().stopWorker();
            }
            double ceilingAfter = Double.NaN;
            if (ceilingToo) {
                run.database().dropStream("bench_pipeline"); // so its autovacuum and view cannot slow the second ceiling
                ceilingAfter = run.ceiling("bench_ceiling_after", workload, writers);
            }
            double ceiling = (ceilingBefore + ceilingAfter) / 2;
            List<Map<String, Object>> caseResults = new ArrayList<>();
            List<PipelineRun.Drain> caseDrains = new ArrayList<>();
            run.database().dropStream("bench_pipeline"); // a later worker must consume the case's topic alone
            for (Workload other : cases) {
                progress.say("key-space case: %s", other.describe());
                double before = ceilingToo ? run.ceiling("bench_case_ceiling", other, writers) : Double.NaN;
                PipelineRun.Drain caseDrain = run.drain("bench_case", other, settings.concurrency(), false);
                run.database().dropStream("bench_case");
                double after = ceilingToo ? run.ceiling("bench_case_ceiling_after", other, writers) : Double.NaN;
                caseDrains.add(caseDrain);
                caseResults.add(caseResult(other, caseDrain, before, after));
            }

            Figures figures = new Figures(workload.events(), drain.distinctKeys()).pipeline(drain.eventsPerSecond());
            if (ceilingToo) {
                figures.ceiling(ceiling);
            }
            Map<String, Object> heap = drain.heap();
            if (sustained != null) {
                figures.latency(sustained.latency()).staleness(sustained.staleness(viewName));
                heap.put("max_used_mb", Math.max((Long) heap.get("max_used_mb"), Math.round(sustained.heapMaxBytes() / (1 << 20))));
            }
            figures.heap(heap);

            Map<String, Object> parameters = new LinkedHashMap<>(workload.parameters());
            parameters.putAll(settings.parameters());
            parameters.put("ceiling_writers", writers);
            parameters.put("sustain_seconds", sustainSeconds);
            parameters.put("rate", rateOption);
            parameters.put("probe_every", probeEvery);
            parameters.put("view", view ? viewName + " (8 indexes, " + viewMode + ", refresh every " + refreshInterval + ")" : "none");
            parameters.put("view_mode", view ? viewMode : null);

            Map<String, Object> document = new LinkedHashMap<>(figures.map());
            document.put("ceiling_before_drain_events_per_s", ceilingToo ? Math.round(ceilingBefore) : null);
            document.put("ceiling_after_drain_events_per_s", ceilingToo ? Math.round(ceilingAfter) : null);
            document.put("pipeline_cold_events_per_s", Math.round(drain.coldEventsPerSecond()));
            document.put("ratio_cold", ceilingToo ? Figures.round(drain.coldEventsPerSecond() / ceiling, 3) : null);
            document.put("parameters", parameters);
            document.put("postgres", run.database().facts());
            Map<String, Object> drainMap = drain.toMap();
            drainMap.put("label", "pipeline drain");
            List<Map<String, Object>> drains = new ArrayList<>(List.of(drainMap));
            for (int i = 0; i < caseDrains.size(); i++) {
                Map<String, Object> m = caseDrains.get(i).toMap();
                m.put("label", "pipeline, " + caseLabel(cases.get(i)));
                drains.add(m);
            }
            document.put("drains", drains);
            List<Map<String, Object>> allCases = new ArrayList<>();
            allCases.add(caseResult(workload, drain, ceilingBefore, ceilingAfter));
            allCases.addAll(caseResults);
            document.put("cases", allCases);
            document.put("sustained", sustained == null ? null : sustained.toMap());
            if (captureCost) {
                Map<String, Object> capture = new LinkedHashMap<>();
                capture.put("what", "the ceiling's direct writes with change capture on (an incremental view on the table) over "
                        + "the ceiling measured before the drain, same events, same run");
                capture.put("ceiling_with_capture_events_per_s", Math.round(ceilingCaptured));
                capture.put("ceiling_without_events_per_s", Math.round(ceilingBefore));
                capture.put("ratio", Figures.round(ceilingCaptured / ceilingBefore, 3));
                capture.put("goal_at_least", 0.95);
                capture.put("met", ceilingCaptured / ceilingBefore >= 0.95);
                document.put("change_capture", capture);
            }
            if (sustainedFull != null) {
                Map<String, Object> full = new LinkedHashMap<>(sustainedFull.toMap());
                full.put("staleness", sustainedFull.staleness(viewName));
                document.put("sustained_full_view", full);
                Map<String, Object> comparison = new LinkedHashMap<>();
                double incrementalP99 = sustained.latency().getValueAtPercentile(99) / 1e3;
                double fullP99 = sustainedFull.latency().getValueAtPercentile(99) / 1e3;
                comparison.put("latency_p99_ms_incremental", Figures.round(incrementalP99, 1));
                comparison.put("latency_p99_ms_full", Figures.round(fullP99, 1));
                comparison.put("incremental_latency_p99_no_worse", incrementalP99 <= fullP99);
                Map<String, Object> incrementalStale = sustained.staleness(viewName);
                Map<String, Object> fullStale = sustainedFull.staleness(viewName);
                comparison.put("staleness_p50_s_incremental", incrementalStale == null ? null : incrementalStale.get("p50_s"));
                comparison.put("staleness_p99_s_incremental", incrementalStale == null ? null : incrementalStale.get("p99_s"));
                comparison.put("staleness_p50_s_full", fullStale == null ? null : fullStale.get("p50_s"));
                comparison.put("staleness_p99_s_full", fullStale == null ? null : fullStale.get("p99_s"));
                comparison.put("goal", "incremental staleness p50 <= 2 s and p99 <= 5 s; latency p99 no worse than full");
                comparison.put("met", incrementalStale != null && ((Number) incrementalStale.get("p50_s")).doubleValue() <= 2
                        && ((Number) incrementalStale.get("p99_s")).doubleValue() <= 5 && incrementalP99 <= fullP99);
                document.put("view_modes", comparison);
            }
            Double ratio = (Double) figures.map().get("ratio");
            document.put("goal", Map.of("pipeline_over_ceiling_at_least", GOAL,
                    "met", ratio == null ? "not measured" : ratio >= GOAL));

            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);

            SummaryTable table = new SummaryTable("figure", "value")
                    .row("events (distinct keys)", String.format("%,d (%,d)", workload.events(), drain.distinctKeys()))
                    .row("pipeline drain events/s (warm)", drain.eventsPerSecond())
                    .row("pipeline drain events/s from a cold start", drain.coldEventsPerSecond())
                    .row("ceiling events/s (" + writers + " writers; mean of before and after)", ceilingToo ? ceiling : null)
                    .row("ceiling before / after the drain", ceilingToo ? String.format("%,.0f / %,.0f", ceilingBefore, ceilingAfter) : null)
                    .row("pipeline / ceiling (goal >= " + GOAL + ")", ratio)
                    .row("worker heap max MB (limit " + heap.get("limit_mb") + ")", heap.get("max_used_mb"))
                    .row("worker CPU avg cores (drain)", heap.get("worker_cpu_avg_cores"));
            if (sustained != null) {
                Map<String, Object> latency = Figures.percentiles(sustained.latency());
                table.row("sustained target / applied events/s", String.format("%,.0f / %,.0f", sustained.targetRate(), sustained.appliedRate()))
                        .row("end-to-end latency p50 / p99 / p99.9 ms", latency.get("p50") + " / " + latency.get("p99") + " / " + latency.get("p99.9"))
                        .row("view staleness p50 / p99 / max s", sustained.staleness(viewName) == null ? null
                                : sustained.staleness(viewName).get("p50_s") + " / " + sustained.staleness(viewName).get("p99_s")
                                + " / " + sustained.staleness(viewName).get("max_s"));
            }
            if (sustainedFull != null) {
                Map<String, Object> latency = Figures.percentiles(sustainedFull.latency());
                table.row("with a full view: latency p50 / p99 ms", latency.get("p50") + " / " + latency.get("p99"))
                        .row("with a full view: staleness p50 / p99 s", sustainedFull.staleness(viewName) == null ? null
                                : sustainedFull.staleness(viewName).get("p50_s") + " / " + sustainedFull.staleness(viewName).get("p99_s"));
            }
            if (captureCost) {
                table.row("ceiling with change capture / without (goal >= 0.95)", Figures.round(ceilingCaptured / ceilingBefore, 3));
            }
            for (Map<String, Object> c : caseResults) {
                table.row(c.get("label") + ": pipeline / ceiling (events/s)", c.get("ratio") + " (" + String.format("%,d / %,d",
                        c.get("pipeline_events_per_s"), c.get("ceiling_events_per_s") == null ? 0L : c.get("ceiling_events_per_s")) + ")");
            }
            System.out.println("\n" + name() + ": " + workload.describe() + "\n" + table + "\nresults: " + json + "\nchart:   " + png);
            return json;
        }
    }

    /** The key-space cases after the main workload (see {@code --cases}). */
    private static List<Workload> cases(Options options, Workload main) {
        String spec = options.string("cases", "auto");
        if (spec.equals("auto")) {
            boolean keysGiven = options.given().containsKey("key-space") || options.given().containsKey("key-distribution");
            spec = keysGiven ? "none" : "100000,1000000:zipf:1.1";
        }
        if (spec.equals("none") || spec.isBlank()) {
            return List.of();
        }
        List<Workload> cases = new ArrayList<>();
        for (String item : spec.split(",")) {
            String[] parts = item.trim().split(":", 2);
            long keys;
            try {
                keys = Long.parseLong(parts[0].replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cases takes <keys>[:<distribution>] items, got '" + item + "'");
            }
            cases.add(new Workload(main.events(), keys, parts.length > 1 ? parts[1] : "uniform", main.docSize(),
                    main.docShape(), main.seed(), 0));
        }
        return cases;
    }

    private static String caseLabel(Workload workload) {
        return String.format("%,d keys %s", workload.keySpace(), workload.distribution());
    }

    private static Map<String, Object> caseResult(Workload workload, PipelineRun.Drain drain, double before, double after) {
        Map<String, Object> c = new LinkedHashMap<>();
        double ceiling = (before + after) / 2;
        c.put("label", caseLabel(workload));
        c.put("key_space", workload.keySpace());
        c.put("key_distribution", workload.distribution());
        c.put("distinct_keys", drain.distinctKeys());
        c.put("pipeline_events_per_s", Math.round(drain.eventsPerSecond()));
        c.put("ceiling_events_per_s", Double.isNaN(ceiling) ? null : Math.round(ceiling));
        c.put("ceiling_before_drain_events_per_s", Double.isNaN(before) ? null : Math.round(before));
        c.put("ceiling_after_drain_events_per_s", Double.isNaN(after) ? null : Math.round(after));
        c.put("ratio", Double.isNaN(ceiling) ? null : Figures.round(drain.eventsPerSecond() / ceiling, 3));
        c.put("heap", drain.heap());
        return c;
    }

    @Override
    public LineChart chart(JsonNode results) {
        if (results.has("cases") && results.get("cases").size() > 1) {
            Map<String, Double> ceilings = new LinkedHashMap<>();
            for (JsonNode c : results.get("cases")) {
                if (!c.get("ceiling_events_per_s").isNull()) {
                    ceilings.put("ceiling, " + c.get("label").asString(), c.get("ceiling_events_per_s").asDouble());
                }
            }
            return PipelineRun.timelineChart("Backlog drains through the worker vs their ceilings (%,d events of ~%,d bytes each)"
                    .formatted(results.get("events").asLong(), results.get("parameters").get("doc_size").asLong()),
                    results.get("drains"), ceilings);
        }
        return PipelineRun.timelineChart("Backlog drain through the worker vs the ceiling (%,d events of ~%,d bytes)"
                .formatted(results.get("events").asLong(), results.get("parameters").get("doc_size").asLong()),
                results, "ceiling, direct JDBC");
    }
}
