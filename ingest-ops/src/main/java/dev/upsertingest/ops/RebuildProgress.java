package dev.upsertingest.ops;

import java.time.Instant;

/**
 * A rebuild of a stream table from its topic ({@code ingest.stream_rebuild}) and how far its replay got.
 *
 * @param state          rewinding, replaying, done or superseded
 * @param eventsToReplay events between the partitions' start and target offsets (0 while rewinding: not known yet)
 * @param eventsReplayed of those, events the worker's group has committed
 */
public record RebuildProgress(long id, String stream, String state, String reason, String requestedBy,
                              Instant detectedAt, Instant replayStartedAt, Instant finishedAt, long eventsToReplay,
                              long eventsReplayed) {

    public boolean running() {
        return state.equals("rewinding") || state.equals("replaying");
    }
}
