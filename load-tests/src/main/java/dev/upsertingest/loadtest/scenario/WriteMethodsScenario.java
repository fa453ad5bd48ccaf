package dev.upsertingest.loadtest.scenario;

import com.zaxxer.hikari.HikariDataSource;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.workload.BenchEvents;
import dev.upsertingest.loadtest.workload.KeyDistribution;
import dev.upsertingest.worker.write.TableBatch;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Write method x batch size, measured with the worker's own write path ({@link UpsertBatchWriter}) and no Kafka: the
 * same pre-parsed events, one writer connection, the table truncated before each cell, methods rotated between rounds
 * so drift on a noisy machine spreads evenly; the median of the rounds is reported.
 */
public final class WriteMethodsScenario implements Scenario {

    @Override
    public String name() {
        return "write-methods";
    }

    @Override
    public String summary() {
        return "write method x batch size, straight into PostgreSQL (picks the worker's default write method)";
    }

    @Override
    public String usage() {
        return """
                --events=200000            events written per cell
                --key-space=100000         distinct keys the events are drawn from
                --key-distribution=uniform uniform | zipf:<exponent>
                --doc-size=440             bytes per document
                --batch-sizes=100,500,1000,2000,5000
                --methods=all              comma-separated: multi-row-values, jdbc-batch, unnest, unnest-jsonb-array, copy
                --rounds=3                 each cell is run this many times; the median is reported
                --durability=unlogged      unlogged | logged
                --jdbc-url=...             an existing PostgreSQL (default: an embedded one, tuned)
                --db-user=postgres --db-password=postgres""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        int events = (int) options.number("events", 200_000);
        long keySpace = options.number("key-space", 100_000);
        String distribution = options.string("key-distribution", "uniform");
        int docSize = (int) options.number("doc-size", 440);
        List<Integer> batchSizes = options.list("batch-sizes", "100,500,1000,2000,5000").stream().map(Integer::parseInt).toList();
        List<WriteMethod> methods = parseMethods(options.list("methods", "all"));
        int rounds = (int) options.number("rounds", 3);
        String durability = options.string("durability", "unlogged");
        if (!durability.equals("unlogged") && !durability.equals("logged")) {
            throw new IllegalArgumentException("--durability must be unlogged or logged");
        }

        try (BenchDatabase database = BenchDatabase.open(options, progress)) {
            options.rejectUnknown();
            StreamDefinition stream = database.declareStream("bench_write", durability);

            progress.say("generating %,d events over %,d keys (%s), ~%d bytes each", events, keySpace, distribution, docSize);
            EventParser parser = BenchEvents.PARSER;
            KeyDistribution keys = KeyDistribution.parse(distribution, keySpace, 42);
            List<ParsedEvent.Upsert> upserts = BenchEvents.generate(stream, events, keys::next, docSize, 7);

            Map<WriteMethod, Map<Integer, List<double[]>>> samples = new LinkedHashMap<>();
            methods.forEach(m -> samples.put(m, new LinkedHashMap<>()));
            int cells = rounds * batchSizes.size() * methods.size(), cell = 0;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try (HikariDataSource pool = database.pool("writer", 1)) {
                // Unmeasured warm-up: JIT-compile every method's path and fill the driver's statement caches.
                List<TableBatch> warmup = BenchEvents.batches(stream, upserts.subList(0, Math.min(upserts.size(), 50_000)), 1000);
                for (WriteMethod method : methods) {
                    progress.say("warming up %s", label(method));
                    database.truncateStream("bench_write");
                    UpsertBatchWriter writer = new UpsertBatchWriter(pool,
                            new WriteSettings(method, WriteSettings.SynchronousCommit.OFF, WriteSettings.SynchronousCommit.OFF, Duration.ofMinutes(5)), parser::toJson);
                    BenchEvents.write(writer, warmup);
                }
                for (int round = 0; round < rounds; round++) {
                    for (int size : batchSizes) {
                        List<TableBatch> batches = BenchEvents.batches(stream, upserts, size);
                        for (int i = 0; i < methods.size(); i++) {
                            WriteMethod method = methods.get((i + round) % methods.size());
                            database.truncateStream("bench_write");
                            database.tryCheckpoint();
                            UpsertBatchWriter writer = new UpsertBatchWriter(pool,
                                    new WriteSettings(method, WriteSettings.SynchronousCommit.OFF, WriteSettings.SynchronousCommit.OFF, Duration.ofMinutes(5)),
                                    parser::toJson);
                            long cpuBefore = threads.getCurrentThreadCpuTime();
                            double seconds = BenchEvents.write(writer, batches);
                            double cpuMicrosPerEvent = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / events;
                            double rate = events / seconds;
                            samples.get(method).computeIfAbsent(size, s -> new ArrayList<>()).add(new double[]{rate, cpuMicrosPerEvent});
                            progress.say("[%3d/%d] round %d, batch %5d, %-18s %,10.0f events/s  (client %.1f us/event)",
                                    ++cell, cells, round + 1, size, label(method), rate, cpuMicrosPerEvent);
                        }
                    }
                }
            }
            return report(resultsDirectory, progress, samples, batchSizes, Map.of(
                    "events", events, "key_space", keySpace, "key_distribution", distribution, "doc_size", docSize,
                    "rounds", rounds, "durability", durability, "writers", 1, "synchronous_commit", "off"),
                    database);
        }
    }

    private Path report(Path directory, Progress progress, Map<WriteMethod, Map<Integer, List<double[]>>> samples, List<Integer> batchSizes,
                        Map<String, Object> parameters, BenchDatabase database) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("method \\ batch"));
        batchSizes.forEach(size -> header.add(String.format("%,d", size)));
        SummaryTable table = new SummaryTable(header.toArray(String[]::new));
        for (var method : samples.entrySet()) {
            List<Object> cells = new ArrayList<>(List.of(label(method.getKey())));
            for (int i = 0; i < batchSizes.size(); i++) {
                List<double[]> runs = method.getValue().get(batchSizes.get(i));
                double rate = median(runs.stream().mapToDouble(r -> r[0]).toArray());
                double cpu = median(runs.stream().mapToDouble(r -> r[1]).toArray());
                cells.add(rate);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("method", label(method.getKey()));
                row.put("batch_size", batchSizes.get(i));
                row.put("events_per_s", Math.round(rate));
                row.put("client_cpu_us_per_event", Figures.round(cpu, 2));
                row.put("rounds_events_per_s", runs.stream().map(r -> Math.round(r[0])).toList());
                rows.add(row);
            }
            table.row(cells.toArray());
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("parameters", parameters);
        document.put("postgres", database.facts());
        document.put("results", rows);
        Path json = save(directory, progress, document);
        Path png = Results.chartFile(json);
        System.out.println("\nevents/s (median of rounds), one writer connection:\n" + table);
        System.out.println("results: " + json + "\nchart:   " + png);
        return json;
    }

    @Override
    public LineChart chart(tools.jackson.databind.JsonNode results) {
        List<Integer> sizes = new ArrayList<>();
        Map<String, Map<Integer, Double>> rates = new LinkedHashMap<>();
        for (tools.jackson.databind.JsonNode row : results.get("results")) {
            int size = row.get("batch_size").asInt();
            if (!sizes.contains(size)) {
                sizes.add(size);
            }
            rates.computeIfAbsent(row.get("method").asString(), m -> new LinkedHashMap<>())
                    .put(size, row.get("events_per_s").asDouble());
        }
        LineChart chart = new LineChart("Upserts/s by write method and batch size (1 writer, median of rounds)",
                "events per batch", "events/s", sizes.stream().map(String::valueOf).toList());
        rates.forEach((method, bySize) -> chart.series(method,
                sizes.stream().mapToDouble(size -> bySize.getOrDefault(size, Double.NaN)).toArray()));
        return chart;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static String label(WriteMethod method) {
        return method.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<WriteMethod> parseMethods(List<String> names) {
        if (names.equals(List.of("all"))) {
            return List.of(WriteMethod.values());
        }
        return names.stream().map(n -> {
            try {
                return WriteMethod.valueOf(n.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown write method '" + n + "'");
            }
        }).toList();
    }
}
