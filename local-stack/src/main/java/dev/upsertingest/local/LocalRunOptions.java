package dev.upsertingest.local;

import java.nio.file.Path;

/**
 * The options of {@code bin/ingest local}, as {@link LocalCommand} parsed them.
 *
 * @param home          the project checkout (where the worker and API jars are built)
 * @param dataDirectory where PostgreSQL, the broker, the API key, the API clients file and the logs live between runs
 */
public record LocalRunOptions(boolean demo, boolean fresh, Path home, Path dataDirectory, int apiPort,
                              int workerPort, int kafkaPort, int postgresPort, String jdbcUrl, String dbUser,
                              String dbPassword, int demoRate) {

    public LocalRunOptions {
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("--jdbc-url must look like jdbc:postgresql://host:5432/database");
        }
    }
}
