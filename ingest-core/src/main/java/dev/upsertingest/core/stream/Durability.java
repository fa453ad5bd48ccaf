package dev.upsertingest.core.stream;

/** Whether a stream table is written to the WAL. */
public enum Durability {
    /** Not WAL-logged: fastest; emptied by crash recovery, then rebuilt from the topic. */
    UNLOGGED,
    /** WAL-logged: survives a crash, slower to write. */
    LOGGED
}
