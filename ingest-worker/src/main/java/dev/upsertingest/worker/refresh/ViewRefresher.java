package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.Record2;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Refreshes one view, if it is due and its stream's table changed, in one transaction that holds the view's row in
 * {@code ingest.worker_lock}, so that across all worker replicas a view is refreshed by one of them at a time and never
 * twice in one interval (a replica that finds the row locked skips the view: busy). A never-populated view is populated plainly; after that every refresh is {@code CONCURRENTLY}, which lets
 * readers query the previous contents throughout.
 */
public class ViewRefresher {

    private static final Logger log = LoggerFactory.getLogger(ViewRefresher.class);

    private final DataSource dataSource;
    private final StreamCatalog streams;
    private final RefreshSettings settings;
    private final Clock clock;
    private final AtomicReference<Statement> running = new AtomicReference<>();

    public ViewRefresher(DataSource dataSource, StreamCatalog streams, RefreshSettings settings, Clock clock) {
        this.dataSource = dataSource;
        this.streams = streams;
        this.settings = settings;
        this.clock = clock;
    }

    public RefreshResult refreshIfDue(ViewDefinition view, Duration interval) {
        StreamDefinition stream = streams.byName(view.stream()).orElseThrow(() ->
                new IllegalStateException("view " + view.name() + " is over unknown stream " + view.stream()));
        OffsetDateTime started = OffsetDateTime.now(clock);
        String mode = "concurrent";
        try (Connection connection = dataSource.getConnection()) {
            RefreshStatements sql = new RefreshStatements(DSL.using(connection, SQLDialect.POSTGRES));
            connection.setAutoCommit(true);
            sql.ensureLockRow(view);
            connection.setAutoCommit(false);
            try {
                sql.applyTransactionSettings(settings.statementTimeout(), settings.workMem().toBytes());
                if (!sql.tryLock(view)) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.BUSY);
                }
                // A stream table emptied by a crash, or being refilled from its topic, must not reach the view: readers
                // keep the last complete contents until the rebuild is done. Asked inside this transaction, so a
                // crash cannot slip in between the question and the refresh.
                if (!sql.streamTableIsComplete(stream)) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.PAUSED);
                }
                Record2<OffsetDateTime, Long> state = sql.state(view);
                OffsetDateTime lastStarted = state == null ? null : state.value1();
                started = sql.now(); // the database's clock: replicas' clocks may disagree, the database's is shared
                if (lastStarted != null && lastStarted.plus(interval).isAfter(started)) {
                    connection.rollback();
                    return new RefreshResult(RefreshResult.Outcome.NOT_DUE, Duration.ZERO, -1, lastStarted.plus(interval), null);
                }
                Boolean populated = sql.isPopulated(view);
                if (populated == null) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.MISSING);
                }
                long counter = sql.changeCounter(stream);
                Long seen = state == null ? null : state.value2();
                // A counter below what we saw means the statistics were reset (crash, pg_stat_reset): assume changed.
                if (populated && seen != null && counter == seen) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.UNCHANGED);
                }
                mode = populated ? "concurrent" : "populate";
                long t0 = System.nanoTime();
                try (Statement refresh = connection.createStatement()) {
                    running.set(refresh);
                    refresh.execute(sql.refresh(view, populated));
                } finally {
                    running.set(null);
                }
                Record2<Integer, OffsetDateTime> contents = sql.contents(view);
                Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
                sql.recordSuccess(view, started, counter, contents.value1(), contents.value2());
                sql.recordHistory(view, started, started.plus(elapsed), elapsed.toMillis(), mode, "ok",
                        contents.value1().longValue(), null, settings.instanceId());
                connection.commit();
                log.debug("Refreshed view {} ({}) in {} ms: {} rows", view.name(), mode, elapsed.toMillis(), contents.value1());
                return new RefreshResult(populated ? RefreshResult.Outcome.REFRESHED : RefreshResult.Outcome.POPULATED,
                        elapsed, contents.value1(), null, null);
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.warn("Refreshing view {} failed: {}", view.name(), error);
            recordFailure(view, started, mode, error);
            return new RefreshResult(RefreshResult.Outcome.FAILED, Duration.ZERO, -1, null, error);
        }
    }

    /** Cancels a refresh in flight (on shutdown); it is redone at the next interval. */
    public void cancelRunning() {
        Statement statement = running.get();
        if (statement != null) {
            try {
                statement.cancel();
            } catch (SQLException e) {
                log.debug("Could not cancel the running refresh: {}", e.getMessage());
            }
        }
    }

    public int pruneHistory() {
        try (Connection connection = dataSource.getConnection()) {
            return new RefreshStatements(DSL.using(connection, SQLDialect.POSTGRES))
                    .pruneHistory(OffsetDateTime.now(clock).minus(settings.historyRetention()));
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not prune the refresh history: {}", e.getMessage());
            return 0;
        }
    }

    /** The failed attempt is recorded in a transaction of its own, since the refresh's own was rolled back. */
    private void recordFailure(ViewDefinition view, OffsetDateTime started, String mode, String error) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            RefreshStatements sql = new RefreshStatements(DSL.using(connection, SQLDialect.POSTGRES));
            sql.recordFailure(view, started, error);
            OffsetDateTime finished = OffsetDateTime.now(clock);
            sql.recordHistory(view, started, finished, Duration.between(started, finished).toMillis(), mode, "failed",
                    null, error, settings.instanceId());
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not record the failed refresh of {}: {}", view.name(), e.getMessage());
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
