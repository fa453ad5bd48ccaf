package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchMessageListener;

import java.util.List;

/**
 * The Kafka-facing end of the worker: hands each polled batch to the {@link BatchIngester} and lets failures propagate
 * to the container's error handler, which retries the batch without committing its offsets. Every attempt goes
 * through the {@link DatabaseCircuit}, which pauses consuming while PostgreSQL is unavailable.
 */
public class StreamBatchListener implements BatchMessageListener<byte[], byte[]> {

    private final BatchIngester ingester;
    private final IngestMetrics metrics;
    private final DatabaseCircuit database;

    public StreamBatchListener(BatchIngester ingester, IngestMetrics metrics, DatabaseCircuit database) {
        this.ingester = ingester;
        this.metrics = metrics;
        this.database = database;
    }

    @Override
    public void onMessage(List<ConsumerRecord<byte[], byte[]>> records) {
        try {
            database.run(() -> ingester.ingest(records));
        } catch (RuntimeException e) {
            metrics.batchFailed(e);
            throw e;
        }
    }
}
