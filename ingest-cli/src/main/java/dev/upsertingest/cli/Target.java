package dev.upsertingest.cli;

import dev.upsertingest.ops.DirectOperations;
import dev.upsertingest.ops.HttpOperations;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.OpsDatabase;
import dev.upsertingest.ops.OpsKafka;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Which running system an operation goes to: by default the one {@code bin/ingest local} runs, else the PostgreSQL and
 * Kafka given (straight, as the worker sees them), or an API given with {@code --api-url} (through its admin
 * endpoints, with a key that has the admin permission).
 */
final class Target {

    @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = "${env:INGEST_JDBC_URL:-jdbc:postgresql://localhost:55432/ingest}",
            description = "The database (default: $INGEST_JDBC_URL, else bin/ingest local's: jdbc:postgresql://localhost:55432/ingest).")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER", defaultValue = "${env:INGEST_DB_USER:-postgres}",
            description = "A login with the role ingest_admin, or the owner (default: $INGEST_DB_USER, else postgres).")
    String dbUser;

    @Option(names = "--db-password", paramLabel = "SECRET", defaultValue = "${env:INGEST_DB_PASSWORD:-postgres}",
            description = "Its password (default: $INGEST_DB_PASSWORD, else postgres).")
    String dbPassword;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "${env:INGEST_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "The Kafka brokers (default: $INGEST_BOOTSTRAP_SERVERS, else localhost:9092).")
    String bootstrapServers;

    @Option(names = "--group", paramLabel = "GROUP", defaultValue = "upsert-ingest",
            description = "The worker's consumer group, ingest.consumer.group-id (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--api-url", paramLabel = "URL", defaultValue = "${env:INGEST_API_URL}",
            description = "Go through the API's admin endpoints instead (e.g. http://localhost:8080; default: $INGEST_API_URL).")
    String apiUrl;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:INGEST_API_KEY}",
            description = "With --api-url: a key with the admin permission (default: $INGEST_API_KEY, else the key in .local/api-key).")
    String apiKey;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long one call to the database, the broker or the API may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    Operations open() {
        if (apiUrl != null && !apiUrl.isBlank()) {
            return new HttpOperations(URI.create(apiUrl), key(), timeout.plusSeconds(30));
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl);
        dataSource.setUser(dbUser);
        dataSource.setPassword(dbPassword);
        dataSource.setConnectTimeout((int) Math.max(1, timeout.toSeconds()));
        dataSource.setApplicationName("bin/ingest");
        OpsKafka kafka = new OpsKafka(Map.of("bootstrap.servers", bootstrapServers), group, timeout);
        return new DirectOperations(new OpsDatabase(dataSource, null), kafka, true);
    }

    private String key() {
        if (apiKey != null && !apiKey.isBlank()) {
            return apiKey;
        }
        Path local = Path.of(System.getProperty("ingest.home", ".")).resolve(".local").resolve("api-key");
        try {
            return Files.readString(local).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--api-url needs --api-key (or $INGEST_API_KEY): no key in " + local);
        }
    }

    /** Who asked, as the control schema records it: the operating-system user at this host. */
    static String requestedBy() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        return System.getProperty("user.name", "someone") + "@" + host + " (bin/ingest)";
    }
}
