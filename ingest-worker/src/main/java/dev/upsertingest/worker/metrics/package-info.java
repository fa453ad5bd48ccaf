/** Every meter the worker publishes ({@link dev.upsertingest.worker.metrics.IngestMetrics}): one place for names and tags. */
package dev.upsertingest.worker.metrics;
