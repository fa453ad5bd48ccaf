package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.local.PostgresServerProcess;
import dev.upsertingest.local.PostgresTuning;
import dev.upsertingest.local.ServiceProcess;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.infra.TopicLoader;
import dev.upsertingest.loadtest.infra.WorkerMetrics;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.workload.Workload;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What a PostgreSQL crash and an outage cost, with the worker, a broker and a PostgreSQL server process of their own.
 * The worker applies a backlog over {@code --key-space} keys; then PostgreSQL is crashed ({@code pg_ctl stop -m
 * immediate}: crash recovery empties the unlogged stream table) and started again, and the worker must notice and
 * rebuild the table from the compacted topic by itself. Measured from PostgreSQL accepting connections again: (a) until
 * the worker writes again, (b) until the rebuild is done (its row in {@code ingest.stream_rebuild}), and that every key
 * is back. Then (c) a clean stop of PostgreSQL for {@code --outage} while events keep coming, and the time from its
 * restart until the worker writes again.
 */
public final class CrashRebuildScenario implements Scenario {

    private static final String STREAM = "bench_crash";

    @Override
    public String name() {
        return "crash-rebuild";
    }

    @Override
    public String summary() {
        return "PostgreSQL crash: time until the worker writes again and until the unlogged table is rebuilt; then a 30 s outage";
    }

