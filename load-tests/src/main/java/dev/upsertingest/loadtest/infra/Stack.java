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
 * The rest of the system for a benchmark, as real processes: a Kafka broker, and the worker and the API from their
 * jars (built by bin/ingest), pointed at the benchmark's PostgreSQL.
 */
public final class Stack implements AutoCloseable {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Path directory;
    private final BenchDatabase database;
    private final Progress progress;
    private KafkaServerProcess broker;
    private ServiceProcess worker;
    private ServiceProcess api;

    public Stack(Path directory, BenchDatabase database, Progress progress) {
        this.directory = directory;
        this.database = database;
        this.progress = progress;
    }

    public KafkaServerProcess startBroker() {
        progress.say("starting a Kafka broker (its own process)");
        broker = KafkaServerProcess.startNew(directory.resolve("kafka"));
        return broker;
    }

    public void createTopic(String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
    }

    public ServiceProcess startWorker(Map<String, String> extra) {
        progress.say("starting ingest-worker");
        Map<String, String> properties = common();
        properties.put("spring.flyway.locations", "classpath:db/migration");
        properties.putAll(extra);
        worker = ServiceProcess.start("ingest-worker", jar("ingest-worker"), List.of("-Xmx512m"), properties,
                directory.resolve("worker.log"), Duration.ofMinutes(2));
        return worker;
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
        properties.put("spring.kafka.bootstrap-servers", broker.bootstrapServers());
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
