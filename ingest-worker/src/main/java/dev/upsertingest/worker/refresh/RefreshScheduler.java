package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.view.ViewDefinition;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Looks at every view once per tick and refreshes the ones that are due, one at a time on a single thread (so this
 * worker's refreshes never overlap; other replicas are kept out by the view's lock row). A view is looked at
 * again after its interval, or sooner when the shared state says another replica refreshed it.
 */
public class RefreshScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RefreshScheduler.class);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final List<ViewDefinition> views;
    private final ViewRefresher refresher;
    private final ViewFreshness freshness;
    private final RefreshSettings settings;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final Map<String, Instant> nextLook = new HashMap<>();
    private volatile ScheduledExecutorService executor;
    private Instant nextPrune = Instant.EPOCH;

    public RefreshScheduler(List<ViewDefinition> views, ViewRefresher refresher, ViewFreshness freshness,
                            RefreshSettings settings, IngestMetrics metrics, Clock clock) {
        this.views = List.copyOf(views);
        this.refresher = refresher;
        this.freshness = freshness;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
    }

    public Duration interval(ViewDefinition view) {
        return settings.intervals().getOrDefault(view.name(), view.refreshInterval());
    }

    @Override
    public synchronized void start() {
        if (executor != null || !settings.enabled() || views.isEmpty()) {
            if (!settings.enabled()) {
                log.info("View refresh is disabled in this worker (ingest.refresh.enabled=false)");
            }
            return;
        }
        views.forEach(view -> metrics.registerView(view.name(), () -> freshness.get(view.name()).rows(),
                () -> freshness.get(view.name()).newestData()));
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "view-refresher");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(this::tick, 0, settings.tick().toMillis(), TimeUnit.MILLISECONDS);
        log.info("Refreshing {} view(s): {}", views.size(),
                views.stream().map(v -> v.name() + " every " + interval(v)).toList());
    }

    /** One pass over the views; never throws, or the executor would stop scheduling it. */
    void tick() {
        try {
            for (ViewDefinition view : views) {
                Instant now = clock.instant();
                if (now.isBefore(nextLook.getOrDefault(view.name(), Instant.EPOCH))) {
                    continue;
                }
                Duration interval = interval(view);
                RefreshResult result = refresher.refreshIfDue(view, interval);
                metrics.viewLooked(view.name(), result.outcome().name().toLowerCase(java.util.Locale.ROOT), result.elapsed());
                Instant next = switch (result.outcome()) {
                    case NOT_DUE -> result.nextDue() != null ? result.nextDue().toInstant() : clock.instant().plus(interval);
                    // Look again soon: the view is refreshed as soon as its stream's rebuild completes.
                    case PAUSED -> clock.instant().plus(settings.tick());
                    default -> clock.instant().plus(interval);
                };
                nextLook.put(view.name(), next);
            }
            freshness.reload();
            if (clock.instant().isAfter(nextPrune)) {
                nextPrune = clock.instant().plus(PRUNE_EVERY);
                int pruned = refresher.pruneHistory();
                if (pruned > 0) {
                    log.debug("Pruned {} refresh history rows older than {}", pruned, settings.historyRetention());
                }
            }
        } catch (RuntimeException e) {
            log.warn("View refresh pass failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                refresher.cancelRunning(); // a long refresh is redone later; shutdown should not wait for it
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor = null;
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 200; // stopped after the consumers, before the connection pool closes
    }
}
