package dev.upsertingest.ops;

import java.util.List;
import java.util.Map;

/**
 * What a replay of dead letters did, or would do ({@code dryRun}).
 *
 * @param replayId       the id recorded with every letter this replay sent ({@code null} for a dry run)
 * @param matched        letters that match the selection
 * @param replayed       letters sent back to the stream topic now (would be, in a dry run)
 * @param alreadyReplayed matching letters a replay before this one sent back: never sent twice
 * @param withoutValue   matching letters the worker dead-lettered without their value: nothing to send back
 * @param byReason       the letters sent (or to send), by reason
 * @param letters        the first of them
 */
public record ReplayResult(String stream, String topic, boolean dryRun, String replayId, long matched, long replayed,
                           long alreadyReplayed, long withoutValue, Map<String, Long> byReason, List<DeadLetter> letters) {
}
