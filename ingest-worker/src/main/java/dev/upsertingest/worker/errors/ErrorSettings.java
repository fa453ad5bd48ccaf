package dev.upsertingest.worker.errors;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How the worker treats a batch that fails (see the {@code errors} package comment for the whole flow).
 *
 * @param retryInitialInterval first wait before a failed batch is retried (it is retried until it succeeds)
 * @param retryMaxInterval     longest wait between retries of a failed batch. While the database circuit breaker is
 *                             open a retry costs nothing (it fails at once), so this bounds how long after the
 *                             database is back the worker notices.
 * @param deadLetterTimeout    how long to wait for the broker to acknowledge a batch's dead letters before the batch
 *                             fails (and is retried)
 * @param stuckAfter           how long a batch may keep failing (its partitions standing still) before readiness goes
 *                             down and says why; longer than {@code retryMaxInterval}, so one retry is not an alarm
 */
@Validated
@ConfigurationProperties("ingest.errors")
public record ErrorSettings(
        @NotNull @DefaultValue("200ms") Duration retryInitialInterval,
        @NotNull @DefaultValue("5s") Duration retryMaxInterval,
        @NotNull @DefaultValue("30s") Duration deadLetterTimeout,
        @NotNull @DefaultValue("1m") Duration stuckAfter) {

    public ErrorSettings {
        if (retryInitialInterval != null && retryMaxInterval != null && retryMaxInterval.compareTo(retryInitialInterval) < 0) {
            throw new IllegalArgumentException("ingest.errors.retry-max-interval must not be shorter than retry-initial-interval");
        }
        if (stuckAfter != null && retryMaxInterval != null && stuckAfter.compareTo(retryMaxInterval) <= 0) {
            // Otherwise a batch that failed once and waits for its next attempt would already count as stuck.
            throw new IllegalArgumentException("ingest.errors.stuck-after must be longer than retry-max-interval");
        }
    }
}
