/**
 * The worker's failure policy, whole: what becomes of an event or a batch that cannot simply be written. Every
 * consumed record ends as exactly one of applied, dead-lettered (with its reason) or ignored by rule; nothing is
 * skipped.
 *
 * <ol>
 *   <li><b>Bad in itself</b> (not JSON, no key, too large, ...): the parser rejects it, and it is dead-lettered
 *       ({@link dev.upsertingest.worker.errors.DeadLetterPublisher}) while the rest of the batch is written.</li>
 *   <li><b>Refused by the database for its data</b> (SQLState 22/23): {@link dev.upsertingest.worker.errors.DataErrorSplitter}
 *       halves the batch down to the refused events, which are dead-lettered as {@code database_rejected}.</li>
 *   <li><b>The database is unavailable</b> ({@link dev.upsertingest.worker.errors.SqlFailure.Kind#TRANSIENT}): the
 *       consumers' database circuit opens and pauses consuming; the batch waits uncommitted.</li>
 *   <li><b>Anything else</b> ({@link dev.upsertingest.worker.errors.BatchWriteException}, a dead letter the broker did
 *       not acknowledge): the batch is retried whole with backoff ({@link dev.upsertingest.worker.errors.BatchRetries}),
 *       forever; {@link dev.upsertingest.worker.errors.FailingBatches} reports one that keeps failing (gauge, readiness)
 *       once it has for {@code ingest.errors.stuck-after}.</li>
 * </ol>
 * A dead letter always fits ({@link dev.upsertingest.worker.errors.DeadLetterLimits}); one the broker still refuses
 * as too large is sent again without its value, flagged. Settings: {@link dev.upsertingest.worker.errors.ErrorSettings}
 * ({@code ingest.errors.*}). This package depends on no other worker package: the consumers use it, not the reverse.
 */
package dev.upsertingest.worker.errors;
