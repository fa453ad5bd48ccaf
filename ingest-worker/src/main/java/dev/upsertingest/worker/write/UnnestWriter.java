package dev.upsertingest.worker.write;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** {@link WriteMethod#UNNEST} and {@link WriteMethod#UNNEST_JSONB_ARRAY}. */
final class UnnestWriter implements TableWriter {

    private final boolean documentsAsJsonbArray;

    UnnestWriter(boolean documentsAsJsonbArray) {
        this.documentsAsJsonbArray = documentsAsJsonbArray;
    }

    @Override
    public long upsert(Connection connection, UpsertStatements sql, List<RowChange> rows) throws SQLException {
        String statementText = documentsAsJsonbArray ? sql.jsonbArrayUpsert() : sql.unnestUpsert();
        try (PreparedStatement statement = connection.prepareStatement(statementText)) {
            int index = RowBinder.bindKeyArrays(connection, statement, 1, RowBinder.keys(rows), sql.stream());
            if (documentsAsJsonbArray) {
                statement.setString(index++, jsonArray(rows));
            } else {
                byte[][] documents = new byte[rows.size()][];
                for (int i = 0; i < rows.size(); i++) {
                    documents[i] = rows.get(i).json().utf8();
                }
                statement.setObject(index++, new Utf8TextArray(documents));
            }
            if (sql.stream().versioned()) {
                statement.setArray(index, RowBinder.array(connection, "int8", RowBinder.versions(rows)));
            }
            return statement.executeUpdate();
        }
    }

    /** The documents are valid JSON already: joining them is enough, no escaping. */
    private static String jsonArray(List<RowChange> rows) {
        int length = 2;
        for (RowChange row : rows) {
            length += row.json().asString().length() + 1;
        }
        StringBuilder array = new StringBuilder(length).append('[');
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                array.append(',');
            }
            array.append(rows.get(i).json().asString());
        }
        return array.append(']').toString();
    }
}
