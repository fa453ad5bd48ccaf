package dev.upsertingest.worker.recovery;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Detecting unlogged stream tables emptied by PostgreSQL crash recovery, and rebuilding them from their topics.
 *
 * @param checkInterval how often the worker looks for emptied tables and follows running rebuilds; the check is one
 *                      small query, and it also runs at start and each time the database is back after an outage
 * @param adminTimeout  how long a call to the Kafka admin API (offsets, consumer group) may take
 */
@Validated
@ConfigurationProperties("ingest.recovery")
public record RecoverySettings(
        @NotNull @DefaultValue("2s") Duration checkInterval,
        @NotNull @DefaultValue("30s") Duration adminTimeout) {
}
