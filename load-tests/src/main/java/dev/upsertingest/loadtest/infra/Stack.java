package dev.upsertingest.loadtest.infra;

import dev.upsertingest.local.KafkaServerProcess;
import dev.upsertingest.local.ServiceProcess;
import dev.upsertingest.loadtest.Progress;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rest of the system for a benchmark, as real processes: a Kafka broker (or a cluster given with
 * {@code --bootstrap-servers}), and the worker and the API from their jars (built by bin/ingest), pointed at the
 * benchmark's PostgreSQL.
 */
public final class Stack implements AutoCloseable {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Path directory;
    private final BenchDatabase database;
    private final Progress progress;
    private KafkaServerProcess broker;
    private String bootstrapServers;
    private ServiceProcess worker;
    private ServiceProcess api;
    /**
     * The heap the design budgets for a worker, and the collector settings the chart deploys it with: ParallelGC,
     * because the worker is a throughput service whose garbage is almost all short-lived (polled records, their text),
     * and G1's concurrent marking and barriers cost it about a third more CPU per event here (measured with the same
     * drain); half the heap young ({@code NewRatio=1}), because what survives a young collection is about the same
     * whatever its size (prefetched records, the batch in flight), so fewer, larger ones copy less.
     */
    private static final List<String> WORKER_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseParallelGC", "-XX:NewRatio=1");

    private List<String> workerJvmOptions = WORKER_JVM_OPTIONS;
    private Admin admin;

    public Stack(Path directory, BenchDatabase database, Progress progress) {
        this.directory = directory;
        this.database = database;
        this.progress = progress;
    }

    /**
     * The worker's JVM options: {@link #WORKER_JVM_OPTIONS} followed by {@code extra},
     * e.g. {@code -XX:StartFlightRecording=filename=worker.jfr,settings=profile} to see where its time goes.
     */
    public Stack workerJvmOptions(List<String> extra) {
        List<String> options = new java.util.ArrayList<>(WORKER_JVM_OPTIONS);
        options.addAll(extra);
        workerJvmOptions = List.copyOf(options);
        return this;
    }

    public Path directory() {
        return directory;
    }

    /** The worker's maximum heap in MB: the last {@code -Xmx} of its JVM options (extra options may override it). */
    public long workerHeapLimitMb() {
        long limit = 0;
        for (String option : workerJvmOptions) {
            if (option.startsWith("-Xmx")) {
                String size = option.substring(4).toLowerCase(java.util.Locale.ROOT);
                long number = Long.parseLong(size.replaceAll("[kmg]$", ""));
                limit = switch (size.charAt(size.length() - 1)) {
                    case 'g' -> number << 10;
                    case 'm' -> number;
                    case 'k' -> number >> 10;
                    default -> number >> 20;
                };
            }
        }
        return limit;
    }

    /** Where Kafka is: the broker this stack started, or the cluster it was given. */
    public String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("no Kafka yet: call startKafka first");
        }
        return bootstrapServers;
    }

    /** The running worker, or null. */
    public ServiceProcess worker() {
        return worker;
    }

    /**
     * Uses the Kafka cluster at {@code existing} ({@code --bootstrap-servers}), or starts a broker process of its own
     * when that is {@code null}.
     */
    public void startKafka(String existing) {
        if (existing != null) {
            progress.say("using the Kafka cluster at %s (benchmark topics are deleted and created again)", existing);
            bootstrapServers = existing;
            return;
        }
        progress.say("starting a Kafka broker (its own process)");
        broker = KafkaServerProcess.startNew(directory.resolve("kafka"));
        bootstrapServers = broker.bootstrapServers();
    }

    /**
     * Creates {@code topic} empty, compacted, with the cluster's default replication: a topic of that name left by an
     * earlier run on a cluster that outlives benchmarks is deleted first, so a drain never counts old events.
     */
    public void createTopic(String topic, int partitions) throws Exception {
        Admin admin = admin();
        if (admin.listTopics().names().get().contains(topic)) {
            admin.deleteTopics(List.of(topic)).all().get();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (admin.listTopics().names().get().contains(topic) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        }
        while (true) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty())
                        .configs(Map.of("cleanup.policy", "compact")))).all().get();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
                Thread.sleep(500); // the deletion is still being completed by the cluster
            }
        }
    }

    /**
     * The consumer group's committed offsets on {@code topic}, summed over its partitions: on a fresh topic, the events
     * the worker has written and committed (it commits offsets only after the batch's transaction). Asks the broker,
     * not the worker, so polling it often costs the worker nothing.
     */
    public long committedOffsets(String groupId, String topic) throws Exception {
        return admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    /** One admin client for the stack's lifetime, created on first use. */
    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
        }
        return admin;
    }

    public ServiceProcess startWorker(Map<String, String> extra) {
        progress.say("starting ingest-worker");
        Map<String, String> properties = common();
        properties.put("spring.flyway.locations", "classpath:db/migration");
        properties.putAll(extra);
        worker = ServiceProcess.start("ingest-worker", jar("ingest-worker"), workerJvmOptions, properties,
                directory.resolve("worker.log"), Duration.ofMinutes(2));
        return worker;
    }

    /** Stops the worker (SIGTERM: the in-flight batch finishes and its offsets are committed). */
    public void stopWorker() {
        if (worker != null) {
            progress.say("stopping ingest-worker");
            worker.stop(Duration.ofSeconds(40));
            worker = null;
        }
    }

    public ServiceProcess startApi(Map<String, String> extra) {
        progress.say("starting ingest-api");
        Map<String, String> properties = common();
        properties.putAll(extra);
        api = ServiceProcess.start("ingest-api", jar("ingest-api"), List.of("-Xmx512m"), properties,
                directory.resolve("api.log"), Duration.ofMinutes(2));
        return api;
    }

    private Map<String, String> common() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", database.jdbcUrl());
        properties.put("spring.datasource.username", database.user());
        properties.put("spring.datasource.password", database.password());
        properties.put("spring.kafka.bootstrap-servers", bootstrapServers());
        return properties;
    }

    private static Path jar(String module) {
        Path home = Path.of(System.getProperty("ingest.home", "."));
        Path jar = home.resolve(module).resolve("target").resolve(module + "-" + VERSION + "-exec.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the benchmark through bin/ingest, which builds it");
        }
        return jar;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (api != null) {
            api.stop(Duration.ofSeconds(20));
        }
        if (worker != null) {
            worker.stop(Duration.ofSeconds(40));
        }
        if (broker != null) {
            broker.stop();
        }
    }
}
