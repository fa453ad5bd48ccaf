package dev.upsertingest.worker.consume;

import dev.upsertingest.worker.errors.FailingBatches;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.List;
import java.util.Optional;

/**
 * Up when the stream consumers run, the database circuit is closed and no batch has been failing for longer than
 * {@code ingest.errors.stuck-after} (or there is nothing to consume); part of the readiness group, so a worker that
 * cannot write, or whose partitions stand still behind a batch it cannot finish, says so.
 */
public class StreamConsumersHealthIndicator implements HealthIndicator {

    private final StreamConsumers consumers;
    private final DatabaseCircuit database;
    private final FailingBatches failing;

    public StreamConsumersHealthIndicator(StreamConsumers consumers, DatabaseCircuit database, FailingBatches failing) {
        this.consumers = consumers;
        this.database = database;
        this.failing = failing;
    }

    @Override
    public Health health() {
        if (!consumers.hasStreams()) {
            return Health.up().withDetail("streams", 0).build();
        }
        if (!database.isClosed()) {
            return Health.down().withDetail("reason", "PostgreSQL unavailable: consuming paused")
                    .withDetail("databaseCircuit", database.state()).build();
        }
        if (consumers.isPausedFor(ConsumerControl.PauseReason.REBUILD)) {
            return Health.down().withDetail("reason", "consumers stopped while a rebuild rewinds the consumer group").build();
        }
        if (!consumers.isConsuming()) {
            return Health.down().withDetail("reason", "stream consumers are not running").build();
        }
        Optional<FailingBatches.Failing> stuck = failing.stuck();
        if (stuck.isPresent()) {
            FailingBatches.Failing batch = stuck.get();
            long seconds = failing.failingFor(batch).toSeconds();
            List<String> partitions = batch.partitions().stream().map(TopicPartition::toString).sorted().toList();
            return Health.down()
                    .withDetail("reason", "a batch has been failing for " + seconds + " s (" + batch.attempts()
                            + " attempts), so partitions " + partitions + " do not move: " + batch.lastError())
                    .withDetail("failingSeconds", seconds)
                    .withDetail("attempts", batch.attempts())
                    .withDetail("partitions", partitions)
                    .withDetail("lastError", batch.lastError())
                    .withDetail("stuckAfter", failing.stuckAfter().toString())
                    .build();
        }
        return Health.up().withDetail("assignedPartitions", consumers.assignedPartitions().size()).build();
    }
}
