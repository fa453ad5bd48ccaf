package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.listener.BatchMessageListener;

import java.util.List;

/**
 * The Kafka-facing end of the worker: hands each polled batch to the {@link BatchIngester} and lets failures propagate
 * to the container's error handler, which retries the batch without committing its offsets.
 */
public class StreamBatchListener implements BatchMessageListener<byte[], byte[]> {

    private final BatchIngester ingester;
    private final IngestMetrics metrics;

    public StreamBatchListener(BatchIngester ingester, IngestMetrics metrics) {
        this.ingester = ingester;
        this.metrics = metrics;
    }

    @Override
    public void onMessage(List<ConsumerRecord<byte[], byte[]>> records) {
        try {
            ingester.ingest(records);
        } catch (RuntimeException e) {
            metrics.batchFailed(e);
            throw e;
        }
    }
}
