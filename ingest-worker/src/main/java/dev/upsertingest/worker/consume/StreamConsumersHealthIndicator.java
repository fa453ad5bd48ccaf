package dev.upsertingest.worker.consume;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Up when the stream consumers run and the database circuit is closed (or there is nothing to consume); part of the
 * readiness group, so a worker that cannot write says so.
 */
public class StreamConsumersHealthIndicator implements HealthIndicator {

    private final StreamConsumers consumers;
    private final DatabaseCircuit database;

    public StreamConsumersHealthIndicator(StreamConsumers consumers, DatabaseCircuit database) {
        this.consumers = consumers;
        this.database = database;
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
        if (consumers.isHeld()) {
            return Health.down().withDetail("reason", "consumers stopped while a rebuild rewinds the consumer group").build();
        }
        if (!consumers.isConsuming()) {
            return Health.down().withDetail("reason", "stream consumers are not running").build();
        }
        return Health.up().withDetail("assignedPartitions", consumers.assignedPartitions().size()).build();
    }
}
