package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.worker.IngestWorkerApplication;
import dev.upsertingest.worker.metrics.IngestMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the real worker application (its own Spring context, as in production) against a test database and broker.
 * A test may start several, stop one mid-stream and start another: that is how restarts are tested.
 */
public final class WorkerHarness implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private WorkerHarness(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Builder builder(TestDatabase database, KafkaBroker kafka) {
        return new Builder(database, kafka);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public double counter(String name, String... tags) {
        return Search.in(context.getBean(MeterRegistry.class)).name(name).tags(tags).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /**
     * What became of a stream's events ({@code ingest.events.outcome}), as "outcome/reason" to count, zero counts left
     * out.
     */
    public Map<String, Long> outcomes(String stream) {
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        Search.in(context.getBean(MeterRegistry.class)).name(IngestMetrics.EVENTS_OUTCOME).tag("stream", stream).counters()
                .forEach(c -> {
                    if (c.count() > 0) {
                        outcomes.merge(c.getId().getTag("outcome") + "/" + c.getId().getTag("reason"), (long) c.count(), Long::sum);
                    }
                });
        return outcomes;
    }

    /** The sum of a stream's outcomes whose name starts with {@code outcome} ("applied", "ignored", "dead_lettered"). */
    public long outcome(String stream, String outcome) {
        return outcomes(stream).entrySet().stream().filter(e -> e.getKey().startsWith(outcome + "/"))
                .mapToLong(Map.Entry::getValue).sum();
    }

    public long consumed(String stream) {
        return (long) counter(IngestMetrics.EVENTS_CONSUMED, "stream", stream);
    }

    /** The gauge's value, NaN if it is not registered. */
    public double gauge(String name, String... tags) {
        var gauge = Search.in(context.getBean(MeterRegistry.class)).name(name).tags(tags).gauge();
        return gauge == null ? Double.NaN : gauge.value();
    }

    public String groupId() {
        return context.getEnvironment().getProperty("ingest.consumer.group-id");
    }

    /** The HTTP port of the worker's Actuator endpoints. */
    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public boolean isRunning() {
        return context.isActive();
    }

    /** Stops the worker the way SIGTERM does: the in-flight batch finishes and commits. */
    @Override
    public void close() {
        if (context.isActive()) {
            context.close();
        }
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, Object> beans = new LinkedHashMap<>();

        private Builder(TestDatabase database, KafkaBroker kafka) {
            database.springProperties().forEach((k, v) -> properties.put(k, String.valueOf(v)));
            properties.put("spring.kafka.bootstrap-servers", kafka.bootstrapServers());
            properties.put("spring.flyway.locations", "classpath:db/migration");
            properties.put("server.port", "0");
            properties.put("ingest.consumer.group-id", "it-" + database.name());
            properties.put("ingest.consumer.concurrency", "2");
            properties.put("ingest.topics.partitions", "3");
            properties.put("ingest.topics.replication-factor", "1");
            properties.put("spring.kafka.consumer.properties.session.timeout.ms", "10000");
            properties.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
        }

        public Builder property(String name, Object value) {
            properties.put(name, String.valueOf(value));
            return this;
        }

        /** Registers {@code bean} in the application before it starts, e.g. a test's span exporter. */
        public Builder bean(String name, Object bean) {
            beans.put(name, bean);
            return this;
        }

        public WorkerHarness start() {
            String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                    .toArray(String[]::new);
            // Command-line arguments outrank application.yml, as an operator's overrides would.
            return new WorkerHarness(new SpringApplicationBuilder(IngestWorkerApplication.class)
                    .initializers(context -> beans.forEach(context.getBeanFactory()::registerSingleton)).run(args));
        }
    }
}
