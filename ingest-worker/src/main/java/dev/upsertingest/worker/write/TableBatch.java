package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.JsonText;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The events of one consumed batch for one stream table, collapsed to at most one change per key.
 *
 * <p>Collapsing is not an optimisation only: {@code INSERT ... ON CONFLICT DO UPDATE} refuses to touch the same row
 * twice in one statement ("cannot affect row a second time"), so a set-based upsert needs distinct keys. How two
 * events of one key combine is the stream's {@link MergeMode}: see {@link LastWriteWinsBatch} and
 * {@link MergingBatch}. Either way events are applied in the order consumed, which within a partition is the order
 * produced.
 */
public abstract sealed class TableBatch permits LastWriteWinsBatch, MergingBatch {

    protected final StreamDefinition stream;
    protected final Map<EventKey, RowChange> changes = new HashMap<>();
    private int events;
    private int stale;
    private int superseded;
    private int merged;

    protected TableBatch(StreamDefinition stream) {
        this.stream = stream;
    }

    public static TableBatch forStream(StreamDefinition stream) {
        return stream.mergeMode() == MergeMode.MERGE ? new MergingBatch(stream) : new LastWriteWinsBatch(stream);
    }

    public StreamDefinition stream() {
        return stream;
    }

    /** Adds an upsert event found at {@code source} in the consumed batch. */
    public final void add(ParsedEvent.Upsert upsert, int source) {
        events++;
        RowChange previous = changes.get(upsert.key());
        if (previous != null && !previous.delete() && stream.versioned() && upsert.version() < previous.version()) {
            stale++; // an older version arriving after a newer one never wins, in the batch as in the table
            return;
        }
        if (previous != null) {
            if (mergesInto(previous)) {
                merged++;
            } else {
                superseded++;
            }
        }
        changes.put(upsert.key(), combine(previous, upsert, source));
    }

    /** Adds a tombstone found at {@code source}: whatever came before for this key, the row goes. */
    public final void delete(EventKey key, int source) {
        events++;
        RowChange previous = changes.put(key, RowChange.delete(key, source));
        if (previous != null) {
            // Everything the dropped change was made of is superseded, including events counted as merged into it.
            int dropped = upsertsIn(previous);
            superseded += dropped;
            merged -= dropped - 1;
        }
    }

    /** The change for a key given the change collapsed so far ({@code null} if none) and the next upsert event. */
    protected abstract RowChange combine(RowChange previous, ParsedEvent.Upsert upsert, int source);

    /** Whether the next upsert of a key folds {@code previous} into itself (merge) rather than replacing it. */
    protected abstract boolean mergesInto(RowChange previous);

    /** How many events a change stands for: 1 for a tombstone, the merged upserts of a patch. */
    protected abstract int upsertsIn(RowChange change);

    /** Events added, including tombstones and events dropped as stale. */
    public int events() {
        return events;
    }

    /** Events dropped because a newer version of their key came earlier in the batch. */
    public int staleEvents() {
        return stale;
    }

    /** Events folded into another event of the same key: {@link #supersededEvents()} plus {@link #mergedEvents()}. */
    public int collapsedEvents() {
        return superseded + merged;
    }

    /**
     * Events whose effect a later event of the same key in this batch replaced: in replace mode every event but the
     * last of its key; in either mode an event followed by a tombstone, and a tombstone followed by an upsert (the
     * row starts over as that upsert).
     */
    public int supersededEvents() {
        return superseded;
    }

    /** Merge mode: upserts whose fields were folded into a later upsert of the same key (no tombstone between). */
    public int mergedEvents() {
        return merged;
    }

    /** Rows this batch changes: one per distinct key (a delete or an upsert). */
    public int rows() {
        return changes.size();
    }

    /**
     * Whether every event added is accounted for exactly once: as the change of its row, or as superseded, merged or
     * stale. True by construction; checked by the caller, who counts what became of each event.
     */
    public boolean isBalanced() {
        return events == changes.size() + superseded + merged + stale;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /**
     * Keys to delete before upserting: tombstones, and keys re-created after a tombstone in this batch. In
     * {@link LockOrder}, like {@link #upserts}, so that concurrent writers cannot deadlock each other.
     */
    public List<EventKey> deletes() {
        List<EventKey> keys = new ArrayList<>();
        for (RowChange change : changes.values()) {
            if (change.delete() || change.deleteFirst()) {
                keys.add(change.key());
            }
        }
        return LockOrder.sort(keys, key -> key);
    }

    /** Rows to upsert, in {@link LockOrder}, with their document text ready to bind. */
    public List<RowChange> upserts(Function<ObjectNode, JsonText> toJson) {
        List<RowChange> upserts = new ArrayList<>(changes.size());
        for (RowChange change : changes.values()) {
            if (!change.delete()) {
                upserts.add(change.json() != null ? change : change.withJson(toJson.apply(change.document())));
            }
        }
        return LockOrder.sort(upserts, RowChange::key);
    }

    /** All changes, for finding the events behind a rejected row. */
    public List<RowChange> changes() {
        return List.copyOf(changes.values());
    }
}
