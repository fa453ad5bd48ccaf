package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.local.ServiceProcess;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.infra.DirectWriter;
import dev.upsertingest.loadtest.infra.Stack;
import dev.upsertingest.loadtest.infra.TopicLoader;
import dev.upsertingest.loadtest.infra.WorkerMetrics;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.workload.Workload;
import dev.upsertingest.worker.write.WriteSettings;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the pipeline scenarios share: a PostgreSQL, a broker and the worker as its own process; draining a
 * pre-produced backlog through the worker; writing the same events straight into an identical table (the ceiling);
 * producing at a fixed rate while measuring end-to-end latency. Each drain gets a fresh stream, topic and consumer
 * group, and the worker is restarted for it (it loads the stream catalog at start).
 */
final class PipelineRun implements AutoCloseable {

    /** How the worker and the ceiling writer are set up; read from the common options. */
    record Settings(int partitions, int concurrency, int writers, int batchSize, String durability,
                    WriteSettings.SynchronousCommit synchronousCommit, List<String> workerJvmOptions, String warmup,
                    String bootstrapServers) {

        /** The same settings with other stream tables and another {@code synchronous_commit}. */
        Settings with(String otherDurability, WriteSettings.SynchronousCommit otherCommit) {
            return new Settings(partitions, concurrency, writers, batchSize, otherDurability, otherCommit, workerJvmOptions,
                    warmup, bootstrapServers);
        }

        /** The worker's writer slots with {@code concurrency} consumer threads: never more than the threads. */
        int writersFor(int concurrency) {
            return Math.min(writers, concurrency);
        }

        /** Warm-up events before a workload: {@code --warmup-events}, {@code auto} by default (see {@link Workload#defaultWarmupEvents}). */
        long warmupEvents(Workload workload) {
            return warmup.equals("auto") ? workload.defaultWarmupEvents() : Long.parseLong(warmup);
        }

        Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("warmup_events", warmup);
            p.put("partitions", partitions);
            p.put("worker_concurrency", concurrency);
            p.put("worker_writers", writersFor(concurrency));
            p.put("batch_size", batchSize);
            p.put("durability", durability);
            p.put("synchronous_commit", synchronousCommit.setting());
            p.put("write_method", "unnest");
            p.put("worker_jvm_options", workerJvmOptions);
            return p;
        }
    }

    static String usage(int partitions, String concurrency) {
        return """
                --partitions=%-15d partitions of each stream topic
                --concurrency=%s%s worker consumer threads
                --worker-writers=2           the worker's writer slots (ingest.consumer.writers): batch transactions
                                             at once; also the ceiling's writer threads
                --batch-size=2000            the worker's max-poll-records, and the ceiling's events per transaction
                --durability=unlogged        unlogged | logged stream tables
                --synchronous-commit=off     the worker's and the ceiling's synchronous_commit (off | on | local)
                --warmup-events=auto         events drained (and written by the ceiling) before the measured ones,
                                             each a key of its own, so both run warm; auto = ~880 MB of documents
                                             (2,000,000 of 440 bytes); 0 measures from a cold start
                --worker-jvm-options=...     extra JVM options for the worker, space-separated, e.g.
                                             -XX:StartFlightRecording=filename=/tmp/worker.jfr,settings=profile
                --jdbc-url=...               an existing PostgreSQL (default: an embedded one, tuned)
                --bootstrap-servers=...      an existing Kafka cluster (default: a broker process of its own)
                --db-user=postgres --db-password=postgres"""
                .formatted(partitions, concurrency, " ".repeat(Math.max(0, 14 - concurrency.length())));
    }

    static Settings settings(Options options, int partitions, int concurrency) {
        return read(options, partitions, (int) options.number("concurrency", concurrency));
    }

    /** For a scenario that reads {@code --concurrency} itself (a list of levels): {@code concurrency} is the first. */
    static Settings settingsWithConcurrency(Options options, int partitions, int concurrency) {
        return read(options, partitions, concurrency);
    }

    private static Settings read(Options options, int partitions, int concurrency) {
        String durability = options.string("durability", "unlogged");
        if (!durability.equals("unlogged") && !durability.equals("logged")) {
            throw new IllegalArgumentException("--durability must be unlogged or logged");
        }
        WriteSettings.SynchronousCommit commit;
        try {
            commit = WriteSettings.SynchronousCommit.valueOf(options.string("synchronous-commit", "off").toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--synchronous-commit must be off, on, local, remote-write or remote-apply");
        }
        String jvm = options.string("worker-jvm-options", "").trim();
        String warmup = options.string("warmup-events", "auto");
        if (!warmup.equals("auto") && !warmup.matches("\\d+")) {
            throw new IllegalArgumentException("--warmup-events must be auto or a number of events");
        }
        int writers = (int) options.number("worker-writers", 2);
        if (writers < 1) {
            throw new IllegalArgumentException("--worker-writers must be at least 1");
        }
        return new Settings((int) options.number("partitions", partitions), concurrency, writers,
                (int) options.number("batch-size", 2000), durability, commit,
                jvm.isEmpty() ? List.of() : Arrays.asList(jvm.split("\\s+")), warmup,
                options.string("bootstrap-servers", null));
    }

    /**
     * One drain of a backlog through the worker. {@code eventsPerSecond} is measured over the workload's events, after
     * the warm-up; {@code coldEventsPerSecond} over everything from the first write. {@code timeline} holds
     * [seconds since the first write, events/s] per second, warm-up included.
     */
    record Drain(String stream, long events, long warmupEvents, long distinctKeys, int concurrency, double produceSeconds,
                 double seconds, double eventsPerSecond, double coldSeconds, double coldEventsPerSecond, double warmupSeconds,
                 double heapMaxBytes, long heapLimitMb, double cpuAverage, double cpuMax, List<double[]> timeline) {

        Map<String, Object> heap() {
            Map<String, Object> heap = new LinkedHashMap<>();
            heap.put("max_used_mb", Math.round(heapMaxBytes / (1 << 20)));
            heap.put("limit_mb", heapLimitMb);
            heap.put("worker_cpu_avg_cores", Figures.round(cpuAverage * Runtime.getRuntime().availableProcessors(), 2));
            heap.put("worker_cpu_max_cores", Figures.round(cpuMax * Runtime.getRuntime().availableProcessors(), 2));
            heap.put("worker_cpu_us_per_event", Double.isNaN(cpuAverage) ? null
                    : Figures.round(cpuAverage * Runtime.getRuntime().availableProcessors() / eventsPerSecond * 1e6, 2));
            return heap;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("stream", stream);
            m.put("events", events);
            m.put("warmup_events", warmupEvents);
            m.put("distinct_keys", distinctKeys);
            m.put("worker_concurrency", concurrency);
            m.put("produce_seconds", Figures.round(produceSeconds, 2));
            m.put("drain_seconds", Figures.round(seconds, 2));
            m.put("events_per_s", Math.round(eventsPerSecond));
            m.put("warmup_seconds", Figures.round(warmupSeconds, 2));
            m.put("cold_drain_seconds", Figures.round(coldSeconds, 2));
            m.put("cold_events_per_s", Math.round(coldEventsPerSecond));
            m.put("heap", heap());
            m.put("timeline_events_per_s", timeline.stream().map(p -> Math.round(p[1])).toList());
            return m;
        }
    }

    private Settings settings;
    private final Progress progress;
    private final BenchDatabase database;
    private final Stack stack;

    PipelineRun(Options options, Settings settings, Progress progress, String name) throws Exception {
        this(openDatabase(options, progress), settings, progress, name);
    }

    /** The database of {@code options}, once every option has been read (so a misspelt one fails before anything runs). */
    private static BenchDatabase openDatabase(Options options, Progress progress) throws Exception {
        BenchDatabase database = BenchDatabase.open(options, progress);
        try {
            options.rejectUnknown();
        } catch (IllegalArgumentException e) {
            database.close();
            throw e;
        }
        return database;
    }

    /** For the crash scenario: a database it controls itself. */
    PipelineRun(BenchDatabase database, Settings settings, Progress progress, String name) throws Exception {
        this.settings = settings;
        this.progress = progress;
        this.database = database;
        this.stack = new Stack(Files.createTempDirectory(name), database, progress).workerJvmOptions(settings.workerJvmOptions());
        stack.startKafka(settings.bootstrapServers());
        progress.say("logs of the broker and the worker: %s", stack.directory());
    }

    BenchDatabase database() {
        return database;
    }

    Stack stack() {
        return stack;
    }

    Settings settings() {
        return settings;
    }

    /** Uses {@code other} for the drains and ceilings from now on (a scenario comparing durabilities in one run). */
    void settings(Settings other) {
        this.settings = other;
    }

    /**
     * Declares {@code stream} and its compacted topic, with the 8-index order view over it, refreshed every
     * {@code refreshInterval} (e.g. {@code 10s}) in {@code viewMode} (incremental or full), when {@code view} is given.
     */
    StreamDefinition declare(String stream, String view, String refreshInterval, String viewMode) throws Exception {
        StreamDefinition definition = database.declareStream(stream, settings.durability());
        if (view != null) {
            database.declareOrderView(view, stream, refreshInterval, viewMode);
        }
        stack.createTopic(stream, settings.partitions());
        return definition;
    }

    Map<String, String> workerProperties(String stream, int concurrency) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ingest.consumer.concurrency", Integer.toString(concurrency));
        properties.put("ingest.consumer.writers", Integer.toString(settings.writersFor(concurrency)));
        properties.put("ingest.consumer.group-id", "bench-" + stream);
        properties.put("ingest.consumer.max-poll-records", Integer.toString(settings.batchSize()));
        // The benchmark's setting for both kinds of stream: a logged run measures the setting it names.
        properties.put("ingest.write.synchronous-commit", settings.synchronousCommit().setting());
        properties.put("ingest.write.logged-synchronous-commit", settings.synchronousCommit().setting());
        properties.put("ingest.topics.partitions", Integer.toString(settings.partitions()));
        return properties;
    }

    /**
     * Produces the warm-up and then the workload to a fresh stream's topic, starts the worker and measures how fast it
     * drains them. Progress is the consumer group's committed offsets (the worker commits them after each batch's
     * transaction), asked of the broker every 100 ms: the measured rate is the events committed from the first sample
     * past the warm-up to the sample that covers the whole backlog, over the time between them. The cold rate counts
     * every event from the first row written (the earliest {@code updated_at}). Leaves the worker running when
     * {@code keepWorker}.
     */
    Drain drain(String stream, Workload workload, int concurrency, boolean keepWorker) throws Exception {
        return drain(stream, workload, concurrency, null, "10s", "full", keepWorker);
    }

    /**
     * As {@link #drain(String, Workload, int, boolean)}, with {@code view} over the stream refreshed every
     * {@code refreshInterval} in {@code viewMode}.
     */
    Drain drain(String stream, Workload workload, int concurrency, String view, String refreshInterval, String viewMode,
                boolean keepWorker) throws Exception {
        declare(stream, view, refreshInterval, viewMode);
        long warmupEvents = settings.warmupEvents(workload);
        long total = warmupEvents + workload.events();
        double produceSeconds = 0;
        try (TopicLoader loader = new TopicLoader(stack.bootstrapServers())) {
            if (warmupEvents > 0) {
                progress.say("warm-up first: %,d events, each a key of its own", warmupEvents);
                produceSeconds += loader.backlog(stream, workload.warmup(warmupEvents), progress);
            }
            produceSeconds += loader.backlog(stream, workload, progress);
        }
        database.tryCheckpoint();
        progress.say("draining %,d events with the worker (%d consumer thread(s), %d partitions), measuring the last %,d",
                total, concurrency, settings.partitions(), workload.events());
        ServiceProcess worker = stack.startWorker(workerProperties(stream, concurrency));
        WorkerMetrics metrics = new WorkerMetrics(worker);
        String group = workerProperties(stream, concurrency).get("ingest.consumer.group-id");
        // Completion is polled from the broker (committed offsets); the worker's own metrics only once a second,
        // because rendering /actuator/prometheus costs the worker CPU the drain would otherwise get.
        long firstSeen = Long.MAX_VALUE;
        long warmNanos = 0, warmCommitted = 0;
        long lastSample = System.nanoTime();
        long lastApplied = 0;
        long lastProgress = System.nanoTime();
        long lastMove = System.nanoTime();
        long lastCommitted = 0;
        double heapMax = 0, cpuSum = 0, cpuMax = 0;
        int cpuSamples = 0;
        List<double[]> timeline = new ArrayList<>();
        long timelineStart = 0;
        long endNanos;
        while (true) {
            long committed = stack.committedOffsets(group, stream);
            long now = System.nanoTime();
            if (committed > 0 && firstSeen == Long.MAX_VALUE) {
                firstSeen = System.currentTimeMillis();
                timelineStart = now;
                lastSample = now;
            }
            if (committed >= warmupEvents && warmNanos == 0 && (committed > 0 || warmupEvents == 0)) {
                warmNanos = now;
                warmCommitted = committed;
            }
            if (committed >= total) {
                endNanos = now;
                break;
            }
            if (committed > lastCommitted) {
                lastMove = now;
                lastCommitted = committed;
            } else if (now - lastMove > 180e9) {
                throw new IllegalStateException("the worker committed no event for 3 minutes (" + committed + " of "
                        + total + "); see " + worker.log());
            }
            if (now - lastSample >= 1e9) {
                WorkerMetrics.Scrape scrape = metrics.scrape();
                long applied = scrape.applied(stream);
                double heap = scrape.heapUsedBytes(), cpu = scrape.processCpu();
                heapMax = Math.max(heapMax, Double.isNaN(heap) ? 0 : heap);
                if (warmNanos != 0 && !Double.isNaN(cpu)) { // CPU of the measured part only
                    cpuSum += cpu;
                    cpuMax = Math.max(cpuMax, cpu);
                    cpuSamples++;
                }
                if (firstSeen != Long.MAX_VALUE) {
                    timeline.add(new double[]{(now - timelineStart) / 1e9, (applied - lastApplied) / ((now - lastSample) / 1e9)});
                }
                lastApplied = applied;
                lastSample = now;
                if (now - lastProgress >= 5e9) {
                    progress.say("  %,d of %,d applied%s (heap %,.0f MB, worker CPU %.0f%%)", applied, total,
                            warmNanos == 0 ? ", warming up" : "", heap / (1 << 20), cpu * 100);
                    lastProgress = now;
                }
            }
            Thread.sleep(100);
        }
        long end = System.currentTimeMillis();
        // One more scrape at the end, so that a drain shorter than the sampling interval has its heap and CPU too.
        WorkerMetrics.Scrape last = metrics.scrape();
        if (!Double.isNaN(last.heapUsedBytes())) {
            heapMax = Math.max(heapMax, last.heapUsedBytes());
        }
        if (cpuSamples == 0 && !Double.isNaN(last.processCpu())) {
            cpuSum = cpuMax = last.processCpu();
            cpuSamples = 1;
        }
        long firstRow = Long.parseLong(database.queryString("select coalesce((extract(epoch from min(updated_at)) * 1000)::bigint, 0) from streams."
                + stream));
        long start = Math.min(firstSeen, firstRow > 0 ? firstRow : Long.MAX_VALUE);
        double coldSeconds = Math.max(1e-3, (end - start) / 1000.0);
        // Measured from the first sample past the warm-up; a drain that finished within one sample has no interval of
        // its own, and then the whole drain is the measurement.
        boolean measured = warmNanos != 0 && endNanos > warmNanos && total > warmCommitted;
        double seconds = measured ? (endNanos - warmNanos) / 1e9 : coldSeconds;
        double rate = measured ? (total - warmCommitted) / seconds : total / coldSeconds;
        long distinct = database.rows(stream) - warmupEvents; // warm-up keys are distinct and none of the workload's
        Drain drain = new Drain(stream, workload.events(), warmupEvents, distinct, concurrency, produceSeconds, seconds, rate,
                coldSeconds, total / coldSeconds, Math.max(0, coldSeconds - seconds), heapMax, stack.workerHeapLimitMb(),
                cpuSamples == 0 ? Double.NaN : cpuSum / cpuSamples, cpuMax, timeline);
        progress.say("  drained: %,.0f events/s warm (the last %,d events in %.1f s), %,.0f events/s from a cold start; "
                        + "%,d distinct keys, worker heap max %,.0f MB, CPU avg %.2f cores", rate, total - warmCommitted, seconds,
                drain.coldEventsPerSecond(), distinct, heapMax / (1 << 20), drain.cpuAverage() * Runtime.getRuntime().availableProcessors());
        if (!keepWorker) {
            stack.stopWorker();
        }
        return drain;
    }

    /**
     * The same events written straight into a fresh table of the same definition, after the same warm-up events as the
     * drain (untimed: they warm the write path and leave the table as the drain's is when its measurement starts);
     * returns events/s. The table is dropped afterwards, so that its autovacuum never runs during a later measurement.
     * Scenarios measure the ceiling first, before any drain, for the same reason (a drained table is vacuumed, and its
     * view refreshed, long after).
     */
    double ceiling(String stream, Workload workload, int writers) throws Exception {
        return ceiling(stream, workload, writers, false);
    }

    /**
     * As {@link #ceiling(String, Workload, int)}; when {@code captured}, the table has an incremental 8-index view (never
     * refreshed: no worker runs), so every write also goes through its change capture.
     */
    double ceiling(String stream, Workload workload, int writers, boolean captured) throws Exception {
        StreamDefinition definition = database.declareStream(stream, settings.durability());
        if (captured) {
            database.declareOrderView(stream + "_v", stream, "1s", "incremental");
        }
        long warmupEvents = settings.warmupEvents(workload);
        progress.say("ceiling%s: the same %,d events straight into %s with the worker's write path (%d writer thread(s), "
                + "batches of %d, unnest), after %,d warm-up events", captured ? " with change capture" : "", workload.events(),
                stream, writers, settings.batchSize(), warmupEvents);
        try (DirectWriter writer = new DirectWriter(database, definition, writers, settings.batchSize(), settings.synchronousCommit())) {
            if (warmupEvents > 0) {
                writer.write(workload.warmup(warmupEvents), progress);
            } else { // at least JIT-compile the client's write path
                writer.write(workload.withEvents(Math.min(workload.events(), 20_000)), progress);
                database.truncateStream(stream);
            }
            database.tryCheckpoint();
            double seconds = writer.write(workload, progress);
            double rate = workload.events() / seconds;
            progress.say("  ceiling: %,.0f events/s (%.1f s)", rate, seconds);
            database.dropStream(stream);
            return rate;
        }
    }

    /**
     * Waits until an incremental view applied every change the drain made (its first refreshes after a drain apply
     * what the worker wrote faster than the view could follow), so that a fixed-rate phase measures the steady state.
     */
    void awaitCaughtUp(String view) throws InterruptedException {
        progress.say("waiting for %s to apply the drain's changes", view);
        long start = System.nanoTime();
        while (Long.parseLong(database.queryString("select ingest.view_pending_changes(?)", view)) > 0) {
            if (System.nanoTime() - start > 1200e9) {
                throw new IllegalStateException("the worker did not catch up with " + view + " within 20 minutes; see " + stack.worker().log());
            }
            Thread.sleep(500);
        }
        progress.say("  caught up %.0f s after the drain", (System.nanoTime() - start) / 1e9);
    }

    /** Waits for the first successful refresh of {@code view} of the given mode that started after {@code since}. */
    void awaitRefreshSince(String view, String mode, java.time.Instant since) throws InterruptedException {
        long start = System.nanoTime();
        while (Long.parseLong(database.queryString("select count(*) from ingest.view_refresh where view = ? and mode = ? "
                + "and outcome = 'ok' and started_at > ?", view, mode, java.sql.Timestamp.from(since))) == 0) {
            if (System.nanoTime() - start > 1200e9) {
                throw new IllegalStateException("no " + mode + " refresh of " + view + " within 20 minutes; see " + stack.worker().log());
            }
            Thread.sleep(500);
        }
    }

    /**
     * Waits for the view's first successful refresh after a drain (the worker refreshes views only once the stream's
     * table is complete), so that a fixed-rate phase measures the steady state, not the one-off first fill.
     */
    void awaitFirstRefresh(String view) throws InterruptedException {
        progress.say("waiting for the first refresh of %s over the drained table", view);
        long start = System.nanoTime();
        while (Long.parseLong(database.queryString("select count(*) from ingest.view_refresh where view = ? and outcome = 'ok'", view)) == 0) {
            if (System.nanoTime() - start > 600e9) {
                throw new IllegalStateException("the worker did not refresh " + view + " within 10 minutes; see " + stack.worker().log());
            }
            Thread.sleep(500);
        }
        progress.say("  refreshed %.0f s after the drain", (System.nanoTime() - start) / 1e9);
    }

    /** A fixed-rate phase: end-to-end latency, worker heap and CPU, and the view's staleness. */
    record Sustained(double targetRate, double producedRate, double appliedRate, double seconds, Histogram latency,
                     long probes, long unresolved, double heapMaxBytes, double cpuAverage, List<Double> staleness) {

        static final int STALENESS_SETTLE_SECONDS = 10;

        /**
         * The first {@value #STALENESS_SETTLE_SECONDS} s are left out of the percentiles: until the phase's first refresh
         * ends, the view's newest row is the idle gap before the phase, not staleness under load.
         */
        Map<String, Object> staleness(String view) {
            int settle = staleness.size() > 2 * STALENESS_SETTLE_SECONDS ? STALENESS_SETTLE_SECONDS : 0;
            if (staleness.size() <= settle) {
                return null;
            }
            double[] sorted = staleness.subList(settle, staleness.size()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("view", view);
            s.put("what", "age of the newest row the view shows (ingest_view_staleness_seconds), sampled every second; "
                    + "percentiles leave out the first " + settle + " s of the phase");
            s.put("samples", sorted.length);
            s.put("timeline_s", staleness.stream().map(v -> Figures.round(v, 1)).toList());
            s.put("p50_s", Figures.round(sorted[sorted.length / 2], 2));
            s.put("p99_s", Figures.round(sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))], 2));
            s.put("max_s", Figures.round(sorted[sorted.length - 1], 2));
            return s;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target_events_per_s", Math.round(targetRate));
            m.put("produced_events_per_s", Math.round(producedRate));
            m.put("applied_events_per_s", Math.round(appliedRate));
            m.put("seconds", Figures.round(seconds, 1));
            m.put("latency_ms", Figures.percentiles(latency));
            m.put("latency_probes", probes);
            m.put("latency_probes_unresolved", unresolved);
            m.put("heap_max_used_mb", Math.round(heapMaxBytes / (1 << 20)));
            m.put("worker_cpu_avg_cores", Figures.round(cpuAverage * Runtime.getRuntime().availableProcessors(), 2));
            return m;
        }
    }

    /**
     * Produces to {@code stream} at {@code rate} for {@code seconds} with the worker running, and measures end-to-end
     * latency: every {@code probeEvery}-th event is a probe, and a poller looks its key up in the table every 50 ms
     * until the row carries the probe's {@code produced_at} (or a later one). Latency counts from the probe's intended
     * production time on the fixed schedule (see {@link TopicLoader#atRate}).
     */
    Sustained sustain(String stream, Workload workload, double rate, int seconds, int probeEvery, String view) throws Exception {
        ServiceProcess worker = stack.worker();
        WorkerMetrics metrics = new WorkerMetrics(worker);
        Histogram latency = new Histogram(3_600_000_000L, 3);
        Map<String, Long> pending = new ConcurrentHashMap<>();
        AtomicBoolean stopProducing = new AtomicBoolean();
        AtomicBoolean stopPolling = new AtomicBoolean();
        AtomicLong probes = new AtomicLong();
        AtomicLong produced = new AtomicLong();
        Workload.Generator events = new Workload(Long.MAX_VALUE, workload.keySpace(), workload.distribution(), workload.docSize(),
                workload.docShape(), workload.seed() + 1000, 0).generator();
        progress.say("sustained: producing %,.0f events/s for %d s (1 in %d events is a latency probe)", rate, seconds, probeEvery);

        Thread poller = Thread.ofPlatform().name("latency-poller").start(() -> {
            try (Connection connection = database.connection();
                 PreparedStatement lookup = connection.prepareStatement("select order_id, (doc ->> 'produced_at')::bigint from streams."
                         + stream + " where order_id = any(?)")) {
                while (!stopPolling.get()) {
                    List<String> keys = new ArrayList<>(pending.keySet());
                    if (!keys.isEmpty()) {
                        lookup.setArray(1, connection.createArrayOf("text", keys.toArray()));
                        try (ResultSet rows = lookup.executeQuery()) {
                            long now = System.currentTimeMillis() * 1000;
                            while (rows.next()) {
                                String key = rows.getString(1);
                                long stamp = rows.getLong(2);
                                Long probe = pending.get(key);
                                if (probe != null && !rows.wasNull() && stamp >= probe && pending.remove(key, probe)) {
                                    synchronized (latency) {
                                        latency.recordValue(Math.min(Math.max(0, now - probe), latency.getHighestTrackableValue()));
                                    }
                                }
                            }
                        }
                    }
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                progress.say("latency poller failed: %s", e);
            }
        });
        long start = System.nanoTime();
        long appliedBefore = metrics.scrape().applied(stream);
        Thread producer = Thread.ofPlatform().name("fixed-rate-producer").start(() -> {
            try (TopicLoader loader = new TopicLoader(stack.bootstrapServers())) {
                AtomicLong count = new AtomicLong();
                produced.set(loader.atRate(stream, events, rate, stopProducing::get, (event, stamp) -> {
                    if (count.getAndIncrement() % probeEvery == 0 && pending.putIfAbsent(event.key(), stamp) == null) {
                        probes.incrementAndGet();
                    }
                }));
            }
        });
        double heapMax = 0, cpuSum = 0;
        int samples = 0;
        List<Double> staleness = new ArrayList<>();
        for (int second = 1; second <= seconds; second++) {
            Thread.sleep(Math.max(0, (start + second * 1_000_000_000L - System.nanoTime()) / 1_000_000));
            WorkerMetrics.Scrape scrape = metrics.scrape();
            heapMax = Math.max(heapMax, scrape.heapUsedBytes());
            cpuSum += scrape.processCpu();
            samples++;
            if (view != null) {
                double stale = scrape.viewStalenessSeconds(view);
                if (!Double.isNaN(stale)) {
                    staleness.add(stale);
                }
            }
            if (second % 10 == 0) {
                synchronized (latency) {
                    progress.say("  %d s: latency p50 %.0f ms, p99 %.0f ms (%,d probes seen), heap %,.0f MB", second,
                            latency.getValueAtPercentile(50) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getTotalCount(),
                            scrape.heapUsedBytes() / (1 << 20));
                }
            }
        }
        stopProducing.set(true);
        producer.join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long appliedAfter = metrics.scrape().applied(stream);
        long waitUntil = System.nanoTime() + 30_000_000_000L;
        while (!pending.isEmpty() && System.nanoTime() < waitUntil) {
            Thread.sleep(100);
        }
        stopPolling.set(true);
        poller.join();
        long unresolved = pending.size();
        long now = System.currentTimeMillis() * 1000;
        for (Long probe : pending.values()) {
            latency.recordValue(Math.min(now - probe, latency.getHighestTrackableValue())); // at least this late
        }
        Sustained sustained = new Sustained(rate, produced.get() / elapsed, (appliedAfter - appliedBefore) / elapsed, elapsed, latency,
                probes.get(), unresolved, heapMax, cpuSum / Math.max(1, samples), staleness);
        progress.say("  sustained: produced %,.0f/s, applied %,.0f/s; latency p50 %.0f ms, p99 %.0f ms, p99.9 %.0f ms, max %.0f ms",
                sustained.producedRate(), sustained.appliedRate(), latency.getValueAtPercentile(50) / 1e3,
                latency.getValueAtPercentile(99) / 1e3, latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3);
        return sustained;
    }

    /**
     * The drains' chart of a scenario's results: one line per drain, and the ceiling as a flat line labelled
     * {@code ceilingLabel} when the run measured it.
     */
    static LineChart timelineChart(String title, tools.jackson.databind.JsonNode results, String ceilingLabel) {
        Map<String, Double> references = new LinkedHashMap<>();
        if (!results.get("ceiling_events_per_s").isNull()) {
            references.put(ceilingLabel, results.get("ceiling_events_per_s").asDouble());
        }
        return timelineChart(title, results.get("drains"), references);
    }

    /** A chart of events/s over time, one line per drain (plus flat lines for reference rates such as the ceiling). */
    static LineChart timelineChart(String title, tools.jackson.databind.JsonNode drains, Map<String, Double> references) {
        int length = 0;
        for (tools.jackson.databind.JsonNode drain : drains) {
            length = Math.max(length, drain.get("timeline_events_per_s").size());
        }
        length = Math.max(length, 2);
        List<String> seconds = new ArrayList<>();
        for (int i = 1; i <= length; i++) {
            seconds.add(Integer.toString(i));
        }
        LineChart chart = new LineChart(title, "seconds since the worker's first write", "events/s", seconds);
        for (tools.jackson.databind.JsonNode drain : drains) {
            // The warm-up and the measured part as two lines that meet at the boundary, so one sees what was measured.
            tools.jackson.databind.JsonNode timeline = drain.get("timeline_events_per_s");
            int boundary = drain.has("warmup_seconds") ? (int) Math.round(drain.get("warmup_seconds").asDouble()) : 0;
            boundary = Math.min(boundary, timeline.size() - 1);
            double[] warmup = new double[length];
            double[] measured = new double[length];
            Arrays.fill(warmup, Double.NaN);
            Arrays.fill(measured, Double.NaN);
            for (int i = 0; i < timeline.size(); i++) {
                if (i <= boundary && boundary > 0) {
                    warmup[i] = timeline.get(i).asDouble();
                }
                if (i >= boundary) {
                    measured[i] = timeline.get(i).asDouble();
                }
            }
            String label = drain.get("label").asString();
            if (boundary > 0) {
                chart.series(label + ", warm-up", warmup);
            }
            chart.series(label + String.format(", measured (avg %,d/s)", drain.get("events_per_s").asLong()), measured);
        }
        references.forEach((label, value) -> {
            double[] flat = new double[seconds.size()];
            Arrays.fill(flat, value);
            chart.series(label + String.format(" (%,.0f/s)", value), flat);
        });
        return chart;
    }

    @Override
    public void close() throws Exception {
        try {
            stack.close();
        } finally {
            database.close();
        }
    }
}
