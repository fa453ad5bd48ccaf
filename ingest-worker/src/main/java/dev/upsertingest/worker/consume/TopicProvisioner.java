package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.WorkerPhases;
import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
import dev.upsertingest.worker.errors.DeadLetterLimits;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaAdmin;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the stream and dead-letter topics that do not exist yet; never alters one that does. A stream topic it
 * creates takes every record an accepted event can make ({@code max.message.bytes} from
 * {@link EventLimits#maxRecordSize()}, the rule the API's producer follows too), so Kafka never refuses an event the
 * rules let through for its size. Dead-letter topics are created to take the largest dead letter the worker may send
 * ({@link DeadLetterLimits}); an existing one that takes less is reported, since letters too large for it are sent
 * without their value.
 *
 * <p>The one place topics are provisioned: once, as the worker starts, before anything reads them
 * ({@link WorkerPhases#TOPICS}). The catalog is fixed for the worker's life, so there is nothing to provision later.
 */
public class TopicProvisioner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private final KafkaAdmin kafkaAdmin;
    private final StreamCatalog catalog;
    private final TopicSettings settings;
    private final EventLimits limits;
    private final DeadLetterLimits deadLetterLimits;
    private final Set<String> reportedSmall = ConcurrentHashMap.newKeySet();
    private volatile boolean started;

    public TopicProvisioner(KafkaAdmin kafkaAdmin, StreamCatalog catalog, TopicSettings settings, EventLimits limits,
                            DeadLetterLimits deadLetterLimits) {
        this.kafkaAdmin = kafkaAdmin;
        this.catalog = catalog;
        this.settings = settings;
        this.limits = limits;
        this.deadLetterLimits = deadLetterLimits;
    }

    @Override
    public void start() {
        if (!catalog.isEmpty()) {
            ensureTopics(catalog.streams());
        }
        started = true;
    }

    @Override
    public void stop() {
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public int getPhase() {
        return WorkerPhases.TOPICS;
    }

    void ensureTopics(Collection<StreamDefinition> streams) {
        long timeout = settings.adminTimeout().toMillis();
        try (Admin admin = Admin.create(kafkaAdmin.getConfigurationProperties())) {
            Set<String> existing = admin.listTopics().names().get(timeout, TimeUnit.MILLISECONDS);
            warnAboutSmallDeadLetterTopics(admin, streams.stream().map(StreamDefinition::deadLetterTopic)
                    .filter(existing::contains).distinct().toList());
            List<NewTopic> missing = new ArrayList<>();
            for (StreamDefinition stream : streams) {
                if (!existing.contains(stream.topic())) {
                    missing.add(newTopic(stream.topic(), settings.partitions(), streamTopicConfig()));
                }
                if (!existing.contains(stream.deadLetterTopic())) {
                    Map<String, String> config = new HashMap<>(deadLetterLimits.topicConfig());
                    config.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
                    config.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.deadLetterRetention().toMillis()));
                    missing.add(newTopic(stream.deadLetterTopic(), settings.deadLetterPartitions(), config));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (!settings.createMissing()) {
                log.warn("Topics missing and ingest.topics.create-missing=false, consumers will wait for them: {}",
                        missing.stream().map(NewTopic::name).toList());
                return;
            }
            Map<String, Throwable> failures = new HashMap<>();
            admin.createTopics(missing).values().forEach((name, future) -> {
                try {
                    future.get(timeout, TimeUnit.MILLISECONDS);
                    log.info("Created topic {}", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) { // another replica was faster
                        failures.put(name, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures.put(name, e);
                } catch (TimeoutException e) {
                    failures.put(name, e);
                }
            });
            failures.forEach((name, cause) -> log.warn("Could not create topic {}: {}", name, cause.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Could not check the stream topics ({}); consumers start anyway and wait for the broker", e.toString());
        }
    }

    /** Once per topic and worker: the broker-side limit of a dead-letter topic the worker did not create. */
    private void warnAboutSmallDeadLetterTopics(Admin admin, List<String> topics) throws InterruptedException {
        List<ConfigResource> unchecked = topics.stream().filter(t -> !reportedSmall.contains(t))
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        if (unchecked.isEmpty()) {
            return;
        }
        try {
            Map<ConfigResource, Config> configs = admin.describeConfigs(unchecked).all()
                    .get(settings.adminTimeout().toMillis(), TimeUnit.MILLISECONDS);
            configs.forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null && Long.parseLong(entry.value()) < deadLetterLimits.maxRecordSize()
                        && reportedSmall.add(resource.name())) {
                    log.warn("Dead-letter topic {} takes batches up to {} bytes (max.message.bytes), the worker's dead "
                            + "letters may be {} bytes: a letter the broker refuses as too large is sent without its "
                            + "value (header {}=true). Raise the topic's max.message.bytes to keep every value.",
                            resource.name(), entry.value(), deadLetterLimits.maxRecordSize(), DeadLetterHeaders.VALUE_DROPPED);
                }
            });
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Could not read the configuration of the dead-letter topics: {}", e.toString());
        }
    }

    /** What a created stream topic is configured with. */
    Map<String, String> streamTopicConfig() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, settings.cleanupPolicy(),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Long.toString(limits.maxRecordSize()));
    }

    private NewTopic newTopic(String name, int partitions, Map<String, String> config) {
        Optional<Short> replication = settings.replicationFactor() > 0 ? Optional.of(settings.replicationFactor()) : Optional.empty();
        return new NewTopic(name, Optional.of(partitions), replication).configs(config);
    }
}
