package dev.upsertingest.core.event;

import tools.jackson.databind.node.ObjectNode;

/** What one Kafka record means for its stream table: an upsert, a delete, or a rejection with its reason. */
public sealed interface ParsedEvent {

    /**
     * Insert or update the row of {@code key}.
     *
     * @param key      the row's key
     * @param document the event as a JSON tree, which merge mode merges; {@code null} when the event was scanned
     *                 without building one (replace mode writes {@code json} as received)
     * @param json     the document text to write
     * @param version  the event's version, or {@code null} when the stream is not versioned
     */
    record Upsert(EventKey key, ObjectNode document, JsonText json, Long version) implements ParsedEvent {
    }

    /** A tombstone: delete the row of {@code key}. */
    record Delete(EventKey key) implements ParsedEvent {
    }

    /**
     * The event cannot be written.
     *
     * @param reason stable code of the rule it broke
     * @param detail human-readable explanation, free of document contents
     */
    record Rejected(RejectReason reason, String detail) implements ParsedEvent {
    }
}
