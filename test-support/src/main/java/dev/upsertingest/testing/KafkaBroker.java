package dev.upsertingest.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.testcontainers.kafka.KafkaContainer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A Kafka broker for the tests: in the JVM, in a container, or an existing one. */
public final class KafkaBroker implements AutoCloseable {

    private final String description;
    private final String bootstrapServers;
    private final AutoCloseable resource;

    private KafkaBroker(String description, String bootstrapServers, AutoCloseable resource) {
        this.description = description;
        this.bootstrapServers = bootstrapServers;
        this.resource = resource;
    }

    static KafkaBroker inJvm() {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperties(Map.of(
                "auto.create.topics.enable", "false",
                "group.initial.rebalance.delay.ms", "0",
                "log.flush.interval.messages", Long.toString(Long.MAX_VALUE)));
        broker.afterPropertiesSet();
        return new KafkaBroker("in-JVM KRaft broker (spring-kafka-test)", broker.getBrokersAsString(), broker::destroy);
    }

    @SuppressWarnings("resource")
    static KafkaBroker docker() {
        KafkaContainer container = new KafkaContainer("apache/kafka:4.2.1");
        container.start();
        return new KafkaBroker("Kafka container " + container.getDockerImageName(), container.getBootstrapServers(),
                container::stop);
    }

    static KafkaBroker existing(String bootstrapServers) {
        return new KafkaBroker("existing Kafka", bootstrapServers, () -> {
        });
    }

    public String description() {
        return description + " at " + bootstrapServers;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic and returns once every partition of it takes requests. The controller acknowledges a creation
     * before the broker has made the partitions, and a test that produces in between gets "unknown partition" errors
     * that the idempotent producer, with several batches in flight, can turn into out-of-order sequences it retries
     * until the records expire (seen once in CI, a 120 s timeout). Listing a partition's end offset is answered by
     * the partition itself, so when that works for all of them, producing works too.
     */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config))).all()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(name, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    admin.listOffsets(ends).all().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name + " on " + description(), e);
        }
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }
}
