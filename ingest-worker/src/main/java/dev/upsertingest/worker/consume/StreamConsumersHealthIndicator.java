package dev.upsertingest.worker.consume;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Up when the stream consumers run (or there is nothing to consume); part of the readiness group. */
public class StreamConsumersHealthIndicator implements HealthIndicator {

    private final StreamConsumers consumers;

    public StreamConsumersHealthIndicator(StreamConsumers consumers) {
        this.consumers = consumers;
    }

    @Override
    public Health health() {
        if (!consumers.hasStreams()) {
            return Health.up().withDetail("streams", 0).build();
        }
        if (!consumers.isRunning()) {
            return Health.down().withDetail("reason", "stream consumers are not running").build();
        }
        return Health.up().withDetail("assignedPartitions", consumers.assignedPartitions().size()).build();
    }
}
