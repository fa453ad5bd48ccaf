package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.ConnectStandaloneProcess;
import dev.upsertingest.loadtest.infra.TopicLoader;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.workload.ConnectEnvelope;
import dev.upsertingest.loadtest.workload.Workload;
import dev.upsertingest.worker.write.WriteSettings;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer comparison: the same backlog drained into the same server by the Debezium JDBC sink (3.x, in Kafka Connect
 * standalone, from Maven Central's jars) and by the worker. Both write logged tables with {@code synchronous_commit=on}
 * (the sink's own ground: it writes ordinary tables, and commits durably), and then the worker once more as designed
 * (unlogged, {@code synchronous_commit=off}). The events are the same (same generator, seed, keys and document
 * bytes); the sink gets them in Kafka Connect's JSON envelope, which its {@code JsonConverter} needs to map columns,
 * and writes them into a table declared exactly like the worker's.
 *
 * <p>The sink gets its best configuration, as the worker does: upserts through its {@code UNNEST} statement (one
 * statement per batch, like the worker's), its reduction buffer (last write wins per key in a batch, which that
 * statement needs), batches and polls of the worker's size, one task per worker writer slot, the worker's collector
 * and twice its heap, and offsets flushed every second so that its progress is measured as closely as the worker's.
 */
public final class DebeziumSinkScenario implements Scenario {

    static final double GOAL = 3.0;
    private static final String CONNECTOR = "bench-debezium-jdbc";

    @Override
    public String name() {
        return "debezium-sink";
    }

    @Override
    public String summary() {
        return "the Debezium JDBC sink (Kafka Connect) vs the worker: the same backlog, same server, logged + sync commit for both";
    }

    @Override
    public String usage() {
        return Workload.usage(1_000_000, 1_000_000, "uniform", 440) + "\n" + PipelineRun.usage(6, "4") + """

                   (--durability and --synchronous-commit are set per drain: logged + on for both, then the worker
                   unlogged + off)
                --debezium-tasks=<worker-writers>  sink tasks (each a consumer, a converter and a connection)
                --debezium-batch-size=<batch-size> the sink's batch.size and its consumer's max.poll.records
                --debezium-jvm-options=-Xmx1g -XX:+UseParallelGC -XX:NewRatio=1
                                             the Connect process's JVM options
                --as-designed=true           also drain through the worker as designed (unlogged, synchronous_commit off)""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        Workload workload = Workload.from(options, 1_000_000, 1_000_000, "uniform", 440);
        PipelineRun.Settings settings = PipelineRun.settings(options, 6, 4);
        int tasks = (int) options.number("debezium-tasks", settings.writersFor(settings.concurrency()));
        int batchSize = (int) options.number("debezium-batch-size", settings.batchSize());
        List<String> connectJvm = List.of(options.string("debezium-jvm-options", "-Xmx1g -XX:+UseParallelGC -XX:NewRatio=1")
                .trim().split("\\s+"));
        boolean asDesigned = Boolean.parseBoolean(options.string("as-designed", "true"));
        ConnectStandaloneProcess.libraries(); // fail before anything runs when the jars are not there

        PipelineRun.Settings logged = settings.with("logged", WriteSettings.SynchronousCommit.ON);
        try (PipelineRun run = new PipelineRun(options, logged, progress, name())) {
            progress.say("workload: %s", workload.describe());
            progress.say("the worker, logged tables and synchronous_commit=on");
            PipelineRun.Drain ours = run.drain("bench_worker_logged", workload, settings.concurrency(), false);
            run.database().dropStream("bench_worker_logged");

            SinkDrain debezium = drainDebezium(run, workload, tasks, batchSize, connectJvm, progress);

            PipelineRun.Drain designed = null;
            if (asDesigned) {
                run.settings(settings.with("unlogged", WriteSettings.SynchronousCommit.OFF));
                progress.say("the worker as designed: unlogged tables, synchronous_commit=off");
                designed = run.drain("bench_worker_unlogged", workload, settings.concurrency(), false);
                run.database().dropStream("bench_worker_unlogged");
            }

            double ratio = ours.eventsPerSecond() / debezium.eventsPerSecond();
            Figures figures = new Figures(workload.events(), ours.distinctKeys()).pipeline(ours.eventsPerSecond()).heap(ours.heap());
            Map<String, Object> document = new LinkedHashMap<>(figures.map());
            document.put("debezium_events_per_s", Math.round(debezium.eventsPerSecond()));
            document.put("worker_over_debezium", Figures.round(ratio, 2));
            document.put("worker_as_designed_events_per_s", designed == null ? null : Math.round(designed.eventsPerSecond()));
            document.put("worker_as_designed_over_debezium", designed == null ? null
                    : Figures.round(designed.eventsPerSecond() / debezium.eventsPerSecond(), 2));
            Map<String, Object> parameters = new LinkedHashMap<>(workload.parameters());
            parameters.putAll(logged.parameters());
            parameters.put("durability", "logged for both (then unlogged for the worker as designed)");
            parameters.put("synchronous_commit", "on for both (then off for the worker as designed)");
            document.put("parameters", parameters);
            document.put("debezium", debezium.toMap());
            document.put("postgres", run.database().facts());
            List<Map<String, Object>> drains = new ArrayList<>();
            Map<String, Object> oursMap = ours.toMap();
            oursMap.put("label", "worker, logged + sync commit");
            drains.add(oursMap);
            drains.add(debezium.asDrain());
            if (designed != null) {
                Map<String, Object> designedMap = designed.toMap();
                designedMap.put("label", "worker as designed (unlogged)");
                drains.add(designedMap);
            }
            document.put("drains", drains);
            document.put("goal", Map.of("worker_over_debezium_at_least", GOAL, "met", ratio >= GOAL,
                    "both", "logged tables, synchronous_commit=on, the same events, server and table definition"));

            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);
            SummaryTable table = new SummaryTable("sink", "drain events/s (warm)", "CPU avg cores", "x Debezium")
                    .row("Debezium JDBC sink " + debezium.version() + ", logged + sync commit", debezium.eventsPerSecond(),
                            debezium.cpuCores(), 1.0)
                    .row("worker, logged + sync commit", ours.eventsPerSecond(), ours.heap().get("worker_cpu_avg_cores"),
                            Figures.round(ratio, 2));
            if (designed != null) {
                table.row("worker as designed (unlogged, sync commit off)", designed.eventsPerSecond(),
                        designed.heap().get("worker_cpu_avg_cores"), Figures.round(designed.eventsPerSecond() / debezium.eventsPerSecond(), 2));
            }
            System.out.println("\n" + name() + ": " + workload.describe() + "\n" + table
                    + String.format("  worker / Debezium, both logged + sync commit: %.2f x (goal >= %.0f)%n", ratio, GOAL)
                    + "\nresults: " + json + "\nchart:   " + png);
            return json;
        }
    }

    /**
     * Produces the warm-up and the workload in Connect's JSON envelope to a fresh topic, declares the same table the
     * worker writes (logged), starts Connect with the sink and measures, as for the worker, from the consumer group's
     * committed offsets: the sink's offsets are committed after its writes, every {@code offset.flush.interval.ms}.
     */
    private SinkDrain drainDebezium(PipelineRun run, Workload workload, int tasks, int batchSize, List<String> jvm,
                                    Progress progress) throws Exception {
        String stream = "bench_debezium";
        run.declare(stream, null, "10s", "full");
        // Declared as a stream only to get the very table the worker writes; unregistered at once (the table stays), so
        // that no worker ever consumes this topic.
        run.database().execute("delete from ingest.stream where name = 'bench_debezium'");
        long warmupEvents = run.settings().warmupEvents(workload);
        long total = warmupEvents + workload.events();
        TopicLoader.RecordFormat envelope = new TopicLoader.RecordFormat() {
            @Override
            public byte[] key(Workload.Event event) {
                return ConnectEnvelope.key(event.key());
            }

            @Override
            public byte[] value(Workload.Event event) {
                return ConnectEnvelope.value(event.document());
            }
        };
        double produceSeconds = 0;
        try (TopicLoader loader = new TopicLoader(run.stack().bootstrapServers())) {
            if (warmupEvents > 0) {
                progress.say("warm-up first: %,d events, each a key of its own (Connect JSON envelope)", warmupEvents);
                produceSeconds += loader.backlog(stream, workload.warmup(warmupEvents), progress, envelope);
            }
            produceSeconds += loader.backlog(stream, workload, progress, envelope);
        }
        run.database().tryCheckpoint();

        Map<String, String> worker = new LinkedHashMap<>();
        worker.put("bootstrap.servers", run.stack().bootstrapServers());
        worker.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("key.converter.schemas.enable", "true");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter.schemas.enable", "true");
        // Offsets are committed after the sink's writes, at this interval (60 s by default): 1 s measures the drain as
        // closely as the worker's per-batch commits, and costs the sink nothing it would notice.
        worker.put("offset.flush.interval.ms", "1000");
        // The worker's consumer settings: polls as large as its batches, the same fetch sizes and wait.
        worker.put("consumer.max.poll.records", Integer.toString(batchSize));
        worker.put("consumer.fetch.min.bytes", "1");
        worker.put("consumer.fetch.max.wait.ms", "100");
        worker.put("consumer.max.partition.fetch.bytes", Integer.toString(4 << 20));
        worker.put("consumer.fetch.max.bytes", Integer.toString(64 << 20));
        worker.put("consumer.auto.offset.reset", "earliest");

        Map<String, String> connector = new LinkedHashMap<>();
        connector.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        connector.put("tasks.max", Integer.toString(tasks));
        connector.put("topics", stream);
        connector.put("connection.url", withOption(run.database().jdbcUrl(), "options", "-c synchronous_commit=on"));
        connector.put("connection.username", run.database().user());
        connector.put("connection.password", run.database().password());
        connector.put("insert.mode", "upsert");
        connector.put("primary.key.mode", "record_key");
        connector.put("primary.key.fields", "order_id");
        connector.put("delete.enabled", "false");
        connector.put("schema.evolution", "none");
        connector.put("collection.name.format", "streams.${topic}");
        connector.put("batch.size", Integer.toString(batchSize));
        connector.put("use.reduction.buffer", "true");
        connector.put("dialect.postgres.unnest.insert.enabled", "true");

        progress.say("draining %,d events with the Debezium JDBC sink (%d task(s), batches of %d, unnest upserts), measuring the last %,d",
                total, tasks, batchSize, workload.events());
        Path directory = run.stack().directory().resolve("connect");
        String group = "connect-" + CONNECTOR;
        long startedNanos = System.nanoTime();
        try (ConnectStandaloneProcess connect = ConnectStandaloneProcess.start(directory, CONNECTOR, worker, connector, jvm,
                Duration.ofMinutes(3))) {
            long firstNanos = 0, warmNanos = 0, warmCommitted = 0, endNanos;
            long lastCommitted = 0, lastMove = System.nanoTime(), lastSample = 0, lastProgress = System.nanoTime();
            long warmCpuNanos = 0;
            List<double[]> timeline = new ArrayList<>();
            long sampledCommitted = 0;
            while (true) {
                long committed = run.stack().committedOffsets(group, stream);
                long now = System.nanoTime();
                if (committed > 0 && firstNanos == 0) {
                    firstNanos = now;
                    lastSample = now;
                }
                if (committed >= warmupEvents && warmNanos == 0 && (committed > 0 || warmupEvents == 0)) {
                    warmNanos = now;
                    warmCommitted = committed;
                    warmCpuNanos = cpuNanos(connect.pid());
                }
                if (committed >= total) {
                    endNanos = now;
                    break;
                }
                if (committed > lastCommitted) {
                    lastCommitted = committed;
                    lastMove = now;
                } else if (now - lastMove > 180e9) {
                    throw new IllegalStateException("the Debezium sink committed nothing for 3 minutes (" + committed + " of "
                            + total + "); status " + connect.status() + "; see " + connect.log());
                }
                if (firstNanos != 0 && now - lastSample >= 1e9) {
                    timeline.add(new double[]{(now - firstNanos) / 1e9, (committed - sampledCommitted) / ((now - lastSample) / 1e9)});
                    sampledCommitted = committed;
                    lastSample = now;
                }
                if (now - lastProgress >= 5e9) {
                    progress.say("  %,d of %,d committed by the sink%s", committed, total, warmNanos == 0 ? ", warming up" : "");
                    lastProgress = now;
                }
                Thread.sleep(100);
            }
            double cpuCores = (cpuNanos(connect.pid()) - warmCpuNanos) / (double) (endNanos - warmNanos);
            boolean measured = warmNanos != 0 && endNanos > warmNanos && total > warmCommitted;
            double seconds = measured ? (endNanos - warmNanos) / 1e9 : (endNanos - startedNanos) / 1e9;
            double rate = measured ? (total - warmCommitted) / seconds : total / seconds;
            long rows = run.database().rows(stream) - warmupEvents;
            long failedTasks = connect.status().split("FAILED", -1).length - 1;
            progress.say("  Debezium drained: %,.0f events/s warm (the last %,d events in %.1f s); %,d distinct keys in the "
                    + "table; Connect CPU avg %.2f cores", rate, total - warmCommitted, seconds, rows, cpuCores);
            if (failedTasks > 0) {
                throw new IllegalStateException("a sink task failed: " + connect.status() + "; see " + connect.log());
            }
            String version = debeziumVersion();
            return new SinkDrain(version, workload.events(), warmupEvents, rows, tasks, batchSize, produceSeconds, seconds,
                    rate, cpuCores, Math.max(0, (warmNanos - firstNanos) / 1e9), timeline, worker, connector, jvm);
        } finally {
            run.database().execute("drop table if exists streams.bench_debezium");
        }
    }

    /** CPU time of a process so far, from /proc (user + system), in nanoseconds; 0 where there is no /proc. */
    private static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (Exception e) {
            return 0;
        }
    }

    private static String debeziumVersion() throws Exception {
        try (var files = Files.list(ConnectStandaloneProcess.libraries())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("debezium-connector-jdbc-"))
                    .map(n -> n.substring("debezium-connector-jdbc-".length(), n.length() - ".jar".length()))
                    .findFirst().orElse("?");
        }
    }

    private static String withOption(String url, String name, String value) {
        return url + (url.contains("?") ? "&" : "?") + name + "=" + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)
                .replace("+", "%20");
    }

    /** The sink's drain, measured like the worker's. */
    record SinkDrain(String version, long events, long warmupEvents, long distinctKeys, int tasks, int batchSize,
                     double produceSeconds, double seconds, double eventsPerSecond, double cpuCores, double warmupSeconds,
                     List<double[]> timeline, Map<String, String> worker, Map<String, String> connector, List<String> jvm) {

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connector", "io.debezium:debezium-connector-jdbc:" + version + " in Kafka Connect standalone");
            m.put("events_per_s", Math.round(eventsPerSecond));
            m.put("drain_seconds", Figures.round(seconds, 2));
            m.put("distinct_keys", distinctKeys);
            m.put("tasks", tasks);
            m.put("batch_size", batchSize);
            m.put("connect_cpu_avg_cores", Figures.round(cpuCores, 2));
            m.put("connect_cpu_us_per_event", Figures.round(cpuCores / eventsPerSecond * 1e6, 2));
            m.put("worker_settings", new LinkedHashMap<>(worker));
            Map<String, String> shown = new LinkedHashMap<>(connector);
            shown.put("connection.password", "(masked)");
            m.put("connector_settings", shown);
            m.put("jvm_options", jvm);
            return m;
        }

        /** As a drain of the chart. */
        Map<String, Object> asDrain() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", "Debezium JDBC sink, logged + sync commit");
            m.put("events", events);
            m.put("warmup_events", warmupEvents);
            m.put("distinct_keys", distinctKeys);
            m.put("produce_seconds", Figures.round(produceSeconds, 2));
            m.put("drain_seconds", Figures.round(seconds, 2));
            m.put("events_per_s", Math.round(eventsPerSecond));
            m.put("warmup_seconds", Figures.round(warmupSeconds, 2));
            m.put("timeline_events_per_s", timeline.stream().map(p -> Math.round(p[1])).toList());
            return m;
        }
    }

    @Override
    public LineChart chart(JsonNode results) {
        return PipelineRun.timelineChart("The worker vs the Debezium JDBC sink (%,d events, logged + sync commit)"
                .formatted(results.get("events").asLong()), results.get("drains"), Map.of());
    }
}
