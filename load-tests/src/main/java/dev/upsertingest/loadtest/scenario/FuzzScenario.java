package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.fuzz.Door;
import dev.upsertingest.fuzz.FuzzAudit;
import dev.upsertingest.fuzz.FuzzLimits;
import dev.upsertingest.fuzz.FuzzStream;
import dev.upsertingest.fuzz.FuzzStreams;
import dev.upsertingest.fuzz.HostileBodies;
import dev.upsertingest.fuzz.HostileEvents;
import dev.upsertingest.fuzz.HttpDoor;
import dev.upsertingest.fuzz.KafkaDoor;
import dev.upsertingest.fuzz.Ledger;
import dev.upsertingest.fuzz.Violations;
import dev.upsertingest.fuzz.WorkerAccounts;
import dev.upsertingest.local.ServiceProcess;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.infra.BenchDatabase;
import dev.upsertingest.loadtest.infra.PrometheusSamples;
import dev.upsertingest.loadtest.infra.Stack;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.report.SummaryTable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fuzz of issue 13, run longer than {@code FuzzIT} does in the build: hostile inputs through both doors (records
 * straight onto the stream topics with every producer compression, and requests to the API) for {@code --seconds},
 * against the worker and the API as processes of their own, then the same audit as the test: conservation per
 * stream, no partition stalled, every answer the documented one, every accepted document stored as sent.
 *
 * <p>Reports records tried per second per door and the violations found, by kind, with the seed (a violation names
 * the event or request that found it, which the seed makes again: {@code --seed}, or {@code -Dfuzz.seed} for
 * {@code FuzzIT}). Not a performance measurement: most inputs are refused, some are megabytes, and the Kafka door
 * waits whenever the worker is {@code --max-backlog} records behind.
 */
public final class FuzzScenario implements Scenario {

    private static final String PRODUCER = "fuzz-producer-key-0123456789";
    private static final String OPERATOR = "fuzz-operator-key-0123456789";

    @Override
    public String name() {
        return "fuzz";
    }

    @Override
    public String summary() {
        return "hostile inputs through Kafka and the API; every record accounted for (records tried/s, violations)";
    }

    @Override
    public String usage() {
        return """
                --seconds=120             how long both doors send hostile inputs
                --seed=<random>           the generator's seed; a run with the same seed makes the same inputs
                --http-clients=2          concurrent HTTP clients
                --max-backlog=20000       the Kafka door waits while the worker is this many records behind
                --drain-seconds=300       how long the worker may take to commit everything once the doors are shut
                --max-document-size=64KB  ingest.events.max-document-size (and the sizes around it)
                --max-key-size=128B       ingest.events.max-key-size
                --max-request-size=256KB  ingest.api.publish.max-request-size
                --max-events=64           ingest.api.publish.max-events
                --small-topic-bytes=16KB  max.message.bytes of the one topic made smaller than the rules allow
                --key-space=1000          keys per stream valid events are drawn from
                --jdbc-url=...            an existing PostgreSQL (default: an embedded one, tuned)
                --db-user=postgres --db-password=postgres
                --bootstrap-servers=...   an existing Kafka cluster (default: a broker process of its own)""";
    }

