package dev.upsertingest.loadtest.infra;

import com.zaxxer.hikari.HikariConfig;
import dev.upsertingest.core.stream.StreamCatalogRepository;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.local.PostgresServerProcess;
import dev.upsertingest.local.PostgresTuning;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import com.zaxxer.hikari.HikariDataSource;
import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.workload.OrderView;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The PostgreSQL a benchmark writes to: the server given by {@code --jdbc-url} (with {@code --db-user},
 * {@code --db-password}), or an embedded one (Maven Central binaries) started with {@link PostgresTuning}.
 */
public final class BenchDatabase implements AutoCloseable {

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String description;
    private final AutoCloseable server;

    private BenchDatabase(String jdbcUrl, String user, String password, String description, AutoCloseable server) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.description = description;
        this.server = server;
    }

    public static BenchDatabase open(Options options, Progress progress) {
        return open(options, progress, PostgresTuning.settings());
    }

    /** As {@link #open(Options, Progress)}, an embedded server started with {@code settings} instead of the tuned ones. */
    public static BenchDatabase open(Options options, Progress progress, Map<String, String> settings) {
        String url = options.string("jdbc-url", null);
        String user = options.string("db-user", "postgres");
        String password = options.string("db-password", "postgres");
        BenchDatabase database;
        if (url != null) {
            database = new BenchDatabase(url, user, password, "PostgreSQL at " + url, () -> {
            });
        } else {
            progress.say("starting an embedded PostgreSQL with %s (no --jdbc-url given)", settings.equals(PostgresTuning.settings())
                    ? "the tuned settings" : "the settings the scenario chose");
            try {
                EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
                settings.forEach(builder::setServerConfig);
                EmbeddedPostgres postgres = builder.start();
                database = new BenchDatabase(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "postgres",
                        "embedded PostgreSQL on port " + postgres.getPort(), postgres);
            } catch (IOException e) {
                throw new IllegalStateException("the embedded PostgreSQL did not start (" + e.getMessage()
                        + "); give an existing server with --jdbc-url=jdbc:postgresql://host:5432/db", e);
            }
        }
        return database.migrated(progress);
    }

    /**
     * The database of a {@link PostgresServerProcess} the benchmark started (and may stop, crash and start again);
     * closing it stops the server.
     */
    public static BenchDatabase onServer(PostgresServerProcess server, Progress progress) {
        return new BenchDatabase(server.jdbcUrl("postgres"), PostgresServerProcess.USER, PostgresServerProcess.PASSWORD,
                "PostgreSQL server process on port " + server.port() + ", data in " + server.dataDirectory(), server)
                .migrated(progress);
    }

    private BenchDatabase migrated(Progress progress) {
        Flyway.configure().dataSource(jdbcUrl, user, password).locations("classpath:db/migration").load().migrate();
        progress.say("PostgreSQL %s: %s", serverVersion(), description);
        return this;
    }

    /**
     * Declares a stream keyed by {@code order_id} (dropping an earlier one of the same name and its views) whose
     * topic is named like the stream, and returns it as the worker sees it.
     */
    public StreamDefinition declareStream(String name, String durability) {
        dropStream(name);
        queryString("select ingest.declare_stream(?, ?, ?::jsonb, durability => ?)", name, name,
                "[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]", durability);
        return stream(name);
    }

    public StreamDefinition stream(String name) {
        try (HikariDataSource catalogPool = pool("catalog", 1)) {
            return new StreamCatalogRepository(DSL.using(catalogPool, SQLDialect.POSTGRES)).load().byName(name).orElseThrow();
        }
    }

    public void dropStream(String name) {
        queryString("select count(ingest.drop_stream(name)) from ingest.stream where name = ?", name);
    }

    /**
     * Declares the benchmarks' 8-index {@link OrderView} as {@code view} over {@code stream} and fills it, in
     * {@code refreshMode} ({@code incremental} or {@code full}).
     */
    public void declareOrderView(String view, String stream, String refreshInterval, String refreshMode) {
        try (Connection c = connection()) {
            OrderView.declare(c, view, stream, refreshInterval, refreshMode);
        } catch (SQLException e) {
            throw new IllegalStateException("declaring view " + view + ": " + e.getMessage(), e);
        }
    }

    /** Rows in a stream's table. */
    public long rows(String stream) {
        return Long.parseLong(queryString("select count(*) from streams." + DSL.using(SQLDialect.POSTGRES).render(DSL.name(stream))));
    }

    /** A checkpoint now, so one started by an earlier measurement does not land in the next (needs superuser). */
    public void tryCheckpoint() {
        try {
            execute("checkpoint");
        } catch (IllegalStateException notSuperuser) {
            // without the privilege, measurements may share checkpoint cost; rounds and rotation still spread it
        }
    }

    public String description() {
        return description;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public HikariDataSource pool(String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setAutoCommit(false);
        config.setDataSourceProperties(new java.util.Properties());
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }

    /** A plain connection (autocommit on) for a session of statements. */
    public Connection connection() throws SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl, user, password);
    }

    /** Empties a stream's table; the name is quoted, so any declared stream name works. */
    public void truncateStream(String table) {
        execute("truncate " + quoted("streams", table));
    }

    /** An identifier (schema-qualified when given two parts), quoted for PostgreSQL: how the benchmarks name tables. */
    public static String quoted(String... parts) {
        return DSL.using(SQLDialect.POSTGRES).render(DSL.name(parts));
    }

    public void execute(String sql) {
        try (Connection c = java.sql.DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query, with {@code parameters} bound in order. */
    public String queryString(String sql, Object... parameters) {
        try (Connection c = java.sql.DriverManager.getConnection(jdbcUrl, user, password);
             java.sql.PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public String serverVersion() {
        return queryString("show server_version");
    }

    /** Runs {@code statement} in {@code session}; returns how long it took, in seconds. */
    public static double secondsToRun(Statement session, String statement) throws SQLException {
        long start = System.nanoTime();
        session.execute(statement);
        return (System.nanoTime() - start) / 1e9;
    }

    /** What a result records about the database it measured: version, where it runs, its effective tuned settings. */
    public Map<String, Object> facts() {
        return Map.of("version", serverVersion(), "where", description, "settings", settings());
    }

    public Map<String, String> settings() {
        Map<String, String> effective = new java.util.LinkedHashMap<>();
        for (String name : PostgresTuning.settings().keySet()) {
            // missing_ok: a server older than a setting (client_connection_check_interval is PostgreSQL 14+) has none.
            effective.put(name, queryString("select coalesce(current_setting(?, true), '(not supported)')", name));
        }
        return effective;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
