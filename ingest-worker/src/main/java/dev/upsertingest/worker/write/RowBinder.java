package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.StreamDefinition;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Binds rows to statements in the column order {@link UpsertStatements} renders: keys, doc, version. */
final class RowBinder {

    private RowBinder() {
    }

    /** Binds one row's parameters starting at {@code index}; returns the next free index. */
    static int bindRow(PreparedStatement statement, int index, RowChange row, StreamDefinition stream) throws SQLException {
        for (int k = 0; k < row.key().size(); k++) {
            statement.setObject(index++, row.key().get(k));
        }
        statement.setString(index++, row.json().asString());
        if (stream.versioned()) {
            statement.setLong(index++, row.version());
        }
        return index;
    }

    /** One array per key column, typed for the column. */
    static int bindKeyArrays(Connection connection, PreparedStatement statement, int index, List<EventKey> keys,
                             StreamDefinition stream) throws SQLException {
        List<KeyColumn> columns = stream.keyColumns();
        for (int k = 0; k < columns.size(); k++) {
            Object[] values = (Object[]) java.lang.reflect.Array.newInstance(columns.get(k).type().javaType(), keys.size());
            for (int i = 0; i < keys.size(); i++) {
                values[i] = keys.get(i).get(k);
            }
            statement.setArray(index++, array(connection, columns.get(k).type().arrayElementType(), values));
        }
        return index;
    }

    static List<EventKey> keys(List<RowChange> rows) {
        return rows.stream().map(RowChange::key).toList();
    }

    static Long[] versions(List<RowChange> rows) {
        Long[] versions = new Long[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            versions[i] = rows.get(i).version();
        }
        return versions;
    }

    static Array array(Connection connection, String elementType, Object[] values) throws SQLException {
        return connection.createArrayOf(elementType, values);
    }
}
