package dev.upsertingest.api.admin;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * The admin endpoints ({@code /api/v1/admin/...}, for clients with the {@code admin} permission).
 *
 * @param workerGroupId the worker's consumer group ({@code ingest.consumer.group-id} of the worker), whose lag and
 *                      rebuild progress they report
 * @param role          the database role their transactions take ({@code SET LOCAL ROLE}); the API's login is a member
 *                      of it (V8__operations.sql)
 * @param kafkaTimeout  how long one call to the brokers may take
 */
@Validated
@ConfigurationProperties("ingest.api.admin")
public record AdminSettings(
        @NotBlank @DefaultValue("upsert-ingest") String workerGroupId,
        @NotBlank @DefaultValue("ingest_admin") String role,
        @NotNull @DefaultValue("30s") Duration kafkaTimeout) {
}
