package dev.upsertingest.testing;

import java.util.Locale;

/**
 * Which PostgreSQL and Kafka the integration tests run against, from the system property {@code it.infra}.
 */
public enum InfrastructureMode {
    /** Docker if an engine answers, otherwise {@link #EMBEDDED}. The default. */
    AUTO,
    /** Testcontainers; fails when no Docker engine answers, so a CI that has Docker never falls back silently. */
    DOCKER,
    /** An embedded PostgreSQL from Maven Central binaries and an in-JVM KRaft broker: nothing installed needed. */
    EMBEDDED,
    /**
     * Existing servers: {@code it.postgres.url} (a JDBC URL to a database the user may create databases from),
     * {@code it.postgres.user}, {@code it.postgres.password}, and {@code it.kafka.bootstrap-servers}. Either may be
     * left out, and is then embedded.
     */
    LOCAL;

    public static InfrastructureMode fromSystemProperty() {
        String value = System.getProperty("it.infra", "auto").trim();
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dit.infra=" + value + " is not one of auto, docker, embedded, local");
        }
    }
}
