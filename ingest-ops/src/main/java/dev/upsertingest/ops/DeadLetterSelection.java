package dev.upsertingest.ops;

import java.time.Instant;
import java.util.Set;

/**
 * Which dead letters of a stream an operation takes. Every part that is set must match; offsets are the letters'
 * offsets on the dead-letter topic (as {@code dlt list} shows them), inclusive; times are when the worker
 * dead-lettered the event ({@code ingest.dlt.failed.at}), from inclusive, until exclusive.
 *
 * @param reasons    reason codes ({@code invalid_json}, ...), empty for any
 * @param partition  one partition of the dead-letter topic, {@code null} for all
 * @param fromOffset first offset, {@code null} for the beginning
 * @param toOffset   last offset, {@code null} for the end
 */
public record DeadLetterSelection(Set<String> reasons, Integer partition, Long fromOffset, Long toOffset,
                                  Instant since, Instant until) {

    public DeadLetterSelection {
        reasons = reasons == null ? Set.of() : Set.copyOf(reasons);
        if (fromOffset != null && toOffset != null && fromOffset > toOffset) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    "the offset range is empty: from " + fromOffset + " is after to " + toOffset);
        }
        if (since != null && until != null && !since.isBefore(until)) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    "the time range is empty: since " + since + " is not before until " + until);
        }
        if ((fromOffset != null || toOffset != null) && partition == null) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    "an offset range needs its partition (offsets are per partition of the dead-letter topic)");
        }
    }

    public static DeadLetterSelection all() {
        return new DeadLetterSelection(Set.of(), null, null, null, null, null);
    }

    public boolean isEverything() {
        return reasons.isEmpty() && partition == null && fromOffset == null && toOffset == null && since == null
                && until == null;
    }

    boolean matches(DeadLetter letter) {
        return (reasons.isEmpty() || reasons.contains(letter.reason()))
                && (partition == null || partition == letter.partition())
                && (fromOffset == null || letter.offset() >= fromOffset)
                && (toOffset == null || letter.offset() <= toOffset)
                && (since == null || letter.failedAt() != null && !letter.failedAt().isBefore(since))
                && (until == null || letter.failedAt() != null && letter.failedAt().isBefore(until));
    }
}
