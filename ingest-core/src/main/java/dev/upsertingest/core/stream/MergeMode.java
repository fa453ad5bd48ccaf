package dev.upsertingest.core.stream;

/** How an event changes the row of its key. */
public enum MergeMode {
    /** The newest event becomes the document. */
    REPLACE,
    /** The event's top-level fields are merged into the document, as jsonb {@code ||} does. */
    MERGE
}
