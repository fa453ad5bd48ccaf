package dev.upsertingest.worker.write;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** {@link WriteMethod#JDBC_BATCH}: relies on the connection property {@code reWriteBatchedInserts=true}. */
final class JdbcBatchWriter implements TableWriter {

    @Override
    public long upsert(Connection connection, UpsertStatements sql, List<RowChange> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql.valuesUpsert(1))) {
            for (RowChange row : rows) {
                RowBinder.bindRow(statement, 1, row, sql.stream());
                statement.addBatch();
            }
            long changed = 0;
            for (int count : statement.executeBatch()) {
                if (count == Statement.SUCCESS_NO_INFO) {
                    return -1; // rewritten batches do not report per-row counts
                }
                changed += count;
            }
            return changed;
        }
    }
}
