package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.JsonText;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a batch does to one row once duplicate keys are collapsed: delete it, or upsert a document.
 *
 * @param key         the row's key
 * @param delete      {@code true} for a delete (a tombstone was the last word on this key)
 * @param json        the document text to upsert ({@code null} for a delete)
 * @param document    the document tree, kept only in merge mode so that later events can merge into it
 * @param version     the version to store, or {@code null} when the stream is not versioned
 * @param deleteFirst delete the existing row before upserting: a tombstone came earlier in the batch, so neither its
 *                    fields (merge mode) nor its version (versioned streams) may survive
 * @param sources     positions, in the consumed batch, of the events this change was made of
 */
public record RowChange(EventKey key, boolean delete, JsonText json, ObjectNode document, Long version,
                        boolean deleteFirst, int[] sources) {

    static RowChange delete(EventKey key, int source) {
        return new RowChange(key, true, null, null, null, false, new int[]{source});
    }

    RowChange withJson(JsonText newJson) {
        return new RowChange(key, delete, newJson, document, version, deleteFirst, sources);
    }

    int[] plus(int source) {
        int[] more = java.util.Arrays.copyOf(sources, sources.length + 1);
        more[sources.length] = source;
        return more;
    }
}
