package dev.upsertingest.worker.refresh;

import dev.upsertingest.worker.WorkerPhases;
import dev.upsertingest.core.view.ViewDefinition;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps every view fresh, each on a lane of its own: a thread that looks at one view, refreshes it when it is due, and
 * looks again one interval after it last started (sooner when another replica refreshed it, or it is paused). At most
 * {@code max-concurrent} refreshes run at once (each holds a pooled connection), so a slow view (a full refresh of a
 * large view takes minutes) holds one of them and never the others' turn; other replicas are kept out of a view by its
 * lock. The registry is read again every {@code catalog-refresh}, so views declared, replaced or dropped while the
 * worker runs get, change or lose their lane without a restart.
 */
public class RefreshScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RefreshScheduler.class);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final List<ViewDefinition> initialViews;
    private final Supplier<List<ViewDefinition>> registry;
    private final ViewRefresher refresher;
    private final ViewFreshness freshness;
    private final RefreshSettings settings;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    /** Refreshes running at once: each holds a pooled connection while it runs. */
    private final Semaphore running;
    private volatile ScheduledExecutorService housekeeping;
    private Instant nextPrune = Instant.EPOCH;

    /**
     * @param initialViews the views registered at startup
     * @param registry     reads the registered views again
     */
    public RefreshScheduler(List<ViewDefinition> initialViews, Supplier<List<ViewDefinition>> registry, ViewRefresher refresher,
                            ViewFreshness freshness, RefreshSettings settings, IngestMetrics metrics, Clock clock) {
        this.initialViews = List.copyOf(initialViews);
        this.registry = registry;
        this.refresher = refresher;
        this.freshness = freshness;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.running = new Semaphore(settings.maxConcurrent(), true);
    }

    public Duration interval(ViewDefinition view) {
        return settings.intervals().getOrDefault(view.name(), view.refreshInterval());
    }

    @Override
    public synchronized void start() {
        if (housekeeping != null) {
            return;
        }
        if (!settings.enabled()) {
            log.info("View refresh is disabled in this worker (ingest.refresh.enabled=false)");
            return;
        }
        housekeeping = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "view-housekeeping"));
        updateLanes(initialViews);
        housekeeping.scheduleWithFixedDelay(this::reloadViews, settings.catalogRefresh().toMillis(),
                settings.catalogRefresh().toMillis(), TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::housekeep, 0, settings.tick().toMillis(), TimeUnit.MILLISECONDS);
        if (!initialViews.isEmpty()) {
            log.info("Refreshing {} view(s): {}", initialViews.size(), initialViews.stream()
                    .map(v -> v.name() + " (" + v.refreshMode().sqlName() + ") every " + interval(v)).toList());
        }
    }

    /** Starts lanes for new views, hands changed definitions to theirs, stops the lanes of dropped views. */
    synchronized void updateLanes(List<ViewDefinition> views) {
        if (housekeeping == null) {
            return;
        }
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (ViewDefinition view : views) {
            names.add(view.name());
            Lane lane = lanes.get(view.name());
            if (lane == null) {
                if (gauged.add(view.name())) {
                    metrics.registerView(view.name(), () -> freshness.get(view.name()).rows(),
                            () -> freshness.get(view.name()).newestData());
                }
                lane = new Lane(view);
                lanes.put(view.name(), lane);
                lane.schedule(Duration.ZERO);
                if (!initialViews.contains(view)) {
                    log.info("View {} ({}) registered: refreshing it every {}", view.name(), view.refreshMode().sqlName(), interval(view));
                }
            } else if (!lane.view.equals(view)) {
                log.info("View {} changed ({} -> {}): refreshing it every {}", view.name(), lane.view.refreshMode().sqlName(),
                        view.refreshMode().sqlName(), interval(view));
                lane.view = view;
            }
        }
        lanes.keySet().removeIf(name -> {
            if (names.contains(name)) {
                return false;
            }
            log.info("View {} is no longer registered: no longer refreshed", name);
            lanes.get(name).executor.shutdownNow();
            return true;
        });
    }

    private void reloadViews() {
        try {
            updateLanes(registry.get());
        } catch (RuntimeException e) {
            log.debug("Could not read the view registry ({}); keeping the views known", e.toString());
        }
    }

    /** Shared freshness for the gauges, and the refresh history's retention; never throws. */
    private void housekeep() {
        try {
            freshness.reload();
            // A refresh asked for by hand (bin/ingest refresh, the admin API): its lane looks now, not when due.
            for (String view : freshness.refreshRequested()) {
                Lane lane = lanes.get(view);
                if (lane != null) {
                    lane.wake();
                }
            }
            if (clock.instant().isAfter(nextPrune)) {
                nextPrune = clock.instant().plus(PRUNE_EVERY);
                int pruned = refresher.pruneHistory();
                if (pruned > 0) {
                    log.debug("Pruned {} refresh history rows older than {}", pruned, settings.historyRetention());
                }
            }
        } catch (RuntimeException e) {
            log.warn("View housekeeping failed: {}", e.toString());
        }
    }

    /** One view's thread: look, then look again when the view is due next. */
    private final class Lane {
        private final ScheduledExecutorService executor;
        private volatile ViewDefinition view;
        /**
         * The lane's one chain of looks: each look schedules the next. {@link #wake()} replaces the pending look by
         * one now; a look whose generation is no longer current was replaced, and ends without running.
         */
        private long generation;
        private ScheduledFuture<?> pending;
        private boolean looking;

        Lane(ViewDefinition view) {
            this.view = view;
            this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "view-refresher-" + view.name()));
        }

        synchronized void schedule(Duration delay) {
            if (!executor.isShutdown()) {
                long current = ++generation;
                pending = executor.schedule(() -> look(current), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            }
        }

        /** Looks now instead of at the next due time; nothing while a look runs (the next tick asks again). */
        synchronized void wake() {
            if (!looking && pending != null) {
                pending.cancel(false);
                schedule(Duration.ZERO);
            }
        }

        private void look(long scheduledGeneration) {
            synchronized (this) {
                if (scheduledGeneration != generation) {
                    return; // replaced by a wake-up
                }
                looking = true;
            }
            try {
                look();
            } finally {
                synchronized (this) {
                    looking = false;
                }
            }
        }

        /** Never throws, or the lane would stop. */
        private void look() {
            Instant started = clock.instant();
            ViewDefinition current = view;
            Duration interval = interval(current);
            Instant next = started.plus(interval);
            try {
                running.acquire();
                RefreshResult result;
                try {
                    result = refresher.refreshIfDue(current, RefreshScheduler.this::interval);
                } finally {
                    running.release();
                }
                metrics.viewLooked(current.name(), result.outcome().tag(), result.mode(), result.elapsed());
                next = switch (result.outcome()) {
                    case NOT_DUE -> result.nextDue() != null ? result.nextDue().toInstant() : next;
                    // Look again soon: the view is refreshed as soon as its stream's rebuild completes, or the other
                    // replica's refresh ends.
                    case PAUSED, BUSY -> clock.instant().plus(settings.tick());
                    default -> next;
                };
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the lane is stopping
            } catch (RuntimeException e) {
                log.warn("Looking at view {} failed: {}", current.name(), e.toString());
            } finally {
                schedule(Duration.between(clock.instant(), next));
            }
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public synchronized void stop() {
        if (housekeeping == null) {
            return;
        }
        housekeeping.shutdownNow();
        lanes.values().forEach(lane -> lane.executor.shutdown());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (Lane lane : lanes.values()) {
                lane.executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            refresher.cancelRunning(); // a long refresh is redone later; shutdown should not wait for it
            for (Lane lane : lanes.values()) {
                lane.executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lanes.clear();
        housekeeping = null;
    }

    @Override
    public boolean isRunning() {
        return housekeeping != null;
    }

    @Override
    public int getPhase() {
        return WorkerPhases.RECOVERY_AND_REFRESH; // stopped after the consumers, before the connection pool closes
    }
}
