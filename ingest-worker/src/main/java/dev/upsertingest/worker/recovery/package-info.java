/**
 * Rebuilding unlogged stream tables that PostgreSQL crash recovery emptied, from their topics. Split like
 * {@code refresh}: {@link dev.upsertingest.worker.recovery.RebuildScheduler} (when to look; the only public class),
 * {@link dev.upsertingest.worker.recovery.RebuildCoordinator} (the state machine, its states
 * {@link dev.upsertingest.worker.recovery.RebuildState} as the control schema stores them),
 * {@link dev.upsertingest.worker.recovery.GroupOffsets} (every Kafka admin call) and
 * {@link dev.upsertingest.worker.recovery.RebuildStatements} (every SQL statement). It stops the consumers only through
 * {@link dev.upsertingest.worker.consume.ConsumerControl}.
 */
package dev.upsertingest.worker.recovery;
