package dev.upsertingest.loadtest.scenario;

import com.zaxxer.hikari.HikariDataSource;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.local.ServiceProcess;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.infra.Stack;
import dev.upsertingest.loadtest.report.Figures;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.SummaryTable;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.workload.BenchEvents;
import dev.upsertingest.loadtest.workload.DocumentGenerator;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The API under load, with the whole system running as separate processes on this machine: how many events per
 * second it publishes, and how fast it answers queries on a 1,000,000-row view while the worker ingests and the view
 * keeps being refreshed. Query latency counts from each query's intended start on a fixed schedule, so a stalled
 * server cannot hide behind the load generator waiting for it (coordinated omission).
 */
public final class ApiLoadScenario implements Scenario {

    private static final String VIEW = "bench_api_v";
    private static final List<String> QUERY_TYPES = List.of("status+sort", "customer_id", "row_by_key", "total_range", "region+time");

    @Override
    public String name() {
        return "api-load";
    }

    @Override
    public String summary() {
        return "publish throughput through the API, and query latency on a 1M-row view while the worker ingests";
    }

    @Override
    public String usage() {
        return """
                --rows=1000000            rows in the stream table and the view before the load starts
                --publishers=4            concurrent publishing clients
                --request-events=500      events per publish request (a JSON array)
                --publish-seconds=30      length of the full-speed publish phase
                --query-seconds=60        length of the query phase (publishing at half speed meanwhile)
                --query-rate=20           queries per second, on a fixed schedule
                --refresh-interval=10s    the view's refresh interval
                --view-mode=incremental   the view's refresh mode: incremental or full
                --doc-size=440            bytes per event
                --jdbc-url=...            an existing PostgreSQL (default: an embedded one, tuned)
                --db-user=postgres --db-password=postgres
                --bootstrap-servers=...   an existing Kafka cluster (default: a broker process of its own)""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        int rows = (int) options.number("rows", 1_000_000);
        int publishers = (int) options.number("publishers", 4);
        int requestEvents = (int) options.number("request-events", 500);
        int publishSeconds = (int) options.number("publish-seconds", 30);
        int querySeconds = (int) options.number("query-seconds", 60);
        int queryRate = (int) options.number("query-rate", 20);
        String refreshInterval = options.string("refresh-interval", "10s");
        String viewMode = options.choice("view-mode", "incremental", "incremental", "full");
        int docSize = (int) options.number("doc-size", 440);
        Path work = Files.createTempDirectory("api-load");

        String bootstrapServers = options.string("bootstrap-servers", null);
        try (BenchDatabase database = BenchDatabase.open(options, progress);
             Stack stack = new Stack(work, database, progress)) {
            options.rejectUnknown();
            stack.startKafka(bootstrapServers);
            stack.createTopic("bench_api", 6);
            StreamDefinition stream = database.declareStream("bench_api", "unlogged");
            try (HikariDataSource pool = database.pool("seed", 1)) {
                BenchEvents.load(new UpsertBatchWriter(pool, new WriteSettings(WriteMethod.UNNEST,
                        WriteSettings.SynchronousCommit.OFF, WriteSettings.SynchronousCommit.OFF, Duration.ofMinutes(10)), BenchEvents.PARSER::toJson), stream, rows, docSize, 2000, progress);
            }
            progress.say("declaring %s with 8 indexes over %,d rows", VIEW, rows);
            database.declareOrderView(VIEW, "bench_api", refreshInterval, viewMode);
            database.execute("vacuum analyze views." + VIEW);
            List<String> customers = sample(database, "customer_id::text", 1000);

            String producerKey = "bench-producer-" + UUID.randomUUID();
            String analystKey = "bench-analyst-" + UUID.randomUUID();
            ServiceProcess worker = stack.startWorker(Map.of("ingest.consumer.concurrency", "2", "ingest.refresh.tick", "500ms"));
            ServiceProcess api = stack.startApi(Map.of(
                    "ingest.api.security.clients[0].name", "bench-producer",
                    "ingest.api.security.clients[0].key", producerKey,
                    "ingest.api.security.clients[0].permissions", "publish",
                    "ingest.api.security.clients[1].name", "bench-analyst",
                    "ingest.api.security.clients[1].key", analystKey,
                    "ingest.api.security.clients[1].permissions", "query",
                    "ingest.api.security.requests-per-second", "100000",
                    "ingest.api.publish.max-events", Integer.toString(Math.max(requestEvents, 10_000))));

            List<byte[]> bodies = requestBodies(200, requestEvents, rows, docSize);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

            progress.say("publishing at full speed for %d s with %d clients (%d events per request)", publishSeconds, publishers, requestEvents);
            PublishResult full = publish(http, api, producerKey, bodies, publishers, publishSeconds, 0, progress);
            progress.say("  %,.0f events/s published (request p50 %.0f ms, p99 %.0f ms, %d failed)",
                    full.eventsPerSecond(), full.latency().getValueAtPercentile(50) / 1e3, full.latency().getValueAtPercentile(99) / 1e3, full.failed());

            double halfRate = full.eventsPerSecond() / 2;
            progress.say("querying at %d/s for %d s while publishing at %,.0f events/s", queryRate, querySeconds, halfRate);
            long consumedBefore = consumed(http, worker);
            long refreshesBefore = refreshCount(database);
            AtomicBoolean stop = new AtomicBoolean();
            var background = Executors.newSingleThreadExecutor();
            var steady = background.submit(() -> publishUntil(http, api, producerKey, bodies, publishers, stop, halfRate));
            long phaseStart = System.nanoTime();
            Map<String, Histogram> latencies = query(http, api, analystKey, queryRate, querySeconds, customers, rows, progress);
            stop.set(true);
            PublishResult during = steady.get();
            double phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
            background.shutdown();
            long consumedAfter = consumed(http, worker);
            long refreshes = refreshCount(database) - refreshesBefore;

            Map<String, Object> document = new LinkedHashMap<>();
            document.put("parameters", Map.of("rows", rows, "publishers", publishers, "request_events", requestEvents,
                    "publish_seconds", publishSeconds, "query_seconds", querySeconds, "query_rate", queryRate,
                    "refresh_interval", refreshInterval, "view_mode", viewMode, "doc_size", docSize, "worker_concurrency", 2));
            document.put("postgres", database.facts());
            document.put("publish", Map.of(
                    "events_per_s", Math.round(full.eventsPerSecond()),
                    "requests", full.requests(), "failed_requests", full.failed(),
                    "request_latency_ms", Figures.percentiles(full.latency())));
            document.put("while_querying", Map.of(
                    "publish_target_events_per_s", Math.round(halfRate),
                    "publish_achieved_events_per_s", Math.round(during.eventsPerSecond()),
                    "worker_consumed_events_per_s", Math.round((consumedAfter - consumedBefore) / phaseSeconds),
                    "view_refreshes", refreshes));
            Map<String, Object> queries = new LinkedHashMap<>();
            latencies.forEach((type, histogram) -> queries.put(type, Figures.percentiles(histogram)));
            document.put("query_latency_ms", queries);
            Path json = save(resultsDirectory, progress, document);
            Path png = Results.chartFile(json);

            StringBuilder summary = new StringBuilder(String.format("%nPublish through the API: %,.0f events/s (%d clients, %d events/request; request p50 %.0f ms, p99 %.0f ms)%n",
                    full.eventsPerSecond(), publishers, requestEvents, full.latency().getValueAtPercentile(50) / 1e3,
                    full.latency().getValueAtPercentile(99) / 1e3));
            summary.append(String.format("%nQueries on a %,d-row view at %d/s, while publishing %,.0f events/s (worker consumed %,d/s, %d view refreshes):%n",
                    rows, queryRate, during.eventsPerSecond(), Math.round((consumedAfter - consumedBefore) / phaseSeconds), refreshes));
            SummaryTable table = new SummaryTable("query", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "count");
            latencies.forEach((type, h) -> {
                Map<String, Object> p = Figures.percentiles(h);
                table.row(type, p.get("p50"), p.get("p90"), p.get("p99"), p.get("p99.9"), p.get("max"), p.get("count"));
            });
            summary.append(table);
            System.out.println(summary + "\nresults: " + json + "\nchart:   " + png);
            return json;
        }
    }

    private record PublishResult(double eventsPerSecond, long requests, long failed, Histogram latency) {
    }

    /** {@code publishers} clients POST request bodies in turn for {@code seconds}; 0 rate means as fast as they can. */
    private static PublishResult publish(HttpClient http, ServiceProcess api, String key, List<byte[]> bodies, int publishers,
                                         int seconds, double eventsPerSecond, Progress progress) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService timer = Executors.newSingleThreadExecutor();
        timer.submit(() -> {
            try {
                Thread.sleep(seconds * 1000L);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            stop.set(true);
        });
        PublishResult result = publishUntil(http, api, key, bodies, publishers, stop, eventsPerSecond);
        timer.shutdownNow();
        return result;
    }

    private static PublishResult publishUntil(HttpClient http, ServiceProcess api, String key, List<byte[]> bodies,
                                              int publishers, AtomicBoolean stop, double eventsPerSecond) {
        Histogram latency = new Histogram(3_600_000_000L, 3);
        AtomicLong accepted = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        int eventsPerRequest = countEvents(bodies.getFirst());
        long intervalNanos = eventsPerSecond <= 0 ? 0 : (long) (1e9 * eventsPerRequest * publishers / eventsPerSecond);
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            int offset = p;
            Thread thread = Thread.ofPlatform().start(() -> {
                long next = System.nanoTime();
                for (int i = offset; !stop.get(); i += publishers) {
                    if (intervalNanos > 0) {
                        next += intervalNanos;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            sleepNanos(wait);
                        }
                    }
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.url("/api/v1/streams/bench_api/events")))
                                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i % bodies.size()))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 202) {
                            accepted.addAndGet(eventsPerRequest);
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    requests.incrementAndGet();
                    synchronized (latency) {
                        latency.recordValue(Math.min((System.nanoTime() - t0) / 1000, latency.getHighestTrackableValue()));
                    }
                }
            });
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new PublishResult(accepted.get() / seconds, requests.get(), failed.get(), latency);
    }

    /**
     * Queries on a fixed schedule (an open loop): each query's latency counts from when it should have started, so
     * waiting for a slow answer is measured, not skipped.
     */
    private static Map<String, Histogram> query(HttpClient http, ServiceProcess api, String key, int rate, int seconds,
                                                List<String> customers, int rows, Progress progress) throws Exception {
        Map<String, Histogram> latencies = new LinkedHashMap<>();
        QUERY_TYPES.forEach(t -> latencies.put(t, new Histogram(3_600_000_000L, 3)));
        Histogram all = new Histogram(3_600_000_000L, 3);
        AtomicLong errors = new AtomicLong();
        SplittableRandom random = new SplittableRandom(5);
        IntFunction<String> pathFor = i -> switch (i % QUERY_TYPES.size()) {
            case 0 -> "/api/v1/views/" + VIEW + "?status=paid&sort=-created_at&limit=50";
            case 1 -> "/api/v1/views/" + VIEW + "?customer_id=" + customers.get(random.nextInt(customers.size())) + "&limit=50";
            case 2 -> "/api/v1/views/" + VIEW + "/rows/" + DocumentGenerator.key(random.nextInt(rows));
            case 3 -> {
                int low = random.nextInt(1, 9990);
                yield "/api/v1/views/" + VIEW + "?total.gte=" + low + "&total.lt=" + (low + 5) + "&sort=total&limit=50";
            }
            default -> "/api/v1/views/" + VIEW + "?region=eu-west&created_at.gte=2026-06-01T00:00:00Z&sort=created_at&limit=100";
        };
        ExecutorService pool = Executors.newFixedThreadPool(16);
        long intervalNanos = 1_000_000_000L / rate;
        long start = System.nanoTime();
        int total = rate * seconds;
        for (int i = 0; i < total; i++) {
            long intended = start + i * intervalNanos;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            }
            String type = QUERY_TYPES.get(i % QUERY_TYPES.size());
            String path = pathFor.apply(i);
            pool.submit(() -> {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api.url(path)))
                            .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200 && response.statusCode() != 404) {
                        errors.incrementAndGet();
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
                long micros = (System.nanoTime() - intended) / 1000;
                synchronized (latencies) {
                    latencies.get(type).recordValue(Math.min(micros, 3_600_000_000L));
                    all.recordValue(Math.min(micros, 3_600_000_000L));
                }
            });
            if (i > 0 && i % (rate * 10) == 0) {
                progress.say("  %d s: %d queries, p99 so far %.1f ms", i / rate, i, all.getValueAtPercentile(99) / 1e3);
            }
        }
        pool.shutdown();
        pool.awaitTermination(2, TimeUnit.MINUTES);
        if (errors.get() > 0) {
            progress.say("  %d queries failed", errors.get());
        }
        Map<String, Histogram> withAll = new LinkedHashMap<>(latencies);
        withAll.put("all", all);
        return withAll;
    }

    private static List<byte[]> requestBodies(int count, int eventsPerRequest, int rows, int docSize) {
        DocumentGenerator documents = new DocumentGenerator(docSize, 99);
        SplittableRandom random = new SplittableRandom(3);
        List<byte[]> bodies = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            StringBuilder body = new StringBuilder(eventsPerRequest * (docSize + 2)).append('[');
            for (int e = 0; e < eventsPerRequest; e++) {
                body.append(e == 0 ? "" : ",").append(new String(documents.next(random.nextInt(rows)), StandardCharsets.UTF_8));
            }
            bodies.add(body.append(']').toString().getBytes(StandardCharsets.UTF_8));
        }
        return bodies;
    }

    private static int countEvents(byte[] body) {
        int count = 0;
        for (int i = 0; i + 11 < body.length; i++) {
            if (body[i] == '{' && body[i + 1] == '"' && body[i + 2] == 'o') {
                count++; // every generated event starts with {"order_id"
            }
        }
        return count;
    }

    private static List<String> sample(BenchDatabase database, String column, int count) throws Exception {
        List<String> values = new ArrayList<>();
        try (var connection = database.connection(); var statement = connection.createStatement();
             var rows = statement.executeQuery("select " + column + " from views." + VIEW + " tablesample system (1) limit " + count)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values.isEmpty() ? List.of("1") : values;
    }

    private static long consumed(HttpClient http, ServiceProcess worker) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/prometheus"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("ingest_events_consumed_total{") && l.contains("stream=\"bench_api\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static long refreshCount(BenchDatabase database) {
        return Long.parseLong(database.queryString("select count(*) from ingest.view_refresh where view = ? and outcome = 'ok'", VIEW));
    }

    @Override
    public LineChart chart(JsonNode results) {
        List<String> categories = List.of("p50", "p90", "p99", "p99.9");
        LineChart chart = new LineChart("API query latency on a %,d-row view while the worker ingests (ms)"
                .formatted(results.get("parameters").get("rows").asLong()), "percentile", "milliseconds", categories);
        results.get("query_latency_ms").properties().forEach(entry -> chart.series(entry.getKey(),
                categories.stream().mapToDouble(c -> entry.getValue().get(c).asDouble()).toArray()));
        return chart;
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
