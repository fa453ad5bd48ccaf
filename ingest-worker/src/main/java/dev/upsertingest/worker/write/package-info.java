/**
 * The write path: a batch's rows, collapsed per table ({@link dev.upsertingest.worker.write.TableBatch}), written in
 * one transaction ({@link dev.upsertingest.worker.write.UpsertBatchWriter}) by the configured
 * {@link dev.upsertingest.worker.write.WriteMethod}, with every statement built in
 * {@link dev.upsertingest.worker.write.UpsertStatements}. It throws what the database said and decides nothing about
 * failures (that is {@code errors}); it knows nothing of Kafka.
 */
package dev.upsertingest.worker.write;
