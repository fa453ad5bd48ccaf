package dev.upsertingest.worker.write;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Sends one stream's upserts to the database by one {@link WriteMethod}, inside the caller's transaction. */
interface TableWriter {

    /**
     * @param rows distinct keys, in key order
     * @return rows inserted or changed (rows the conflict clause skipped are not counted), or -1 when the method
     * cannot tell
     */
    long upsert(Connection connection, UpsertStatements sql, List<RowChange> rows) throws SQLException;

    static TableWriter of(WriteMethod method) {
        return switch (method) {
            case MULTI_ROW_VALUES -> new MultiRowValuesWriter();
            case JDBC_BATCH -> new JdbcBatchWriter();
            case UNNEST -> new UnnestWriter(false);
            case UNNEST_JSONB_ARRAY -> new UnnestWriter(true);
            case COPY -> new CopyWriter();
        };
    }
}
