package dev.upsertingest.ops;

import java.util.List;
import java.util.Map;

/**
 * Dead letters of a stream that match a selection.
 *
 * @param matched  how many letters match (all of them, not only those listed)
 * @param byReason the matching letters by reason
 * @param letters  the first {@code limit} of them, oldest first (per partition, by offset)
 */
public record DeadLetterList(String stream, String topic, long matched, Map<String, Long> byReason,
                             List<DeadLetter> letters) {
}
