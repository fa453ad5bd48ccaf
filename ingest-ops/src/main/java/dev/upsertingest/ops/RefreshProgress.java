package dev.upsertingest.ops;

import java.time.Instant;

/**
 * A refresh asked for by hand, and whether it happened.
 *
 * @param requestedAt   when it was asked for
 * @param done          a refresh started at or after {@code requestedAt} and finished
 * @param paused        the view is not refreshed now because its stream table is being rebuilt
 * @param lastStartedAt the view's last refresh start
 * @param outcome       the last refresh's outcome (ok, failed), when done
 */
public record RefreshProgress(String view, String mode, Instant requestedAt, boolean done, boolean paused,
                              Instant lastStartedAt, String outcome, String error, Long rows) {
}
