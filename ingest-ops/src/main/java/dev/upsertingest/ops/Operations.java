package dev.upsertingest.ops;

import java.time.Duration;
import java.time.Instant;

/**
 * The operations on a running system, the same whether they go straight to PostgreSQL and Kafka
 * ({@link DirectOperations}) or through the API's admin endpoints ({@link HttpOperations}). None of them talks to a
 * worker: requests are written into the control schema, and the worker replicas carry them out. Each throws
 * {@link OperationException} when it cannot be done.
 */
public interface Operations extends AutoCloseable {

    /** @param sample how long to watch the tables and the group for rates; zero for no rates */
    SystemStatus status(Duration sample);

    /**
     * Starts a rebuild of an unlogged stream's table from its topic (the crash path, by hand). Refused for an unknown
     * stream, a logged one, and while a rebuild of it runs.
     *
     * @param emptyTable empty the table first, as a crash would; otherwise the replay upserts over its rows
     */
    RebuildProgress requestRebuild(String stream, boolean emptyTable, String requestedBy);

    /** The running rebuild of the stream's table, or its last one. */
    RebuildProgress rebuild(String stream);

    /** Asks the worker to refresh a view now, whether due or not. */
    RefreshProgress requestRefresh(String view, String requestedBy);

    /** Whether the refresh asked for at {@code requestedAt} happened. */
    RefreshProgress refresh(String view, Instant requestedAt);

    DeadLetterList deadLetters(String stream, DeadLetterSelection selection, int limit);

    /** One letter; its document only with {@code withValue}. */
    DeadLetter deadLetter(String stream, int partition, long offset, boolean withValue);

    /**
     * Sends the selected letters back to the stream topic, each at most once (recorded in
     * {@code ingest.dead_letter_replay}); letters without their value are left out.
     */
    ReplayResult replay(String stream, DeadLetterSelection selection, boolean dryRun, String requestedBy, int listLimit);

    @Override
    void close();
}
