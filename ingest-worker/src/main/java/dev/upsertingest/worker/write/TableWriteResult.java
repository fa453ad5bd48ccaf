package dev.upsertingest.worker.write;

/**
 * What one batch did to one stream table. Every event is one of: a row's change ({@code tombstones} or
 * {@code upserts}), {@code superseded}, {@code merged} or {@code stale}; {@link #isBalanced()} checks that they add up.
 *
 * @param stream     stream name
 * @param events     events in the batch for this stream (tombstones included, rejected events excluded)
 * @param superseded events replaced by a later event of the same key in the batch (see
 *                   {@link TableBatch#supersededEvents()})
 * @param merged     merge mode: events folded into a later event of the same key
 * @param stale      events dropped because a newer version of their key came first
 * @param tombstones rows deleted by a tombstone that was the last word on their key (whether or not the row existed)
 * @param upserts    rows sent as upserts
 * @param changed    rows the upserts inserted or changed, or -1 when the write method cannot tell
 * @param deleted    rows the delete statement removed (tombstones of existing rows, and rows re-created after a
 *                   tombstone in the same batch)
 */
public record TableWriteResult(String stream, int events, int superseded, int merged, int stale, int tombstones,
                               int upserts, long changed, long deleted) {

    /** Events folded into a later event of the same key: superseded and merged. */
    public int collapsed() {
        return superseded + merged;
    }

    /** Upserts the table skipped: unchanged documents and stale versions; -1 when unknown. */
    public long unchanged() {
        return changed < 0 ? -1 : upserts - changed;
    }

    /** Every event accounted for once, and no more rows changed than were sent. */
    public boolean isBalanced() {
        return events == tombstones + upserts + superseded + merged + stale && changed <= upserts && changed >= -1;
    }
}
