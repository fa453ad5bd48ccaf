package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The order in which a batch touches rows: one total order of keys that every writer (thread or replica) uses, so
 * that two transactions with overlapping keys lock their rows in the same order and cannot deadlock each other.
 *
 * <p>Any total order does; this one is by the keys' {@link List#hashCode()} (specified by {@code List}, {@code String},
 * {@code Long}, {@code Integer} and {@code UUID}, so the same on every JVM), ties broken by comparing the values.
 * Sorting packed {@code (hash, position)} longs touches each key once; a comparator over the keys themselves chased
 * five references per comparison into cold memory and was a sixth of the worker's batch time.
 */
final class LockOrder {

    private LockOrder() {
    }

    /** {@code items} sorted by their keys in lock order. */
    static <T> List<T> sort(List<T> items, Function<T, EventKey> keyOf) {
        int n = items.size();
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = (long) keyOf.apply(items.get(i)).values().hashCode() << 32 | i;
        }
        Arrays.sort(packed);
        List<T> sorted = new ArrayList<>(n);
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && packed[end] >>> 32 == packed[start] >>> 32) {
                end++;
            }
            if (end - start == 1) {
                sorted.add(items.get((int) packed[start]));
            } else { // equal hashes: rare, ordered by value
                List<T> tied = new ArrayList<>(end - start);
                for (int k = start; k < end; k++) {
                    tied.add(items.get((int) packed[k]));
                }
                tied.sort((a, b) -> compare(keyOf.apply(a), keyOf.apply(b)));
                sorted.addAll(tied);
            }
            start = end;
        }
        return sorted;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(EventKey a, EventKey b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
