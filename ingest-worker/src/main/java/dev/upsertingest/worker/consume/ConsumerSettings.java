package dev.upsertingest.worker.consume;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How the worker consumes the stream topics. Connection settings (bootstrap servers, security) stay under
 * {@code spring.kafka.*}; what happens to a batch that fails is {@code ingest.errors.*}
 * ({@link dev.upsertingest.worker.errors.ErrorSettings}).
 *
 * @param groupId               consumer group shared by all worker replicas
 * @param concurrency           consumer threads per worker, each polling, writing and committing its own partitions'
 *                              batches in turn. More than the total partition count leaves threads idle.
 * @param writers               batch transactions that run at once (writer slots, at most {@code concurrency} are
 *                              used): with more consumer threads than writers, threads poll and scan their next
 *                              batch while others write, so PostgreSQL always has this many transactions to work on
 *                              and the worker never holds more connections than this for batches
 * @param maxPollRecords        {@code max.poll.records}: the largest batch one transaction writes
 * @param fetchMinSize          {@code fetch.min.bytes}: how much the broker waits to accumulate before answering a fetch
 * @param fetchMaxWait          {@code fetch.max.wait.ms}: the longest the broker waits for {@code fetchMinSize}; bounds
 *                              the latency a quiet topic adds
 * @param maxPartitionFetchSize {@code max.partition.fetch.bytes}: per partition per fetch; must exceed the largest event
 * @param fetchMaxSize          {@code fetch.max.bytes}: per fetch, all partitions together
 * @param shutdownTimeout       on shutdown, how long the in-flight batch may take to finish and commit its offsets
 * @param lagInterval           how often the worker measures the group's committed lag per stream
 *                              ({@code ingest.consumer.lag}): one admin round trip per interval
 */
@Validated
@ConfigurationProperties("ingest.consumer")
public record ConsumerSettings(
        @NotBlank @DefaultValue("upsert-ingest") String groupId,
        @Min(1) @Max(256) @DefaultValue("2") int concurrency,
        @Min(1) @Max(256) @DefaultValue("2") int writers,
        @Min(1) @Max(100_000) @DefaultValue("2000") int maxPollRecords,
        @NotNull @DefaultValue("1B") DataSize fetchMinSize,
        @NotNull @DefaultValue("100ms") Duration fetchMaxWait,
        @NotNull @DefaultValue("4MB") DataSize maxPartitionFetchSize,
        @NotNull @DefaultValue("64MB") DataSize fetchMaxSize,
        @NotNull @DefaultValue("30s") Duration shutdownTimeout,
        @NotNull @DefaultValue("15s") Duration lagInterval) {

    public ConsumerSettings {
        if (fetchMaxWait != null && fetchMaxWait.toMillis() > 1000) {
            // A batch must reach the table within a second of being produced.
            throw new IllegalArgumentException("ingest.consumer.fetch-max-wait must be at most 1s");
        }
        if (lagInterval != null && lagInterval.toMillis() < 1000) {
            throw new IllegalArgumentException("ingest.consumer.lag-interval must be at least 1s");
        }
    }

    /** Writer slots in use: {@code writers}, but never more than there are consumer threads to fill them. */
    public int effectiveWriters() {
        return Math.min(writers, concurrency);
    }
}
