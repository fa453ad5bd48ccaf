package dev.upsertingest.worker.recovery;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.DatabaseReconnected;
import dev.upsertingest.worker.WorkerPhases;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;

import javax.sql.DataSource;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * When the {@link RebuildCoordinator} looks: once as the worker starts, before any consumer runs
 * ({@link WorkerPhases#RECOVERY_AND_REFRESH}), so a table lost while the worker was down is found (and the group
 * rewound) before anything is written to it; then every {@code ingest.recovery.check-interval} on a thread of its own;
 * and at once each time the database is back after an outage. Nothing runs when no stream is unlogged.
 */
public class RebuildScheduler implements SmartLifecycle {

    private final RebuildCoordinator coordinator;
    private final GroupOffsets kafka;
    private final RecoverySettings settings;
    private volatile ScheduledExecutorService executor;

    RebuildScheduler(RebuildCoordinator coordinator, GroupOffsets kafka, RecoverySettings settings) {
        this.coordinator = coordinator;
        this.kafka = kafka;
        this.settings = settings;
    }

    @Override
    public synchronized void start() {
        if (executor != null || coordinator.unloggedStreams().isEmpty()) {
            return;
        }
        coordinator.warnWhereTopicsCannotRebuild();
        coordinator.check(settings.checkInterval()); // on the starting thread: the consumers wait for it
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "stream-rebuilder");
            thread.setDaemon(true);
            return thread;
        });
        long every = settings.checkInterval().toMillis();
        executor.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** Runs a check on the rebuilder's thread now, rather than at the next interval. */
    @EventListener
    public void onReconnect(DatabaseReconnected reconnected) {
        ScheduledExecutorService current = executor;
        if (current != null) {
            current.execute(this::check);
        }
    }

    private void check() {
        coordinator.check(settings.checkInterval());
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        kafka.close();
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return WorkerPhases.RECOVERY_AND_REFRESH;
    }

    /** Builds the recovery components; the rest of the package stays package-private. */
    public static RebuildScheduler create(DataSource dataSource, StreamCatalog catalog, ConsumerControl consumers,
                                          String groupId, Map<String, Object> adminConfig, RecoverySettings settings,
                                          IngestMetrics metrics, String instanceId) {
        GroupOffsets kafka = new GroupOffsets(adminConfig, groupId, settings.adminTimeout());
        RebuildCoordinator coordinator = new RebuildCoordinator(dataSource, catalog, consumers, kafka, metrics, instanceId);
        return new RebuildScheduler(coordinator, kafka, settings);
    }
}