    @Override
    public String usage() {
        return Workload.usage(1_000_000, 1_000_000, "sequential", 440) + "\n" + PipelineRun.usage(6, "4")
                .replaceAll("(?m)^--(durability|jdbc-url|db-user).*\\n?", "") + """

                --outage=30                  seconds PostgreSQL is stopped (cleanly) under load in part (c)
                --load-rate=2000             events/s produced during part (c)

                PostgreSQL always runs as its own server process here (it is crashed), with the tuned settings;
                the stream table is unlogged.""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload workload = Workload.from(options, 1_000_000, 1_000_000, "sequential", 440);
        PipelineRun.Settings settings = PipelineRun.settings(options, 6, 4);
        if (!settings.durability().equals("unlogged")) {
            throw new IllegalArgumentException("crash-rebuild measures the rebuild of an unlogged table: leave --durability out");
        }
        int outage = (int) options.number("outage", 30);
        double loadRate = options.number("load-rate", 2000);
        if (options.string("jdbc-url", null) != null) {
            throw new IllegalArgumentException("crash-rebuild starts (and crashes) its own PostgreSQL: --jdbc-url is not supported");
        }
        options.rejectUnknown();
        long keys = Math.min(workload.events(), workload.keySpace());

        Path directory = Files.createTempDirectory(name());
        progress.say("starting PostgreSQL as a server process (data in %s)", directory.resolve("pgdata"));
        PostgresServerProcess server = PostgresServerProcess.start(directory.resolve("pgdata"), 0, PostgresTuning.settings());
        try (PipelineRun run = new PipelineRun(BenchDatabase.onServer(server, progress), settings, progress, name())) {
            BenchDatabase database = run.database();
            run.declare(STREAM, null, null, null);
            ServiceProcess worker = run.stack().startWorker(run.workerProperties(STREAM, settings.concurrency()));
            WorkerMetrics metrics = new WorkerMetrics(worker);
            Sampler sampler = new Sampler(metrics);

            long loadStart = System.nanoTime();
            try (TopicLoader loader = new TopicLoader(run.stack().bootstrapServers())) {
                loader.backlog(STREAM, workload, progress);
            }
            progress.say("waiting until the worker applied all %,d events", workload.events());
            String group = run.workerProperties(STREAM, settings.concurrency()).get("ingest.consumer.group-id");
            sampler.await("all events applied", 600, () -> {
                sampler.scrapeEverySecond();
                try {
                    return run.stack().committedOffsets(group, STREAM) >= workload.events();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            sampler.await("the first rebuild (of the new stream) finished", 300, () -> running(database) == 0);
            long rowsBefore = database.rows(STREAM);
            progress.say("  %,d rows in the table; applied at %,.0f events/s including production", rowsBefore, workload.events() / loadSeconds);

            // (a) and (b): crash, restart, rebuild.
            long appliedBeforeCrash = sampler.scrape().applied(STREAM);
            long crashedAt = System.currentTimeMillis();
            progress.say("crashing PostgreSQL (SIGQUIT to the postmaster, like pg_ctl stop -m immediate)");
            server.crash();
            server.start();
            server.awaitAcceptingConnections(java.time.Duration.ofMinutes(2));
            long upAt = System.currentTimeMillis();
            progress.say("PostgreSQL accepts connections again (%.1f s after the crash); %,d rows in the table", (upAt - crashedAt) / 1000.0,
                    database.rows(STREAM));
            long[] writingAt = {0};
            long[] readyAt = {0};
            // The emptied table's first row says the worker writes again: a cheap query, where scraping the worker's
            // metrics 10 times a second would slow the replay being measured.
            sampler.await("the rebuild is done", 900, () -> {
                sampler.scrapeEverySecond();
                long now = System.currentTimeMillis();
                if (writingAt[0] == 0 && database.queryString("select exists (select 1 from streams." + STREAM + ")").equals("t")) {
                    writingAt[0] = now;
                    progress.say("  the worker writes again, %.1f s after PostgreSQL came back", (now - upAt) / 1000.0);
                }
                if (readyAt[0] == 0 && writingAt[0] != 0 && metrics.ready()) {
                    readyAt[0] = now;
                }
                return rebuildAfter(database, crashedAt) != null;
            });
            long[] rebuild = rebuildAfter(database, crashedAt);
            long rowsAfter = database.rows(STREAM);
            long replayed = sampler.scrape().applied(STREAM) - appliedBeforeCrash;
            double replaySeconds = (rebuild[1] - rebuild[0]) / 1000.0;
            progress.say("  rebuild done %.1f s after PostgreSQL came back (detected after %.1f s, %,d events replayed in %.1f s); %,d rows",
                    (rebuild[1] - upAt) / 1000.0, (rebuild[0] - upAt) / 1000.0, replayed, replaySeconds, rowsAfter);

            // (c): a clean stop under load.
            progress.say("producing %,.0f events/s; then PostgreSQL is stopped cleanly for %d s", loadRate, outage);
            AtomicBoolean stopLoad = new AtomicBoolean();
            AtomicLong produced = new AtomicLong();
            long appliedBeforeLoad = sampler.scrape().applied(STREAM);
            Thread load = Thread.ofPlatform().name("outage-load").start(() -> {
                try (TopicLoader loader = new TopicLoader(run.stack().bootstrapServers())) {
                    produced.set(loader.atRate(STREAM, new Workload(Long.MAX_VALUE, workload.keySpace(), "uniform", workload.docSize(),
                            workload.docShape(), 77, 0)
                            .generator(), loadRate, stopLoad::get, (event, stamp) -> {
                    }));
                }
            });
            Thread.sleep(5000);
            server.stop();
            long stoppedAt = System.currentTimeMillis();
            Thread.sleep(outage * 1000L);
            long appliedDuringOutage = sampler.scrape().applied(STREAM);
            server.start();
            server.awaitAcceptingConnections(java.time.Duration.ofMinutes(2));
            long backAt = System.currentTimeMillis();
            progress.say("PostgreSQL is back after a %.1f s stop", (backAt - stoppedAt) / 1000.0);
            long[] resumedAt = {0};
            long[] readyAgainAt = {0};
            sampler.await("the worker writes again", 300, () -> {
                WorkerMetrics.Scrape scrape = sampler.scrape();
                long now = System.currentTimeMillis();
                if (resumedAt[0] == 0 && scrape.applied(STREAM) > appliedDuringOutage) {
                    resumedAt[0] = now;
                }
                if (readyAgainAt[0] == 0 && metrics.ready() && scrape.databaseAvailable() == 1) {
                    readyAgainAt[0] = now;
                }
                return resumedAt[0] != 0 && readyAgainAt[0] != 0;
            });
            progress.say("  writing again %.1f s after PostgreSQL came back (ready after %.1f s)", (resumedAt[0] - backAt) / 1000.0,
                    (readyAgainAt[0] - backAt) / 1000.0);
            Thread.sleep(10_000);
            stopLoad.set(true);
            load.join();
            sampler.await("every event of the outage phase applied", 300,
                    () -> sampler.scrape().applied(STREAM) - appliedBeforeLoad >= produced.get());
            long rowsFinal = database.rows(STREAM);

            Map<String, Object> crash = new LinkedHashMap<>();
            crash.put("postgres_down_s", Figures.round((upAt - crashedAt) / 1000.0, 2));
            crash.put("rows_before_crash", rowsBefore);
            crash.put("writing_again_after_s", Figures.round((writingAt[0] - upAt) / 1000.0, 2));
            crash.put("ready_after_s", readyAt[0] == 0 ? null : Figures.round((readyAt[0] - upAt) / 1000.0, 2));
            crash.put("rebuild_detected_after_s", Figures.round((rebuild[0] - upAt) / 1000.0, 2));
            crash.put("rebuild_done_after_s", Figures.round((rebuild[1] - upAt) / 1000.0, 2));
            crash.put("rebuild_seconds", Figures.round(replaySeconds, 2));
            crash.put("events_replayed", replayed);
            crash.put("rows_after_rebuild", rowsAfter);
            crash.put("all_keys_back", rowsAfter == keys);
            Map<String, Object> stop = new LinkedHashMap<>();
            stop.put("outage_s", Figures.round((backAt - stoppedAt) / 1000.0, 2));
            stop.put("load_events_per_s", loadRate);
            stop.put("writing_again_after_s", Figures.round((resumedAt[0] - backAt) / 1000.0, 2));
            stop.put("ready_after_s", Figures.round((readyAgainAt[0] - backAt) / 1000.0, 2));
            stop.put("events_produced", produced.get());
            stop.put("events_applied", sampler.scrape().applied(STREAM) - appliedBeforeLoad);
            stop.put("rows_after", rowsFinal);
            stop.put("all_keys_present", rowsFinal == keys);

            Map<String, Object> heap = new LinkedHashMap<>();
            heap.put("max_used_mb", Math.round(sampler.heapMax / (1 << 20)));
            heap.put("limit_mb", run.stack().workerHeapLimitMb());
            Map<String, Object> document = new LinkedHashMap<>(new Figures(workload.events(), rowsAfter)
                    .pipeline(replayed / replaySeconds).heap(heap).map());
            document.put("pipeline_measures", "the rebuild's replay rate (events replayed / rebuild seconds)");
            Map<String, Object> parameters = new LinkedHashMap<>(workload.parameters());
            parameters.putAll(settings.parameters());
            parameters.put("outage_s", outage);
            parameters.put("load_rate", loadRate);
            document.put("parameters", parameters);
            document.put("postgres", database.facts());
            document.put("initial_apply_events_per_s_including_production", Math.round(workload.events() / loadSeconds));
            document.put("crash", crash);
            document.put("clean_stop", stop);

            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);
            SummaryTable table = new SummaryTable("measured from PostgreSQL accepting connections again", "seconds")
                    .row("crash: worker writes again", crash.get("writing_again_after_s"))
                    .row("crash: rebuild detected", crash.get("rebuild_detected_after_s"))
                    .row("crash: rebuild done (" + String.format("%,d", replayed) + " events replayed)", crash.get("rebuild_done_after_s"))
                    .row("clean " + outage + " s stop under load: worker writes again", stop.get("writing_again_after_s"))
                    .row("clean stop: readiness 200 and database available", stop.get("ready_after_s"));
            System.out.println("\n" + name() + ": " + workload.describe() + "\n" + table
                    + String.format("  rows after the rebuild: %,d of %,d keys%s; after the outage: %,d%n", rowsAfter, keys,
                    rowsAfter == keys ? " (all back)" : " (MISSING KEYS)", rowsFinal)
                    + "\nresults: " + json + "\nchart:   " + png);
            return json;
        } finally {
            server.close();
        }
    }

    private static int running(BenchDatabase database) {
        return Integer.parseInt(database.queryString("select count(*) from ingest.stream_rebuild where stream = ? "
                + "and state in ('rewinding', 'replaying')", STREAM));
    }

    /** detected_at and finished_at (epoch ms) of the crash rebuild found after {@code crashedAt}, once it is done. */
    private static long[] rebuildAfter(BenchDatabase database, long crashedAt) {
        String row = database.queryString("select coalesce(max((extract(epoch from detected_at) * 1000)::bigint || ',' "
                + "|| (extract(epoch from finished_at) * 1000)::bigint), '') from ingest.stream_rebuild where stream = ? "
                + "and state = 'done' and reason like 'no marker%' and detected_at > to_timestamp(? / 1000.0)", STREAM, crashedAt);
        if (row == null || row.isEmpty()) {
            return null;
        }
        String[] parts = row.split(",");
        return new long[]{Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    /**
     * Polls a condition every 100 ms; a condition that throws (the database or the worker down) counts as false. Keeps
     * the worker's peak heap from every scrape.
     */
    private static final class Sampler {
        private final WorkerMetrics metrics;
        private double heapMax;

        Sampler(WorkerMetrics metrics) {
            this.metrics = metrics;
        }

        private long lastScrape;

        void scrapeEverySecond() {
            if (System.nanoTime() - lastScrape >= 1_000_000_000L) {
                scrape();
            }
        }

        WorkerMetrics.Scrape scrape() {
            lastScrape = System.nanoTime();
            WorkerMetrics.Scrape scrape = metrics.scrape();
            double heap = scrape.heapUsedBytes();
            if (!Double.isNaN(heap)) {
                heapMax = Math.max(heapMax, heap);
            }
            return scrape;
        }

        void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                try {
                    if (condition.getAsBoolean()) {
                        return;
                    }
                } catch (RuntimeException notYet) {
                    // the database or the worker is not answering yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("timed out after " + seconds + " s waiting until " + what);
        }
    }

    @Override
    public LineChart chart(JsonNode results) {
        JsonNode crash = results.get("crash");
        JsonNode stop = results.get("clean_stop");
        LineChart chart = new LineChart("PostgreSQL crash and outage: seconds from PostgreSQL back (%,d keys)"
                .formatted(results.get("distinct_keys").asLong()), "event", "seconds",
                List.of("crash: writing again", "crash: rebuild detected", "crash: rebuild done", "stop: writing again"));
        chart.series("seconds after PostgreSQL accepted connections", new double[]{crash.get("writing_again_after_s").asDouble(),
                crash.get("rebuild_detected_after_s").asDouble(), crash.get("rebuild_done_after_s").asDouble(),
                stop.get("writing_again_after_s").asDouble()});
        return chart;
    }
}
