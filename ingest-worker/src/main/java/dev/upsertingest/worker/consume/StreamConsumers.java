package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.WorkerPhases;
import dev.upsertingest.worker.errors.FailingBatches;
import dev.upsertingest.core.stream.StreamCatalog;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;

import java.util.Collection;
import java.util.List;

/**
 * The consumer threads of the registered streams' topics. Started last and stopped first ({@link WorkerPhases}): on
 * shutdown the in-flight batch finishes and commits (within {@code ingest.consumer.shutdown-timeout}) while the database
 * pool is still open. Between start and stop, only {@link ConsumerControl} stops them, for a reason its owner lifts.
 */
public class StreamConsumers implements SmartLifecycle, ConsumerControl {

    private static final Logger log = LoggerFactory.getLogger(StreamConsumers.class);

    private final ConsumerFactory<byte[], byte[]> consumerFactory;
    private final StreamCatalog catalog;
    private final StreamBatchListener listener;
    private final ConsumerSettings settings;
    private final CommonErrorHandler errorHandler;
    private final ApplicationEventPublisher events;
    private final FailingBatches failing;
    private volatile ConcurrentMessageListenerContainer<byte[], byte[]> container;
    /** Started by the application (and not stopped since): consumers run unless held for a rewind. */
    private boolean wanted;
    /** Held ({@link PauseReason#REBUILD}) while a stream's group offsets are rewound, which needs the group empty. */
    private boolean held;

    public StreamConsumers(ConsumerFactory<byte[], byte[]> consumerFactory, StreamCatalog catalog,
                           StreamBatchListener listener, ConsumerSettings settings, CommonErrorHandler errorHandler,
                           ApplicationEventPublisher events, FailingBatches failing) {
        this.consumerFactory = consumerFactory;
        this.catalog = catalog;
        this.listener = listener;
        this.settings = settings;
        this.errorHandler = errorHandler;
        this.events = events;
        this.failing = failing;
    }

    @Override
    public synchronized void start() {
        wanted = true;
        if (held) {
            log.info("Stream consumers wait: a stream table is being prepared for a rebuild");
            return;
        }
        startContainer();
    }

    private void startContainer() {
        if (container != null) {
            return;
        }
        if (catalog.isEmpty()) {
            log.warn("No streams are registered (ingest.stream is empty), so there is nothing to consume. "
                    + "Declare one with ingest.declare_stream(...) in a migration.");
            return;
        }
        ContainerProperties properties = new ContainerProperties(catalog.topics().toArray(String[]::new));
        properties.setGroupId(settings.groupId());
        properties.setMessageListener(listener);
        // Offsets are committed when the listener returns, i.e. after the database transaction committed.
        properties.setAckMode(ContainerProperties.AckMode.BATCH);
        properties.setSyncCommits(true);
        properties.setShutdownTimeout(settings.shutdownTimeout().toMillis());
        properties.setConsumerRebalanceListener(new ConsumerAwareRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
                failing.assigned(consumer.assignment()); // the whole assignment, eager or cooperative
            }
        });
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
        wanted = false;
        stopContainer();
    }

    @Override
    public void pause(PauseReason reason) {
        switch (reason) {
            case DATABASE_OUTAGE -> pauseFetching();
            case REBUILD -> hold();
        }
    }

    @Override
    public void resume(PauseReason reason) {
        switch (reason) {
            case DATABASE_OUTAGE -> resumeFetching();
            case REBUILD -> release();
        }
    }

    @Override
    public boolean isPausedFor(PauseReason reason) {
        return switch (reason) {
            case DATABASE_OUTAGE -> isFetchingPaused();
            case REBUILD -> isHeld();
        };
    }

    /** The in-flight batch finishes and commits, and the consumers leave the group until {@link #release()}. */
    private synchronized void hold() {
        if (!held) {
            held = true;
            stopContainer();
        }
    }

    private synchronized void release() {
        if (held) {
            held = false;
            if (wanted) {
                startContainer();
            }
        }
    }

    private synchronized boolean isHeld() {
        return held;
    }

    // Not synchronized: the database circuit pauses from a consumer thread, while stop() may hold the monitor waiting
    // for that very thread to finish its batch.
    private void pauseFetching() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        if (current != null) {
            current.pause();
        }
    }

    private void resumeFetching() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        if (current != null) {
            current.resume();
        }
    }

    /**
     * Whether every consumer thread that has partitions has paused: asked to, and past its last poll since (a thread
     * without partitions has nothing to pause).
     */
    private boolean isFetchingPaused() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        return current != null && current.isPauseRequested() && current.getContainers().stream()
                .filter(child -> child.getAssignedPartitions() != null && !child.getAssignedPartitions().isEmpty())
                .allMatch(child -> child.isContainerPaused());
    }

    @Override
    public String groupId() {
        return settings.groupId();
    }

    private void stopContainer() {
        if (container != null) {
            container.stop(); // waits for the in-flight batch
            container = null;
            failing.clear();
            log.info("Stream consumers stopped");
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return wanted; // for the lifecycle: started and not stopped, even while held for a rewind
    }

    /** Whether consumer threads are running now (not held, not stopped). */
    public boolean isConsuming() {
        ConcurrentMessageListenerContainer<byte[], byte[]> current = container;
        return current != null && current.isRunning();
    }

    @Override
    public int getPhase() {
        return WorkerPhases.CONSUMERS;
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
