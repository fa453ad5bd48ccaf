package dev.upsertingest.worker.refresh;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewCatalogRepository;
import dev.upsertingest.core.view.ViewDefinition;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Refreshes one view, if it is due, in one transaction that holds the view's row in {@code ingest.worker_lock}, so
 * that across all worker replicas a view is refreshed by one of them at a time and never twice in one interval (a
 * replica that finds the row locked skips the view: busy). The view's definition is read again under that lock, so a
 * migration that replaced it (and took the same lock first) is always seen whole. Then, by its refresh mode:
 * <ul>
 *   <li><b>full</b>: when its stream's table changed, a never-populated view is populated plainly, and after that
 *       every refresh is {@code CONCURRENTLY}, which lets readers query the previous contents throughout;</li>
 *   <li><b>incremental</b>: in a REPEATABLE READ transaction, the changes the view's last snapshot did not see are
 *       applied ({@link IncrementalStatements#delta()}) and this transaction's snapshot is recorded for the next time;
 *       a view never filled, truncated or whose stream table was rebuilt is reconciled whole instead. Readers see the
 *       view before or after a delta, never half of one.</li>
 * </ul>
 * Thread-safe: the scheduler refreshes different views on different threads.
 */
public class ViewRefresher {

    private static final Logger log = LoggerFactory.getLogger(ViewRefresher.class);
    private static final Duration PRUNE_CHANGES_EVERY = Duration.ofSeconds(10);

    private final DataSource dataSource;
    private final StreamCatalog streams;
    private final RefreshSettings settings;
    private final String instanceId;
    private final Clock clock;
    private final Map<String, Statement> running = new ConcurrentHashMap<>();
    private final Map<ViewDefinition, IncrementalStatements> incrementalStatements = new ConcurrentHashMap<>();
    private final Map<String, Instant> changesPruned = new ConcurrentHashMap<>();

    public ViewRefresher(DataSource dataSource, StreamCatalog streams, RefreshSettings settings, String instanceId,
                         Clock clock) {
        this.instanceId = instanceId;
        this.dataSource = dataSource;
        this.streams = streams;
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * @param known    the view as the scheduler knows it (its definition is read again under the lock)
     * @param interval the refresh interval of a definition (declared, or overridden in the settings)
     */
    public RefreshResult refreshIfDue(ViewDefinition known, Function<ViewDefinition, Duration> interval) {
        RefreshResult result = refresh(known, interval);
        if (known.incremental() && result.outcome() == RefreshResult.Outcome.REFRESHED
                || result.outcome() == RefreshResult.Outcome.RECONCILED) {
            streams.byName(known.stream()).ifPresent(this::pruneChanges); // on a connection of its own
        }
        return result;
    }

    private RefreshResult refresh(ViewDefinition known, Function<ViewDefinition, Duration> interval) {
        ViewDefinition[] changedMode = {null};
        RefreshResult result = attempt(known, interval, changedMode);
        // The view was replaced with the other refresh mode since the scheduler read it: once more, in that mode's
        // isolation (a third change within one look waits for the next).
        return changedMode[0] == null ? result : attempt(changedMode[0], interval, new ViewDefinition[1]);
    }

    private RefreshResult attempt(ViewDefinition known, Function<ViewDefinition, Duration> interval,
                                  ViewDefinition[] changedMode) {
        OffsetDateTime started = OffsetDateTime.now(clock);
        String mode = known.incremental() ? "incremental" : "concurrent";
        ViewDefinition view = known;
        try (Connection connection = dataSource.getConnection()) {
            DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
            RefreshStatements sql = new RefreshStatements(dsl);
            connection.setAutoCommit(true);
            sql.ensureLockRow(known);
            connection.setAutoCommit(false);
            // An incremental refresh reads the changes, the stream table and its own snapshot in one snapshot. The lock
            // is the transaction's first statement, so that snapshot is taken with the lock held. A full refresh must
            // not: it reads the table's change counter (statistics, outside any snapshot) before REFRESH takes a
            // newer snapshot of its own; under one older snapshot it could count a change it then does not show.
            connection.setTransactionIsolation(known.incremental()
                    ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_READ_COMMITTED);
            try {
                if (!sql.tryLock(known)) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.BUSY);
                }
                RefreshStatements.ViewState state = sql.state(known);
                if (state == null) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.MISSING);
                }
                Optional<ViewDefinition> current = new ViewCatalogRepository(dsl).load(known.name());
                if (current.isEmpty()) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.MISSING);
                }
                view = current.get();
                if (view.incremental() != known.incremental()) {
                    connection.rollback();
                    changedMode[0] = view;
                    return RefreshResult.of(RefreshResult.Outcome.BUSY);
                }
                mode = view.incremental() ? "incremental" : "concurrent";
                StreamDefinition stream = streams.byName(view.stream()).orElseThrow(() ->
                        new IllegalStateException("view " + known.name() + " is over unknown stream " + known.stream()));
                sql.applyTransactionSettings(settings.statementTimeout(), settings.workMem().toBytes(), view.incremental());
                // A stream table emptied by a crash, or being refilled from its topic, must not reach the view: readers
                // keep the last complete contents until the rebuild is done. Asked inside this transaction, so a
                // crash cannot slip in between the question and the refresh.
                if (!sql.streamTableIsComplete(stream)) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.PAUSED);
                }
                started = sql.now();
                Duration every = interval.apply(view);
                if (!state.requested() && state.lastStarted() != null && state.lastStarted().plus(every).isAfter(started)) {
                    connection.rollback();
                    return new RefreshResult(RefreshResult.Outcome.NOT_DUE, null, Duration.ZERO, -1, -1,
                            state.lastStarted().plus(every), null);
                }
                Boolean populated = sql.isPopulated(view);
                if (populated == null) {
                    connection.rollback();
                    return RefreshResult.of(RefreshResult.Outcome.MISSING);
                }
                RefreshResult result = view.incremental()
                        ? incremental(connection, sql, view, stream, state, started)
                        : full(connection, sql, view, stream, state, started, populated);
                mode = result.mode() == null ? mode : result.mode();
                connection.commit();
                if (result.outcome() != RefreshResult.Outcome.UNCHANGED) {
                    log.debug("Refreshed view {} ({}) in {} ms: {} rows", view.name(), result.mode(),
                            result.elapsed().toMillis(), result.rows());
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            if (isSerializationFailure(e)) {
                // Another replica's refresh or a migration changed the view's state as this transaction began: it is
                // theirs this time.
                return RefreshResult.of(RefreshResult.Outcome.BUSY);
            }
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.warn("Refreshing view {} failed: {}", view.name(), error);
            recordFailure(view, started, mode, error);
            return new RefreshResult(RefreshResult.Outcome.FAILED, mode, Duration.ZERO, -1, -1, null, error);
        }
    }

    /** REFRESH MATERIALIZED VIEW [CONCURRENTLY], when the stream table's change counter moved. */
    private RefreshResult full(Connection connection, RefreshStatements sql, ViewDefinition view, StreamDefinition stream,
                               RefreshStatements.ViewState state, OffsetDateTime started, boolean populated) throws SQLException {
        // READ COMMITTED: the counter is read before REFRESH takes its snapshot, so whatever it counted is shown.
        long counter = sql.changeCounter(stream);
        Long seen = state.changeCounter();
        // A counter below what we saw means the statistics were reset (crash, pg_stat_reset): assume changed. A refresh
        // asked for by hand runs anyway: the statistics reach the counter up to a second late, and whoever asked wants
        // the view recomputed now.
        if (populated && seen != null && counter == seen && !state.requested()) {
            connection.rollback();
            return RefreshResult.of(RefreshResult.Outcome.UNCHANGED);
        }
        String mode = populated ? "concurrent" : "populate";
        long t0 = System.nanoTime();
        execute(connection, view, sql.refresh(view, populated));
        RefreshStatements.Contents contents = sql.contents(view);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        sql.recordSuccess(view, started, counter, contents.rows(), contents.newest());
        sql.recordHistory(view, started, started.plus(elapsed), elapsed.toMillis(), mode, "ok", contents.rows(), null,
                instanceId);
        return RefreshResult.ran(populated ? RefreshResult.Outcome.REFRESHED : RefreshResult.Outcome.POPULATED, mode,
                elapsed, contents.rows(), -1);
    }

    /** Applies the changes since the view's snapshot, or reconciles the whole view when that snapshot cannot say. */
    private RefreshResult incremental(Connection connection, RefreshStatements sql, ViewDefinition view, StreamDefinition stream,
                                      RefreshStatements.ViewState state, OffsetDateTime started) throws SQLException {
        IncrementalStatements statements = incrementalStatements.computeIfAbsent(view, v -> new IncrementalStatements(v, stream));
        long rebuild = sql.latestRebuild(stream);
        boolean reconcile = state.snapshot() == null || rebuild > (state.rebuildSeen() == null ? 0 : state.rebuildSeen())
                || sql.truncatedSince(stream, state.snapshot());
        long t0 = System.nanoTime();
        long rows;
        long changed;
        if (reconcile) {
            long[] counts = counts(connection, view, statements.reconcile(), null, 3);
            RefreshStatements.Contents contents = sql.contents(view);
            rows = contents.rows();
            changed = counts[0] + counts[2];
            sql.recordIncremental(view, started, rows, contents.newest(), rebuild);
            log.info("Reconciled view {} with its stream table ({}): {} rows deleted, {} inserted, {} updated", view.name(),
                    state.snapshot() == null ? "first fill" : "after a rebuild or a truncate", counts[0], counts[1],
                    counts[2] - counts[1]);
        } else {
            long[] counts = counts(connection, view, statements.delta(), state.snapshot(), 4);
            changed = counts[0];
            if (changed == 0) {
                sql.recordUnchanged(view, started);
                return RefreshResult.of(RefreshResult.Outcome.UNCHANGED);
            }
            rows = state.rows() == null ? sql.contents(view).rows() : state.rows() + counts[2] - counts[1];
            sql.recordIncremental(view, started, rows, sql.newestData(view), rebuild);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        String mode = reconcile ? "reconcile" : "incremental";
        sql.recordHistory(view, started, started.plus(elapsed), elapsed.toMillis(), mode, "ok", rows, null, instanceId);
        return RefreshResult.ran(reconcile ? RefreshResult.Outcome.RECONCILED : RefreshResult.Outcome.REFRESHED, mode,
                elapsed, rows, changed);
    }

    /** Runs a statement that returns one row of counts; cancellable on shutdown like a REFRESH. */
    private long[] counts(Connection connection, ViewDefinition view, String statementText, String snapshot, int columns)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(statementText)) {
            if (snapshot != null) {
                statement.setString(1, snapshot);
            }
            running.put(view.name(), statement);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                long[] counts = new long[columns];
                for (int i = 0; i < columns; i++) {
                    counts[i] = result.getLong(i + 1);
                }
                return counts;
            }
        } finally {
            running.remove(view.name());
        }
    }

    private void execute(Connection connection, ViewDefinition view, String statementText) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            running.put(view.name(), statement);
            statement.execute(statementText);
        } finally {
            running.remove(view.name());
        }
    }

    /**
     * Deletes change-table rows that every incremental view of the stream has applied; at most every 10 s per stream,
     * in a transaction of its own (two views' refreshes must not contend for the same rows).
     */
    private void pruneChanges(StreamDefinition stream) {
        Instant now = clock.instant();
        boolean[] due = {false};
        changesPruned.compute(stream.name(), (name, last) -> {
            due[0] = last == null || !now.isBefore(last.plus(PRUNE_CHANGES_EVERY));
            return due[0] ? now : last;
        });
        if (!due[0]) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement prune = connection.prepareStatement(IncrementalStatements.pruneChanges(stream))) {
            connection.setAutoCommit(true);
            prune.setString(1, stream.name());
            int pruned = prune.executeUpdate();
            log.debug("Pruned {} change rows of stream {}", pruned, stream.name());
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not prune the change table of stream {}: {}", stream.name(), e.getMessage());
        }
    }

    /** Cancels the refreshes in flight (on shutdown); they are redone at the next interval. */
    public void cancelRunning() {
        running.values().forEach(statement -> {
            try {
                statement.cancel();
            } catch (SQLException e) {
                log.debug("Could not cancel a running refresh: {}", e.getMessage());
            }
        });
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
                    null, error, instanceId);
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not record the failed refresh of {}: {}", view.name(), e.getMessage());
        }
    }

    private static boolean isSerializationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "40001".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
