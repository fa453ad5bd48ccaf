package dev.upsertingest.ops;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code bin/ingest status} and {@code GET /api/v1/admin/status} show: every stream and every view.
 *
 * @param at      when it was read (the database's clock)
 * @param groupId the worker's consumer group, whose committed offsets the lag is measured from
 */
public record SystemStatus(Instant at, String groupId, List<Stream> streams, List<View> views) {

    /**
     * @param tableRows       live rows in the table (PostgreSQL's estimate, {@code n_live_tup}: exact enough to watch, free to read)
     * @param tableBytes      the table with its index and TOAST, on disk
     * @param lag             records of the topic not yet committed by the worker's group, all partitions
     * @param partitions      the lag per partition
     * @param rowsPerSecond   rows inserted, updated or deleted per second in the table over the sample window
     *                        ({@code null} when not sampled)
     * @param eventsPerSecond events the group committed per second over the sample window ({@code null} when not sampled)
     * @param deadLetters     letters on the stream's dead-letter topic, by reason
     * @param replayed        of those, letters already sent back to the stream topic
     * @param rebuild         the running rebuild of the table, or the last one; {@code null} if never rebuilt
     */
    public record Stream(String name, String topic, String durability, long tableRows, long tableBytes, long lag,
                         List<PartitionLag> partitions, Double rowsPerSecond, Double eventsPerSecond,
                         Map<String, Long> deadLetters, long replayed, RebuildProgress rebuild) {

        public long deadLetterCount() {
            return deadLetters.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** @param committed the group's committed offset, {@code null} when the group never committed one */
    public record PartitionLag(int partition, long endOffset, Long committed, long lag) {
    }

    /**
     * @param mode               incremental or full
     * @param interval           the declared refresh interval, ISO-8601 ({@code PT10S})
     * @param refreshedAt        the last successful refresh
     * @param asOf               the moment the view's contents show (start of its last successful refresh)
     * @param stalenessSeconds   age of the newest data the view shows
     * @param pendingChanges     incremental views: change rows its next refresh applies
     * @param refreshRequestedAt a refresh asked for by hand, if not started yet
     */
    public record View(String name, String stream, String mode, String interval, Instant refreshedAt, Instant asOf,
                       Double stalenessSeconds, Long rows, String lastOutcome, String lastError, long pendingChanges,
                       Instant refreshRequestedAt) {
    }
}
