package dev.upsertingest.worker.consume;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Topics the worker creates at startup when they are missing. It never changes a topic that exists (adding partitions
 * would move keys between partitions and break per-key ordering).
 *
 * @param createMissing         create missing stream and dead-letter topics
 * @param partitions            partitions of a created stream topic (the most consumer threads that can share it)
 * @param replicationFactor     replication factor of created topics; 0 takes the broker's default
 * @param cleanupPolicy         {@code cleanup.policy} of created stream topics. {@code compact} (default) keeps the
 *                              last event per key forever, so an unlogged table emptied by a crash can be rebuilt by
 *                              replaying the topic; it requires every record to carry the row's key as record key.
 * @param deadLetterPartitions  partitions of a created dead-letter topic
 * @param deadLetterRetention   how long dead letters are kept
 * @param adminTimeout          how long to wait for the broker when checking and creating topics
 */
@Validated
@ConfigurationProperties("ingest.topics")
public record TopicSettings(
        @DefaultValue("true") boolean createMissing,
        @Min(1) @DefaultValue("6") int partitions,
        @Min(0) @DefaultValue("0") short replicationFactor,
        @NotNull @Pattern(regexp = "compact|delete|compact,delete") @DefaultValue("compact") String cleanupPolicy,
        @Min(1) @DefaultValue("1") int deadLetterPartitions,
        @NotNull @DefaultValue("14d") Duration deadLetterRetention,
        @NotNull @DefaultValue("30s") Duration adminTimeout) {
}
