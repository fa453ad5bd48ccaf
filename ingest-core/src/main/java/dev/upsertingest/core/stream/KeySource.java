package dev.upsertingest.core.stream;

/** Where a stream's key is read from. */
public enum KeySource {
    /** From the event's JSON value, by pointer. Tombstones carry the key in the record key (see {@code EventKey}). */
    VALUE,
    /** From the Kafka record key: the whole key as text, or fields of a JSON record key by pointer. */
    RECORD_KEY
}
