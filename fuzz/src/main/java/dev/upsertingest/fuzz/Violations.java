package dev.upsertingest.fuzz;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a fuzz run found wrong, by kind, with the first few examples of each. Thread-safe. */
public final class Violations {

    /** Every way an answer can break the guarantees. */
    public enum Kind {
        HTTP_SERVER_ERROR("an answer of 500 or above (503 included: the broker is up, so it was the input's)"),
        HTTP_UNDOCUMENTED_STATUS("a status other than 202, 400, 413 or 415"),
        HTTP_WRONG_STATUS("a documented status, but not the one the request must get"),
        HTTP_NOT_A_PROBLEM("an error answer that is not one of the API's RFC 9457 problem details"),
        HTTP_BAD_RESPONSE("a 202 whose counts or rejections do not add up"),
        HTTP_TRANSPORT("a request that got no answer"),
        BREAKER_OPENED("the kafka-publish circuit breaker opened or counted a failure"),
        UNKNOWN_REASON("a reason code that is not in the README's Events table"),
        WRONG_ANSWER("an event answered otherwise than the rule it breaks (or keeps) says"),
        DETAIL_QUOTES_DOCUMENT("a rejection detail that repeats what the document holds"),
        STALLED_PARTITION("a partition whose committed offset did not reach its end"),
        CONSERVATION("a stream whose outcomes do not add up to what it consumed"),
        CONSUMED_VS_TOPIC("a stream that consumed more or fewer records than reached its topic"),
        TOPIC_VS_SENT("a topic holding more or fewer records than the doors got acknowledged"),
        DEAD_LETTERS_VS_COUNTS("letters on a dead-letter topic that differ from the dead_lettered counts, by reason"),
        BAD_LETTER("a dead letter without exactly one reason, or whose headers contradict it"),
        SLIPPED_THROUGH("an event the rules passed that the database then refused (database_rejected)"),
        VERDICT_DIFFERS("a record the worker dead-lettered or applied against the rules' verdict on the same bytes"),
        NOT_PUBLISHED_AS_SENT("an event the API accepted that is not on the topic byte for byte"),
        ROW_NOT_AS_SENT("a row whose document or version is not what its key's last event said"),
        ROW_MISSING("a key whose last event was an upsert, without a row"),
        ROW_UNEXPECTED("a row no accepted event made, or one a tombstone deleted last"),
        ROW_KEY_MISMATCH("a row whose key differs from what its document holds at the key pointer");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        /** Lower snake case, for results and reports. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public String description() {
            return description;
        }
    }

    private static final int EXAMPLES = 10;

    private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    private final Map<Kind, List<String>> examples = new EnumMap<>(Kind.class);

    public synchronized void add(Kind kind, String detail) {
        counts.merge(kind, 1L, Long::sum);
        List<String> list = examples.computeIfAbsent(kind, k -> new ArrayList<>());
        if (list.size() < EXAMPLES) {
            list.add(detail);
        }
    }

    public synchronized long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized boolean isEmpty() {
        return counts.isEmpty();
    }

    /** Counts by kind code, every kind listed (zero where none). */
    public synchronized Map<String, Long> byKind() {
        Map<String, Long> all = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            all.put(kind.code(), counts.getOrDefault(kind, 0L));
        }
        return all;
    }

    /** The first examples of each kind found. */
    public synchronized Map<String, List<String>> examples() {
        Map<String, List<String>> all = new LinkedHashMap<>();
        examples.forEach((kind, list) -> all.put(kind.code(), Collections.unmodifiableList(new ArrayList<>(list))));
        return all;
    }

    /** Every kind found, its count and examples, one per line; "none" when nothing was found. */
    public synchronized String describe() {
        if (counts.isEmpty()) {
            return "no violations";
        }
        StringBuilder text = new StringBuilder();
        counts.forEach((kind, count) -> {
            text.append(String.format("%n%s: %d (%s)", kind.code(), count, kind.description()));
            examples.get(kind).forEach(example -> text.append("\n    ").append(example));
        });
        return text.toString();
    }
}
