package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamDefinition;
import tools.jackson.databind.node.ObjectNode;

/**
 * Merge mode: the events of a key are merged in order into one patch with jsonb {@code ||} semantics (top-level
 * fields of the later event win, nested objects are replaced, not merged), and the table merges the patch into the
 * stored document the same way. A tombstone in between drops what came before it, in the batch and in the table.
 *
 * <p>In a versioned stream an event older than one already merged for its key is dropped, and the patch carries the
 * newest version of its events: the table applies it only if that is not older than the stored version.
 */
public final class MergingBatch extends TableBatch {

    MergingBatch(StreamDefinition stream) {
        super(stream);
    }

    @Override
    protected RowChange combine(RowChange previous, ParsedEvent.Upsert upsert, int source) {
        if (previous == null || previous.delete()) {
            boolean deleteFirst = previous != null;
            // The document text is set only while the patch is a single event; a merged patch is written back later.
            return new RowChange(upsert.key(), false, upsert.json(), upsert.document(), upsert.version(), deleteFirst,
                    previous == null ? new int[]{source} : previous.plus(source));
        }
        ObjectNode merged = previous.document();
        merged.setAll(upsert.document()); // jsonb || : shallow, later fields win, a null value stays a null value
        Long version = upsert.version() == null ? null : Math.max(upsert.version(), previous.version());
        return new RowChange(upsert.key(), false, null, merged, version, previous.deleteFirst(), previous.plus(source));
    }

    @Override
    protected boolean mergesInto(RowChange previous) {
        return !previous.delete();
    }

    @Override
    protected int upsertsIn(RowChange change) {
        // A patch's sources are its upserts, after the tombstone it follows, if any.
        return change.delete() ? 1 : change.sources().length - (change.deleteFirst() ? 1 : 0);
    }
}
