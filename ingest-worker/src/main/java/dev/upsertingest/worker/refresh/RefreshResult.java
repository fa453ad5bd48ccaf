package dev.upsertingest.worker.refresh;

import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * What one look at a view came to.
 *
 * @param outcome    what happened
 * @param elapsed    how long the refresh took (zero when none ran)
 * @param rows       rows in the view after a refresh, or -1
 * @param nextDue    when the view is due next, by the shared state (for {@link Outcome#NOT_DUE})
 * @param error      why a refresh failed
 */
public record RefreshResult(Outcome outcome, Duration elapsed, long rows, OffsetDateTime nextDue, String error) {

    public enum Outcome {
        /** First population, without CONCURRENTLY (which refuses an unpopulated view). */
        POPULATED,
        /** REFRESH ... CONCURRENTLY: readers were never blocked. */
        REFRESHED,
        /** The stream table has not changed since the last refresh: nothing to do. */
        UNCHANGED,
        /** Another worker refreshed it less than an interval ago. */
        NOT_DUE,
        /** Another worker is refreshing it right now. */
        BUSY,
        /** The view relation does not exist (dropped or being replaced by a migration). */
        MISSING,
        /** Its stream table was emptied by a crash or is being rebuilt: the view keeps the last complete data. */
        PAUSED,
        FAILED
    }

    static RefreshResult of(Outcome outcome) {
        return new RefreshResult(outcome, Duration.ZERO, -1, null, null);
    }
}
