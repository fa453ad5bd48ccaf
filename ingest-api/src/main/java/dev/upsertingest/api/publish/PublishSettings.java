package dev.upsertingest.api.publish;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * Limits and timeouts of {@code POST /api/v1/streams/{stream}/events}. (Each event's own limits are
 * {@code ingest.events.*}, shared with the worker.)
 *
 * @param maxRequestSize   largest request body; larger gets 413
 * @param maxEvents        most events in one request; more gets 413
 * @param ackTimeout       how long to wait for the broker to acknowledge a request's events before answering 503
 * @param maxConcurrent    requests publishing at once; beyond that 503 at once (no request threads pile up waiting
 *                         for a slow broker)
 * @param catalogRefresh   how soon an unknown stream name makes the API reread the stream registry
 */
@Validated
@ConfigurationProperties("ingest.api.publish")
public record PublishSettings(
        @NotNull @DefaultValue("16MB") DataSize maxRequestSize,
        @Min(1) @DefaultValue("10000") int maxEvents,
        @NotNull @DefaultValue("10s") Duration ackTimeout,
        @Min(1) @Max(10_000) @DefaultValue("64") int maxConcurrent,
        @NotNull @DefaultValue("10s") Duration catalogRefresh) {
}
