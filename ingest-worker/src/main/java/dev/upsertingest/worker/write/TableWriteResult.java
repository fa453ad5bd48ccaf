package dev.upsertingest.worker.write;

/**
 * What one batch did to one stream table.
 *
 * @param stream    stream name
 * @param events    events in the batch for this stream (tombstones included, rejected events excluded)
 * @param collapsed events folded into a later event of the same key
 * @param stale     events dropped because a newer version of their key came first
 * @param upserts   rows sent as upserts
 * @param changed   rows the upserts inserted or changed, or -1 when the write method cannot tell
 * @param deleted   rows deleted
 */
public record TableWriteResult(String stream, int events, int collapsed, int stale, int upserts, long changed,
                               long deleted) {

    /** Upserts the table skipped: unchanged documents and stale versions; -1 when unknown. */
    public long unchanged() {
        return changed < 0 ? -1 : upserts - changed;
    }
}
