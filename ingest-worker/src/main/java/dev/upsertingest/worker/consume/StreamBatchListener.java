package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.errors.FailingBatches;
import dev.upsertingest.worker.metrics.IngestMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchMessageListener;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The Kafka-facing end of the worker: hands each polled batch to the {@link BatchIngester} and lets failures propagate
 * to the container's error handler, which retries the batch without committing its offsets. Every attempt goes
 * through the {@link DatabaseCircuit}, which pauses consuming while PostgreSQL is unavailable, and is recorded in
 * {@link FailingBatches}, which reports a batch that keeps failing. Each attempt runs inside {@link BatchTracing}: a
 * span when tracing is on, nothing otherwise.
 */
public class StreamBatchListener implements BatchMessageListener<byte[], byte[]> {

    private static final Logger log = LoggerFactory.getLogger(StreamBatchListener.class);
    /** At the default retry-max-interval of 5 s, about once a minute. */
    private static final int REPORT_EVERY_ATTEMPTS = 12;

    private final BatchIngester ingester;
    private final IngestMetrics metrics;
    private final DatabaseCircuit database;
    private final FailingBatches failing;
    private final BatchTracing tracing;

    public StreamBatchListener(BatchIngester ingester, IngestMetrics metrics, DatabaseCircuit database,
                               FailingBatches failing, BatchTracing tracing) {
        this.ingester = ingester;
        this.metrics = metrics;
        this.database = database;
        this.failing = failing;
        this.tracing = tracing;
    }

    @Override
    public void onMessage(List<ConsumerRecord<byte[], byte[]>> records) {
        tracing.trace(records, () -> attempt(records));
    }

    private void attempt(List<ConsumerRecord<byte[], byte[]>> records) {
        try {
            database.run(() -> ingester.ingest(records));
        } catch (RuntimeException e) {
            metrics.batchFailed(e);
            report(failing.failed(e, partitions(records)), records.size());
            throw e;
        }
        failing.succeeded().ifPresent(batch -> log.info("The batch of {} went through after {} failed attempts in {} s",
                sorted(batch.partitions()), batch.attempts(), failing.failingFor(batch).toSeconds()));
    }

    /**
     * The container's error handler retries quietly (at DEBUG), so the worker says it: when a batch first fails, when
     * it has failed for longer than {@code stuck-after} (readiness goes down), and about once a minute after that.
     */
    private void report(FailingBatches.Attempt attempt, int events) {
        FailingBatches.Failing batch = attempt.batch();
        if (batch.attempts() == 1) {
            log.warn("A batch of {} events from {} failed and is retried until it goes through: {}", events,
                    sorted(batch.partitions()), batch.lastError());
        } else if (attempt.becameStuck()) {
            log.error("A batch of {} events from {} has failed for {} s ({} attempts): its partitions do not move, and "
                            + "readiness is down until it goes through. Last error: {}", events, sorted(batch.partitions()),
                    failing.failingFor(batch).toSeconds(), batch.attempts(), batch.lastError());
        } else if (batch.attempts() % REPORT_EVERY_ATTEMPTS == 0) {
            log.warn("The batch of {} still fails after {} s ({} attempts): {}", sorted(batch.partitions()),
                    failing.failingFor(batch).toSeconds(), batch.attempts(), batch.lastError());
        }
    }

    private static List<String> sorted(Set<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::toString).sorted().toList();
    }

    private static Set<TopicPartition> partitions(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            partitions.add(new TopicPartition(record.topic(), record.partition()));
        }
        return partitions;
    }
}
