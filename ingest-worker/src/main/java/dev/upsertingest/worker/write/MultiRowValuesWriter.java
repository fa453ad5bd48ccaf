package dev.upsertingest.worker.write;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@link WriteMethod#MULTI_ROW_VALUES}. */
final class MultiRowValuesWriter implements TableWriter {

    /**
     * Statement text per (stream, row count). Full batches repeat the same few sizes under load, so a small cache
     * saves rendering; it is bounded because every distinct size is a distinct (large) string.
     */
    private final Map<String, String> sqlCache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 64;
        }
    };

    @Override
    public long upsert(Connection connection, UpsertStatements sql, List<RowChange> rows) throws SQLException {
        long changed = 0;
        int chunk = sql.maxRowsPerStatement();
        for (int from = 0; from < rows.size(); from += chunk) {
            List<RowChange> part = rows.subList(from, Math.min(rows.size(), from + chunk));
            try (PreparedStatement statement = connection.prepareStatement(statementFor(sql, part.size()))) {
                int index = 1;
                for (RowChange row : part) {
                    index = RowBinder.bindRow(statement, index, row, sql.stream());
                }
                changed += statement.executeUpdate();
            }
        }
        return changed;
    }

    private String statementFor(UpsertStatements sql, int rows) {
        String cacheKey = sql.stream().name() + '/' + rows;
        synchronized (sqlCache) {
            String cached = sqlCache.get(cacheKey);
            if (cached != null) {
                return cached;
            }
        }
        String rendered = sql.valuesUpsert(rows);
        synchronized (sqlCache) {
            sqlCache.put(cacheKey, rendered);
        }
        return rendered;
    }
}
