package dev.upsertingest.api.query;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;

/**
 * How view queries run.
 *
 * @param role             the role every query runs as ({@code SET LOCAL ROLE}); the API's login must be a member
 * @param statementTimeout the longest a query may run; a longer one is cancelled and answered with 503
 * @param defaultPageSize  rows per page when the request does not say
 * @param maxPageSize      the most rows a page may have
 * @param catalogRefresh   how often the list of views and their columns is reread (views change by migration)
 */
@Validated
@ConfigurationProperties("ingest.api.query")
public record QuerySettings(
        @NotNull @Pattern(regexp = "[a-z_][a-z0-9_]{0,62}") @DefaultValue("ingest_analyst") String role,
        @NotNull @DefaultValue("5s") Duration statementTimeout,
        @Min(1) @DefaultValue("100") int defaultPageSize,
        @Min(1) @Max(10_000) @DefaultValue("1000") int maxPageSize,
        @NotNull @DefaultValue("30s") Duration catalogRefresh) {

    public QuerySettings {
        if (defaultPageSize > maxPageSize) {
            throw new IllegalArgumentException("ingest.api.query.default-page-size must not exceed max-page-size");
        }
    }
}
