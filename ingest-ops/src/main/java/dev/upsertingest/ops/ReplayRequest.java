package dev.upsertingest.ops;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/v1/admin/streams/{stream}/dead-letters/replay}: which letters (all parts that are set
 * must match; {@code all} must be true when none is, so that "everything" is always said out loud), and whether only
 * to say what would be sent.
 *
 * @param limit how many of the letters sent to list in the answer (default 20)
 */
public record ReplayRequest(List<String> reasons, Integer partition, Long fromOffset, Long toOffset, Instant since,
                            Instant until, boolean all, boolean dryRun, Integer limit) {

    public DeadLetterSelection selection() {
        DeadLetterSelection selection = new DeadLetterSelection(reasons == null ? Set.of() : Set.copyOf(reasons),
                partition, fromOffset, toOffset, since, until);
        if (selection.isEverything() && !all) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    "say which letters to replay (reasons, partition and offsets, since/until), or all of them (all: true)");
        }
        if (!selection.isEverything() && all) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    "all means every letter: leave out the reasons, partition, offsets and times, or all");
        }
        return selection;
    }

    public int listLimit() {
        return limit == null ? 20 : Math.max(0, limit);
    }
}
