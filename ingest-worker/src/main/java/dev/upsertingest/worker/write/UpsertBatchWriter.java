package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.JsonText;
import dev.upsertingest.core.stream.StreamDefinition;
import tools.jackson.databind.node.ObjectNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Writes the table batches of one consumed batch in one transaction: per stream one delete (only if the batch has
 * tombstones) and one upsert statement, with {@code synchronous_commit} (the logged setting when a logged table is
 * written) and {@code statement_timeout} set for the transaction only. Either every table batch is written or none is, so the caller may commit the Kafka offsets
 * exactly when this returns.
 *
 * <p>Thread-safe: each call borrows its own connection.
 */
public final class UpsertBatchWriter {

    private static final String TRANSACTION_SETTINGS = UpsertStatements.transactionSettings();

    private final DataSource dataSource;
    private final WriteSettings settings;
    private final TableWriter tableWriter;
    private final Function<ObjectNode, JsonText> toJson;
    private final Map<String, UpsertStatements> statements = new ConcurrentHashMap<>();

    public UpsertBatchWriter(DataSource dataSource, WriteSettings settings, Function<ObjectNode, JsonText> toJson) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.tableWriter = TableWriter.of(settings.method());
        this.toJson = toJson;
    }

    public WriteSettings settings() {
        return settings;
    }

    public List<TableWriteResult> write(Collection<TableBatch> batches) throws SQLException {
        if (batches.isEmpty()) {
            return List.of(); // every event of the batch was rejected: nothing to write, no transaction
        }
        List<TableWriteResult> results = new ArrayList<>(batches.size());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                applyTransactionSettings(connection, batches);
                for (TableBatch batch : batches) {
                    results.add(write(connection, batch));
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
        }
        return results;
    }

    private TableWriteResult write(Connection connection, TableBatch batch) throws SQLException {
        StreamDefinition stream = batch.stream();
        UpsertStatements sql = statements.computeIfAbsent(stream.name(), name -> new UpsertStatements(stream));
        long deleted = 0;
        List<EventKey> deletes = batch.deletes();
        if (!deletes.isEmpty()) {
            try (PreparedStatement delete = connection.prepareStatement(sql.deleteByKeys())) {
                RowBinder.bindKeyArrays(connection, delete, 1, deletes, stream);
                deleted = delete.executeUpdate();
            }
        }
        List<RowChange> upserts = batch.upserts(toJson);
        long changed = upserts.isEmpty() ? 0 : tableWriter.upsert(connection, sql, upserts);
        return new TableWriteResult(stream.name(), batch.events(), batch.supersededEvents(), batch.mergedEvents(),
                batch.staleEvents(), batch.rows() - upserts.size(), upserts.size(), changed, deleted);
    }

    private void applyTransactionSettings(Connection connection, Collection<TableBatch> batches) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(TRANSACTION_SETTINGS)) {
            statement.setString(1, settings.synchronousCommitFor(batches.stream().map(TableBatch::stream).toList()).setting());
            statement.setString(2, Long.toString(settings.statementTimeout().toMillis()));
            statement.execute();
        }
    }

    private static void rollbackQuietly(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException rollbackFailure) {
            cause.addSuppressed(rollbackFailure);
        }
    }
}
