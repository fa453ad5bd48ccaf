package dev.upsertingest.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An embedded PostgreSQL (Maven Central binaries) whose data lives in a directory of our choosing and survives a stop,
 * on a fixed port, so it can be stopped, crashed and started again the way a real server is: the local run keeps its
 * data between runs, and the failure tests stop it for an outage or crash it ({@code pg_ctl stop -m immediate} is a
 * SIGQUIT to the postmaster, which is what {@link #crash()} sends) to see unlogged tables reset by crash recovery.
 */
public final class PostgresServerProcess implements AutoCloseable {

    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final Path dataDirectory;
    private final int port;
    private final Map<String, String> settings;
    private final Path log;
    private EmbeddedPostgres running;

    private PostgresServerProcess(Path dataDirectory, int port, Map<String, String> settings, Path log) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.settings = settings;
        this.log = log;
    }

    /**
     * Starts a server on {@code dataDirectory} (created by initdb on first use, reused afterwards) and {@code port}
     * (0 picks a free one) with {@code settings} as server configuration.
     */
    public static PostgresServerProcess start(Path dataDirectory, int port, Map<String, String> settings) {
        Path absolute = dataDirectory.toAbsolutePath();
        return start(absolute, port, settings, absolute.resolveSibling(absolute.getFileName() + ".log"));
    }

    /** As {@link #start(Path, int, Map)}, with the server's own output (startup, errors) appended to {@code log}. */
    public static PostgresServerProcess start(Path dataDirectory, int port, Map<String, String> settings, Path log) {
        Map<String, String> all = new java.util.LinkedHashMap<>(settings);
        // TCP only: no socket file in /tmp, where another server's (or a crashed one's) lock file for the same port
        // would stop this one from starting. Every client here connects over TCP.
        all.putIfAbsent("unix_socket_directories", "");
        PostgresServerProcess server = new PostgresServerProcess(dataDirectory.toAbsolutePath(),
                port == 0 ? KafkaServerProcess.freePort() : port, Map.copyOf(all), log.toAbsolutePath());
        server.start();
        return server;
    }

    public synchronized void start() {
        if (running != null) {
            return;
        }
        try {
            Files.createDirectories(dataDirectory);
            Files.createDirectories(log.getParent());
            // A crashed server leaves its pid file; the postmaster checks whether that process still lives.
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
            settings.forEach(builder::setServerConfig);
            running = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("""
                    The embedded PostgreSQL did not start on port %d with data in %s: %s (its log: %s)
                    As root it needs user namespaces (unshare -U); otherwise point at an existing server."""
                    .formatted(port, dataDirectory, e.getMessage(), log), e);
        }
    }

    /** A clean shutdown ({@code pg_ctl stop -m fast}): sessions are ended, the data is checkpointed. */
    public synchronized void stop() {
        if (running != null) {
            try {
                running.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                running = null;
            }
        }
    }

    /**
     * An immediate shutdown ({@code pg_ctl stop -m immediate}): the postmaster gets SIGQUIT and every backend quits at
     * once without a checkpoint, so the next start runs crash recovery, which empties every unlogged table.
     */
    public synchronized void crash() {
        if (running == null) {
            return;
        }
        long pid = postmasterPid();
        try {
            Process kill = new ProcessBuilder(List.of("kill", "-QUIT", Long.toString(pid))).inheritIO().start();
            kill.waitFor(10, TimeUnit.SECONDS);
            ProcessHandle.of(pid).ifPresent(handle -> handle.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        // The instance object still believes it runs; closing it finds no server, which is what we want.
        EmbeddedPostgres crashed = running;
        running = null;
        try {
            crashed.close();
        } catch (IOException | RuntimeException ignored) {
            // pg_ctl stop of a server that is already gone
        }
    }

    public boolean isRunning() {
        return running != null;
    }

    private long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).getFirst().trim());
        } catch (IOException e) {
            throw new UncheckedIOException("no postmaster.pid in " + dataDirectory, e);
        }
    }

    public int port() {
        return port;
    }

    /** The server's own output: startup, warnings, errors. */
    public Path log() {
        return log;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    /** Creates {@code database} unless it exists. */
    public void ensureDatabase(String database) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD);
             var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    // The name is ours (a constant of the caller), quoted as an identifier.
                    create.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database + " on port " + port, e);
        }
    }

    /** Waits until the server accepts connections (after {@link #start()} it does; useful after an outside restart). */
    public void awaitAcceptingConnections(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            try (Connection ignored = DriverManager.getConnection(jdbcUrl("postgres"), USER, PASSWORD)) {
                return;
            } catch (SQLException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PostgreSQL on port " + port + " does not accept connections", e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
