package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamDefinition;

/**
 * Replace mode: the last event of a key in the batch is the row's new document (or, for a tombstone, its deletion).
 * In a versioned stream "last" means newest version; ties go to the later event.
 */
public final class LastWriteWinsBatch extends TableBatch {

    LastWriteWinsBatch(StreamDefinition stream) {
        super(stream);
    }

    @Override
    protected RowChange combine(RowChange previous, ParsedEvent.Upsert upsert, int source) {
        // Unversioned, the new document replaces the row whatever it held, so an earlier tombstone needs no delete.
        // Versioned, the row's old version would block an upsert that follows a tombstone: delete it first.
        boolean deleteFirst = stream.versioned() && previous != null && (previous.delete() || previous.deleteFirst());
        return new RowChange(upsert.key(), false, upsert.json(), null, upsert.version(), deleteFirst, new int[]{source});
    }

    @Override
    protected boolean mergesInto(RowChange previous) {
        return false;
    }

    @Override
    protected int upsertsIn(RowChange change) {
        return 1;
    }
}
