package dev.upsertingest.worker.write;

/**
 * How a batch of upserts travels to PostgreSQL. All produce the same rows; they differ in client CPU, bytes on the
 * wire and server parse/plan work. The default is the fastest measured on our reference machine; see
 * {@code docs/write-methods.md} for the figures and the rule that picked it.
 */
public enum WriteMethod {
    /** One {@code INSERT ... VALUES (...), (...)} statement per stream per batch (split only at 32767 parameters). */
    MULTI_ROW_VALUES,
    /** A JDBC batch of single-row inserts; pgjdbc's {@code reWriteBatchedInserts} turns it into multi-row inserts. */
    JDBC_BATCH,
    /** One {@code INSERT ... SELECT FROM unnest(arrays)} statement: one array parameter per column. */
    UNNEST,
    /** Like {@link #UNNEST}, with the documents sent as one jsonb array instead of a text array. */
    UNNEST_JSONB_ARRAY,
    /** {@code COPY} into a temporary staging table, then {@code INSERT ... SELECT ... ON CONFLICT}. */
    COPY
}
