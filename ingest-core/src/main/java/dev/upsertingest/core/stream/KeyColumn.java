package dev.upsertingest.core.stream;

import tools.jackson.core.JsonPointer;

/**
 * One column of a stream table's primary key.
 *
 * @param name    column name, as registered (and checked to be a plain identifier) in {@code ingest.stream_key_column}
 * @param type    column type
 * @param pointer where the value is found in the event (or in a JSON record key); {@code null} when the whole record
 *                key is the value
 */
public record KeyColumn(String name, KeyType type, JsonPointer pointer) {
}
