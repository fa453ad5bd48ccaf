package dev.upsertingest.worker.refresh;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.Map;

/**
 * How the worker keeps the materialized views fresh.
 *
 * @param enabled          refresh views in this worker (every replica may; they take turns per view)
 * @param tick             how often paused or busy views are looked at again, and the shared freshness reloaded
 * @param statementTimeout the longest one refresh may run; a longer one fails and is retried at the next interval
 * @param workMem          {@code work_mem} for a refresh: {@code CONCURRENTLY} diffs old and new contents with a join
 * @param intervals        per-view refresh intervals that override the declared ones, e.g.
 *                         {@code ingest.refresh.intervals.orders_by_status=1m}
 * @param historyRetention how long refresh history ({@code ingest.view_refresh}) is kept
 * @param catalogRefresh   how often the view registry is read again, so views declared, replaced or dropped while the
 *                         worker runs are refreshed (or no longer) without a restart
 * @param maxConcurrent    refreshes this worker runs at once, each on a connection of the pool (give the pool one per
 *                         consumer thread, plus this, plus one); every view has a lane of its own, so a slow view holds
 *                         one of these and the others go on with the rest
 */
@Validated
@ConfigurationProperties("ingest.refresh")
public record RefreshSettings(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration tick,
        @NotNull @DefaultValue("15m") Duration statementTimeout,
        @NotNull @DefaultValue("64MB") DataSize workMem,
        @NotNull @DefaultValue Map<String, Duration> intervals,
        @NotNull @DefaultValue("7d") Duration historyRetention,
        @NotNull @DefaultValue("10s") Duration catalogRefresh,
        @Min(1) @Max(64) @DefaultValue("2") int maxConcurrent) {

    public RefreshSettings {
        if (tick != null && (tick.isNegative() || tick.isZero())) {
            throw new IllegalArgumentException("ingest.refresh.tick must be positive");
        }
        if (intervals != null) {
            intervals.forEach((view, interval) -> {
                if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                    throw new IllegalArgumentException("ingest.refresh.intervals." + view + " must be at least 1s");
                }
            });
        }
        if (catalogRefresh != null && catalogRefresh.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("ingest.refresh.catalog-refresh must be at least 1s");
        }
    }
}
