package dev.upsertingest.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A PostgreSQL server the tests may create databases on; each test context gets a fresh database. */
public final class PostgresServer implements AutoCloseable {

    /** Settings for a throwaway test server: durability off, because nothing here must survive a crash. */
    private static final Map<String, String> TEST_SERVER_SETTINGS = Map.of(
            "fsync", "off",
            "full_page_writes", "off",
            "synchronous_commit", "off",
            "max_connections", "200");

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final String description;
    private final String host;
    private final int port;
    private final String adminDatabase;
    private final String user;
    private final String password;
    private final AutoCloseable resource;

    private PostgresServer(String description, String host, int port, String adminDatabase, String user,
                           String password, AutoCloseable resource) {
        this.description = description;
        this.host = host;
        this.port = port;
        this.adminDatabase = adminDatabase;
        this.user = user;
        this.password = password;
        this.resource = resource;
    }

    static PostgresServer embedded() {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            TEST_SERVER_SETTINGS.forEach(builder::setServerConfig);
            EmbeddedPostgres postgres = builder.start();
            return new PostgresServer("embedded PostgreSQL (Maven Central binaries)", "localhost", postgres.getPort(),
                    "postgres", "postgres", "postgres", postgres);
        } catch (IOException e) {
            throw new IllegalStateException("""
                    The embedded PostgreSQL did not start: %s
                    As root it needs user namespaces (unshare -U); inside a container run the tests as a non-root user,
                    or point them at an existing server: -Dit.infra=local -Dit.postgres.url=jdbc:postgresql://host:5432/postgres"""
                    .formatted(e.getMessage()), e);
        }
    }

    @SuppressWarnings("resource")
    static PostgresServer docker() {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine")
                .withCommand("postgres", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=200");
        container.start();
        return new PostgresServer("PostgreSQL container " + container.getDockerImageName(), container.getHost(),
                container.getFirstMappedPort(), container.getDatabaseName(), container.getUsername(),
                container.getPassword(), container::stop);
    }

    static PostgresServer existing(String jdbcUrl, String user, String password) {
        java.net.URI uri = java.net.URI.create(jdbcUrl.substring("jdbc:".length()));
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        return new PostgresServer("existing PostgreSQL " + jdbcUrl, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(),
                database, user, password, () -> {
        });
    }

    public String description() {
        return description + " on " + host + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** Creates a new, empty database with a unique name. */
    public TestDatabase createDatabase(String purpose) {
        String name = ("it_" + purpose.replaceAll("[^A-Za-z0-9]", "_") + "_" + DATABASES.incrementAndGet() + "_"
                + Long.toString(System.nanoTime() % 1_000_000, 36)).toLowerCase();
        if (name.length() > 63) {
            name = name.substring(name.length() - 63);
        }
        try (Connection admin = DriverManager.getConnection(jdbcUrl(adminDatabase), user, password);
             Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name + " on " + description(), e);
        }
        return new TestDatabase(this, name);
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }
}
