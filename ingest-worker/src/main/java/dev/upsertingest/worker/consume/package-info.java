/**
 * Consuming the stream topics: the consumer threads ({@link dev.upsertingest.worker.consume.StreamConsumers}), the
 * Kafka-facing listener, and one batch from parse to commit ({@link dev.upsertingest.worker.consume.BatchIngester},
 * which hands the rows to {@code write} and the failures to {@code errors}).
 *
 * <p>Owns who stops the consumers: only the application lifecycle (start and stop, in
 * {@link dev.upsertingest.worker.WorkerPhases} order) and {@link dev.upsertingest.worker.consume.ConsumerControl},
 * whose reasons have one owner each (the {@link dev.upsertingest.worker.consume.DatabaseCircuit} here, the rebuild
 * coordinator in {@code recovery}). Topics are provisioned in one place,
 * {@link dev.upsertingest.worker.consume.TopicProvisioner}, before anything reads them.
 */
package dev.upsertingest.worker.consume;
