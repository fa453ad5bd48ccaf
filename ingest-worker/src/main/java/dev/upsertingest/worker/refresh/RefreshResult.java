package dev.upsertingest.worker.refresh;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * What one look at a view came to.
 *
 * @param outcome    what happened
 * @param mode       how the view was refreshed when a refresh ran ({@code populate}, {@code concurrent},
 *                   {@code incremental}, {@code reconcile}), else {@code null}
 * @param elapsed    how long the refresh took (zero when none ran)
 * @param rows       rows in the view after a refresh, or -1
 * @param changed    incremental refreshes: the changed keys applied; -1 otherwise
 * @param nextDue    when the view is due next, by the shared state (for {@link Outcome#NOT_DUE})
 * @param error      why a refresh failed
 */
public record RefreshResult(Outcome outcome, String mode, Duration elapsed, long rows, long changed, OffsetDateTime nextDue,
                            String error) {

    public enum Outcome {
        /** First population of a full view, without CONCURRENTLY (which refuses an unpopulated view). */
        POPULATED,
        /** A full view refreshed CONCURRENTLY (readers were never blocked), or the changes applied to an incremental one. */
        REFRESHED,
        /** An incremental view compared whole with its projection and corrected (first fill, after a rebuild or TRUNCATE). */
        RECONCILED,
        /** Nothing changed since the last refresh: nothing to do. */
        UNCHANGED,
        /** Another worker refreshed it less than an interval ago. */
        NOT_DUE,
        /** Another worker is refreshing it right now (or a migration is replacing it). */
        BUSY,
        /** The view relation does not exist (dropped, or being replaced by a migration). */
        MISSING,
        /** Its stream table was emptied by a crash or is being rebuilt: the view keeps the last complete data. */
        PAUSED,
        FAILED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static RefreshResult of(Outcome outcome) {
        return new RefreshResult(outcome, null, Duration.ZERO, -1, -1, null, null);
    }

    static RefreshResult ran(Outcome outcome, String mode, Duration elapsed, long rows, long changed) {
        return new RefreshResult(outcome, mode, elapsed, rows, changed, null, null);
    }
}
