package dev.upsertingest.worker.consume;

import dev.upsertingest.core.stream.StreamCatalog;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

import java.util.Collection;
import java.util.List;

/**
 * The consumer threads of the registered streams' topics. Started last and stopped first: on shutdown the in-flight
 * batch finishes and commits (within {@code ingest.consumer.shutdown-timeout}) while the database pool is still open.
 */
public class StreamConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumers.class);

    private final ConsumerFactory<byte[], byte[]> consumerFactory;
    private final StreamCatalog catalog;
    private final StreamBatchListener listener;
    private final ConsumerSettings settings;
    private final TopicProvisioner topics;
    private final CommonErrorHandler errorHandler;
    private final ApplicationEventPublisher events;
    private volatile ConcurrentMessageListenerContainer<byte[], byte[]> container;

    public StreamConsumers(ConsumerFactory<byte[], byte[]> consumerFactory, StreamCatalog catalog,
                           StreamBatchListener listener, ConsumerSettings settings, TopicProvisioner topics,
                           CommonErrorHandler errorHandler, ApplicationEventPublisher events) {
        this.consumerFactory = consumerFactory;
        this.catalog = catalog;
        this.listener = listener;
        this.settings = settings;
        this.topics = topics;
        this.errorHandler = errorHandler;
        this.events = events;
    }

    @Override
    public synchronized void start() {
        if (container != null) {
            return;
        }
        if (catalog.isEmpty()) {
            log.warn("No streams are registered (ingest.stream is empty), so there is nothing to consume. "
                    + "Declare one with ingest.declare_stream(...) in a migration.");
            return;
        }
        topics.ensureTopics(catalog.streams());
        ContainerProperties properties = new ContainerProperties(catalog.topics().toArray(String[]::new));
        properties.setGroupId(settings.groupId());
        properties.setMessageListener(listener);
        // Offsets are committed when the listener returns, i.e. after the database transaction committed.
        properties.setAckMode(ContainerProperties.AckMode.BATCH);
        properties.setSyncCommits(true);
        properties.setShutdownTimeout(settings.shutdownTimeout().toMillis());
        ConcurrentMessageListenerContainer<byte[], byte[]> created =
                new ConcurrentMessageListenerContainer<>(consumerFactory, properties);
        created.setConcurrency(settings.concurrency());
        created.setCommonErrorHandler(errorHandler);
        created.setBeanName("stream-consumer");
        created.setApplicationEventPublisher(events);
        created.start();
        container = created;
        log.info("Consuming {} as group {} with {} thread(s)", catalog.topics(), settings.groupId(), settings.concurrency());
    }

    @Override
    public synchronized void stop() {
        if (container != null) {
            container.stop(); // waits for the in-flight batch
            container = null;
            log.info("Stream consumers stopped");
        }
    }

    @Override
    public boolean isRunning() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        return current != null && current.isRunning();
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    /** Partitions currently assigned to this worker's consumers. */
    public List<TopicPartition> assignedPartitions() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        if (current == null) {
            return List.of();
        }
        Collection<TopicPartition> assigned = current.getAssignedPartitions();
        return assigned == null ? List.of() : List.copyOf(assigned);
    }

    public boolean hasStreams() {
        return !catalog.isEmpty();
    }
}
