package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.RejectReason;

import java.util.Locale;

/**
 * What became of one consumed event. Every event ends as exactly one of these, counted per stream in
 * {@code ingest.events.outcome}:
 *
 * <ul>
 *   <li><b>applied</b>: the event that decided its row's change in a batch (the last event of its key that was not
 *       dropped). {@code changed}: its upsert inserted or changed the row; {@code deleted}: a tombstone, applied
 *       whether or not the row existed; {@code unverified}: an upsert sent by a write method that cannot report
 *       changed rows ({@code jdbc-batch}), so the table may also have skipped it.</li>
 *   <li><b>dead_lettered</b>: sent to {@code <topic>.dlt}; the reason is the {@link RejectReason} code.</li>
 *   <li><b>ignored</b>, by a documented rule: {@code unchanged}: the table skipped the upsert (same document, or it
 *       holds a newer version); {@code superseded}: a later event of the same key in the batch replaced it (replace
 *       mode; in either mode an event before a tombstone, and a tombstone before an upsert); {@code merged}: merge
 *       mode, folded into a later event of the same key, whose outcome stands for both; {@code stale_version}: an
 *       older version than one that came earlier in the batch.</li>
 * </ul>
 *
 * @param outcome applied, dead_lettered or ignored
 * @param reason  why, as above; a dead letter's reject reason code
 */
public record EventOutcome(Outcome outcome, String reason) {

    public enum Outcome {
        APPLIED, DEAD_LETTERED, IGNORED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final EventOutcome CHANGED = new EventOutcome(Outcome.APPLIED, "changed");
    public static final EventOutcome DELETED = new EventOutcome(Outcome.APPLIED, "deleted");
    public static final EventOutcome UNVERIFIED = new EventOutcome(Outcome.APPLIED, "unverified");
    public static final EventOutcome UNCHANGED = new EventOutcome(Outcome.IGNORED, "unchanged");
    public static final EventOutcome SUPERSEDED = new EventOutcome(Outcome.IGNORED, "superseded");
    public static final EventOutcome MERGED = new EventOutcome(Outcome.IGNORED, "merged");
    public static final EventOutcome STALE_VERSION = new EventOutcome(Outcome.IGNORED, "stale_version");

    public static EventOutcome deadLettered(RejectReason reason) {
        return new EventOutcome(Outcome.DEAD_LETTERED, reason.code());
    }

    @Override
    public String toString() {
        return outcome.tag() + "/" + reason;
    }
}