    @Override
    public Path run(Options options, Progress progress, Path resultsDirectory) throws Exception {
        int seconds = (int) options.number("seconds", 120);
        long seed = options.number("seed", new SecureRandom().nextLong());
        int httpClients = (int) options.number("http-clients", 2);
        long maxBacklog = options.number("max-backlog", 20_000);
        int drainSeconds = (int) options.number("drain-seconds", 300);
        FuzzLimits limits = new FuzzLimits(bytes(options, "max-document-size", "64KB"), bytes(options, "max-key-size", "128B"),
                bytes(options, "max-request-size", "256KB"), (int) options.number("max-events", 64),
                bytes(options, "small-topic-bytes", "16KB"), (int) options.number("key-space", 1000));
        String bootstrapServers = options.string("bootstrap-servers", null);
        Path work = Files.createTempDirectory("fuzz");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        FuzzStreams streams = FuzzStreams.standard("fuzz", suffix);
        progress.say("seed %d (replay with --seed=%d)", seed, seed);

        try (BenchDatabase database = BenchDatabase.open(options, progress);
             Stack stack = new Stack(work, database, progress)) {
            options.rejectUnknown();
            stack.startKafka(bootstrapServers);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
                for (FuzzStream stream : streams.streams()) {
                    if (stream.smallTopic()) {
                        admin.createTopics(List.of(new NewTopic(stream.topic(), Optional.of(2), Optional.empty()).configs(Map.of(
                                "cleanup.policy", "delete", "max.message.bytes", Integer.toString(limits.smallTopicMaxMessageBytes())))))
                                .all().get(60, TimeUnit.SECONDS);
                    }
                    database.dropStream(stream.name());
                    database.execute(stream.declaration());
                }
            }
            String group = "fuzz-" + suffix;
            Map<String, String> workerProperties = new LinkedHashMap<>(limits.eventProperties());
            workerProperties.put("ingest.consumer.group-id", group);
            workerProperties.put("ingest.refresh.enabled", "false");
            workerProperties.put("ingest.consumer.lag-interval", "2s");
            ServiceProcess worker = stack.startWorker(workerProperties);
            awaitTopics(stack, streams, progress);
            Map<String, String> apiProperties = new LinkedHashMap<>(limits.apiProperties());
            apiProperties.put("ingest.api.security.requests-per-second", "100000");
            apiProperties.put("ingest.api.security.clients[0].name", "fuzz-producer");
            apiProperties.put("ingest.api.security.clients[0].key", PRODUCER);
            apiProperties.put("ingest.api.security.clients[0].permissions", "publish");
            apiProperties.put("ingest.api.security.clients[1].name", "fuzz-operator");
            apiProperties.put("ingest.api.security.clients[1].key", OPERATOR);
            apiProperties.put("ingest.api.security.clients[1].permissions", "operate");
            ServiceProcess api = stack.startApi(apiProperties);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            ScrapedWorker accounts = new ScrapedWorker(http, worker);

            Ledger ledger = new Ledger(seed);
            Violations violations = new Violations();
            HostileEvents records = new HostileEvents(seed, Door.KAFKA, streams, limits);
            HostileBodies bodies = new HostileBodies(seed, streams, limits);
            HttpDoor httpDoor = new HttpDoor(api.url(""), PRODUCER, ledger, violations);
            List<long[]> timeline = new ArrayList<>();
            progress.say("sending hostile inputs through both doors for %d s (%d HTTP clients)", seconds, httpClients);
            long started = System.nanoTime();
            long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong backlog = new AtomicLong();
            try (KafkaDoor kafkaDoor = new KafkaDoor(stack.bootstrapServers(), ledger)) {
                List<Thread> threads = new ArrayList<>();
                threads.add(Thread.ofPlatform().name("fuzz-kafka").start(() -> guard(failure, stop, () -> {
                    for (long i = 0; !stop.get(); i++) {
                        while (backlog.get() > maxBacklog && !stop.get()) {
                            Thread.sleep(20);
                        }
                        kafkaDoor.send(records.event(i));
                    }
                })));
                for (int c = 0; c < httpClients; c++) {
                    int client = c;
                    threads.add(Thread.ofPlatform().name("fuzz-http-" + c).start(() -> guard(failure, stop, () -> {
                        for (long r = client; !stop.get(); r += httpClients) {
                            httpDoor.send(bodies.request(r));
                        }
                    })));
                }
                long lastKafka = 0;
                long lastHttp = 0;
                for (int second = 1; System.nanoTime() < deadline && failure.get() == null; second++) {
                    long wake = started + TimeUnit.SECONDS.toNanos(second);
                    TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - System.nanoTime()));
                    long kafka = ledger.tried(Door.KAFKA);
                    long overHttp = ledger.tried(Door.HTTP);
                    timeline.add(new long[]{kafka - lastKafka, overHttp - lastHttp});
                    lastKafka = kafka;
                    lastHttp = overHttp;
                    long accepted = streams.streams().stream().mapToLong(st -> ledger.acceptedOverHttp(st.name())).sum();
                    backlog.set(kafka + accepted - accounts.consumedAll(streams));
                    if (second % 10 == 0) {
                        progress.say("  %d s: %,d records through Kafka, %,d events in %,d requests over HTTP, worker %,d behind, "
                                + "%d violations so far", second, kafka, overHttp, ledger.requests(), backlog.get(), violations.total());
                    }
                }
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join();
                }
                kafkaDoor.flush();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a door failed: " + failure.get(), failure.get());
            }
            double sentSeconds = (System.nanoTime() - started) / 1e9;
            progress.say("doors shut after %.0f s; auditing (the worker may take up to %d s to commit everything)", sentSeconds, drainSeconds);
            Map<String, Object> audit = new FuzzAudit(stack.bootstrapServers(), group, streams, limits, database.jdbcUrl(),
                    database.user(), database.password(), accounts, ledger, violations).run(Duration.ofSeconds(drainSeconds));
            Map<String, Object> breaker = breaker(http, api, violations, seed);

            Map<String, Object> document = new LinkedHashMap<>();
            document.put("seed", seed);
            document.put("replay", "bin/ingest bench fuzz --seed=" + seed + " (or FuzzIT with -Dfuzz.seed=" + seed + ")");
            Map<String, Object> parameters = new LinkedHashMap<>();
            parameters.put("seconds", seconds);
            parameters.put("http_clients", httpClients);
            parameters.put("max_backlog", maxBacklog);
            parameters.put("limits", Map.of("max_document_size", limits.maxDocumentSize(), "max_key_size", limits.maxKeySize(),
                    "max_request_size", limits.maxRequestSize(), "max_events", limits.maxEvents(),
                    "small_topic_max_message_bytes", limits.smallTopicMaxMessageBytes(), "key_space", limits.keySpace(),
                    "max_record_size", limits.maxRecordSize()));
            document.put("parameters", parameters);
            document.put("postgres", database.facts());
            Map<String, Object> doors = new LinkedHashMap<>();
            doors.put("kafka", Map.of("records_tried", ledger.tried(Door.KAFKA),
                    "records_tried_per_s", Math.round(ledger.tried(Door.KAFKA) / sentSeconds),
                    "refused_by_kafka", ledger.refusedByKafka(), "mutations", ledger.mutationsTried(Door.KAFKA)));
            doors.put("http", Map.of("events_tried", ledger.tried(Door.HTTP),
                    "events_tried_per_s", Math.round(ledger.tried(Door.HTTP) / sentSeconds), "requests", ledger.requests(),
                    "requests_per_s", Math.round(ledger.requests() / sentSeconds), "mutations", ledger.mutationsTried(Door.HTTP)));
            document.put("doors", doors);
            document.put("violations_total", violations.total());
            document.put("violations", violations.byKind());
            document.put("violation_examples", violations.examples());
            document.put("breaker", breaker);
            document.put("streams", audit);
            document.put("timeline", Map.of("kafka_records_per_s", timeline.stream().map(t -> t[0]).toList(),
                    "http_events_per_s", timeline.stream().map(t -> t[1]).toList()));
            Path json = save(resultsDirectory, progress, document);

            SummaryTable table = new SummaryTable("door", "tried", "per second", "requests");
            table.row("kafka (records)", ledger.tried(Door.KAFKA), (double) Math.round(ledger.tried(Door.KAFKA) / sentSeconds), null);
            table.row("http (events)", ledger.tried(Door.HTTP), (double) Math.round(ledger.tried(Door.HTTP) / sentSeconds), ledger.requests());
            StringBuilder summary = new StringBuilder(String.format("%nFuzz, seed %d, %.0f s of hostile inputs:%n%s", seed, sentSeconds, table));
            summary.append(String.format("%nViolations: %d%s%n", violations.total(), violations.describe().replace("\n", "\n  ")));
            summary.append("replay:  bin/ingest bench fuzz --seed=").append(seed).append('\n');
            System.out.println(summary + "results: " + json + "\nchart:   " + Results.chartFile(json));
            return json;
        }
    }

    /**
     * Waits until the worker has created the stream topics it owns (compacted, sized by the rules): a record sent
     * before would make the broker create the topic with its own defaults.
     */
    private static void awaitTopics(Stack stack, FuzzStreams streams, Progress progress) throws Exception {
        List<String> wanted = streams.streams().stream().flatMap(s -> java.util.stream.Stream.of(s.topic(), s.deadLetterTopic())).toList();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            while (!admin.listTopics().names().get(30, TimeUnit.SECONDS).containsAll(wanted)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the worker did not create the topics " + wanted + " within 2 minutes");
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        progress.say("the worker created the fuzz topics");
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void guard(AtomicReference<Throwable> failure, AtomicBoolean stop, Body body) {
        try {
            body.run();
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
            stop.set(true);
        }
    }

    private static int bytes(Options options, String name, String fallback) {
        String value = options.string(name, fallback);
        try {
            return Math.toIntExact(DataSize.parse(value).toBytes());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--" + name + " must be a size such as 64KB or 512B, got '" + value + "'");
        }
    }

    /** The API's kafka-publish breaker must be closed and have counted no failure. */
    private static Map<String, Object> breaker(HttpClient http, ServiceProcess api, Violations violations, long seed) throws Exception {
        PrometheusSamples samples = new PrometheusSamples(http.send(HttpRequest.newBuilder(URI.create(api.url("/actuator/prometheus")))
                .header("X-API-Key", OPERATOR).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body());
        double closed = samples.sum("resilience4j_circuitbreaker_state", "name", "kafka-publish", "state", "closed");
        double failed = samples.sum("resilience4j_circuitbreaker_calls_seconds_count", "name", "kafka-publish", "kind", "failed");
        double notPermitted = samples.sum("resilience4j_circuitbreaker_not_permitted_calls_total", "name", "kafka-publish");
        if (closed != 1 || failed > 0 || notPermitted > 0) {
            violations.add(Violations.Kind.BREAKER_OPENED, "seed " + seed + ": kafka-publish closed=" + closed + ", failed calls "
                    + failed + ", calls not permitted " + notPermitted);
        }
        return Map.of("closed", closed == 1, "failed_calls", (long) failed, "not_permitted_calls", (long) notPermitted);
    }

    /** The worker's accounts, scraped from its {@code /actuator/prometheus}; a failing batch from its readiness. */
    private static final class ScrapedWorker implements WorkerAccounts {
        private final HttpClient http;
        private final ServiceProcess worker;

        ScrapedWorker(HttpClient http, ServiceProcess worker) {
            this.http = http;
            this.worker = worker;
        }

        private String get(String path) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(worker.url(path))).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the worker's " + path + ": " + e, e);
            }
        }

        private PrometheusSamples scrape() {
            return new PrometheusSamples(get("/actuator/prometheus"));
        }

        long consumedAll(FuzzStreams streams) {
            PrometheusSamples samples = scrape();
            return (long) streams.streams().stream().mapToDouble(s -> samples.sum("ingest_events_consumed_total", "stream", s.name())).sum();
        }

        @Override
        public long consumed(String stream) {
            return (long) scrape().sum("ingest_events_consumed_total", "stream", stream);
        }

        @Override
        public Map<String, Long> outcomes(String stream) {
            Map<String, Long> outcomes = new java.util.TreeMap<>();
            scrape().named("ingest_events_outcome_total", "stream", stream).forEach(sample -> {
                if (sample.value() > 0) {
                    outcomes.merge(sample.labels().get("outcome") + "/" + sample.labels().get("reason"), (long) sample.value(), Long::sum);
                }
            });
            return outcomes;
        }

        @Override
        public long conservationViolations() {
            return (long) scrape().sum("ingest_conservation_violations_total");
        }

        @Override
        public String failingBatch() {
            return get("/actuator/health/readiness").replace('\n', ' ');
        }
    }

    @Override
    public LineChart chart(JsonNode results) {
        JsonNode timeline = results.get("timeline");
        int seconds = timeline.get("kafka_records_per_s").size();
        List<String> categories = new ArrayList<>();
        for (int s = 1; s <= seconds; s++) {
            categories.add(Integer.toString(s));
        }
        LineChart chart = new LineChart("fuzz: hostile inputs tried per second (seed %d, %d violations)"
                .formatted(results.get("seed").asLong(), results.get("violations_total").asLong()), "second", "inputs per second", categories);
        double[] kafka = new double[seconds];
        double[] overHttp = new double[seconds];
        for (int s = 0; s < seconds; s++) {
            kafka[s] = timeline.get("kafka_records_per_s").get(s).asDouble();
            overHttp[s] = timeline.get("http_events_per_s").get(s).asDouble();
        }
        return chart.series("Kafka door (records)", kafka).series("HTTP door (events)", overHttp);
    }
}
