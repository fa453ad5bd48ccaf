package dev.upsertingest.worker.write;

import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** {@link WriteMethod#COPY}: COPY (text format) into a session-private staging table, then one upsert from it. */
final class CopyWriter implements TableWriter {

    @Override
    public long upsert(Connection connection, UpsertStatements sql, List<RowChange> rows) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql.createStagingTable());
        }
        try {
            connection.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn(sql.copyIntoStaging(), new ByteArrayInputStream(encode(rows, sql.stream().versioned())));
        } catch (IOException e) {
            throw new SQLException("COPY into the staging table failed", e);
        }
        try (PreparedStatement upsert = connection.prepareStatement(sql.upsertFromStaging())) {
            return upsert.executeUpdate();
        }
    }

    /** COPY text format: tab-separated columns, one line per row, backslash escapes. */
    private static byte[] encode(List<RowChange> rows, boolean versioned) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 512);
        for (RowChange row : rows) {
            for (int k = 0; k < row.key().size(); k++) {
                writeEscaped(out, row.key().get(k).toString());
                out.write('\t');
            }
            writeEscaped(out, row.json().utf8());
            if (versioned) {
                out.write('\t');
                out.writeBytes(Long.toString(row.version()).getBytes(StandardCharsets.US_ASCII));
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void writeEscaped(ByteArrayOutputStream out, String value) {
        writeEscaped(out, value.getBytes(StandardCharsets.UTF_8));
    }

    private static void writeEscaped(ByteArrayOutputStream out, byte[] bytes) {
        for (byte b : bytes) {
            switch (b) {
                case '\\' -> out.writeBytes(new byte[]{'\\', '\\'});
                case '\n' -> out.writeBytes(new byte[]{'\\', 'n'});
                case '\r' -> out.writeBytes(new byte[]{'\\', 'r'});
                case '\t' -> out.writeBytes(new byte[]{'\\', 't'});
                default -> out.write(b);
            }
        }
    }
}
