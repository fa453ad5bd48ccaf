package dev.upsertingest.loadtest.workload;

import dev.upsertingest.loadtest.infra.BenchDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The view the benchmarks index the generated orders with: seven typed columns, each with an index, plus the
 * updated_at index every view has: eight secondary indexes, and the unique key.
 */
public final class OrderView {

    public static final String COLUMNS = """
            [{"name": "status", "type": "text", "pointer": "/status"},
             {"name": "customer_id", "type": "bigint", "pointer": "/customer_id"},
             {"name": "total", "type": "numeric", "pointer": "/total"},
             {"name": "currency", "type": "text", "pointer": "/currency"},
             {"name": "region", "type": "text", "pointer": "/region"},
             {"name": "created_at", "type": "timestamptz", "pointer": "/created_at"},
             {"name": "items", "type": "integer", "pointer": "/items"}]""";

    public static final String INDEXES = """
            [{"columns": ["status"]}, {"columns": ["customer_id"]}, {"columns": ["total"]}, {"columns": ["currency"]},
             {"columns": ["region"]}, {"columns": ["created_at"]}, {"columns": ["items"]}]""";

    /**
     * Declares this view as {@code views.<view>} over {@code stream} and fills it, refreshed every
     * {@code refreshInterval} (an option value such as {@code 10s}) in {@code refreshMode} ({@code incremental} or
     * {@code full}).
     */
    public static void declare(Connection connection, String view, String stream, String refreshInterval, String refreshMode)
            throws SQLException {
        try (PreparedStatement declare = connection.prepareStatement(
                "select ingest.declare_view(?, ?, ?::jsonb, ?::jsonb, ?::interval, refresh_mode => ?)")) {
            declare.setString(1, view);
            declare.setString(2, stream);
            declare.setString(3, COLUMNS);
            declare.setString(4, INDEXES);
            declare.setString(5, Duration.parse("PT" + refreshInterval.toUpperCase(Locale.ROOT)).toSeconds() + " seconds");
            declare.setString(6, refreshMode);
            declare.execute();
        }
    }

    /** Replaces {@code views.<view>} by the same view in {@code refreshMode}, refreshed every {@code refreshInterval}. */
    public static void replace(Connection connection, String view, String refreshInterval, String refreshMode) throws SQLException {
        try (PreparedStatement replace = connection.prepareStatement(
                "select ingest.replace_view(?, ?::jsonb, ?::jsonb, ?::interval, refresh_mode => ?)")) {
            replace.setString(1, view);
            replace.setString(2, COLUMNS);
            replace.setString(3, INDEXES);
            replace.setString(4, Duration.parse("PT" + refreshInterval.toUpperCase(Locale.ROOT)).toSeconds() + " seconds");
            replace.setString(5, refreshMode);
            replace.execute();
        }
    }

    /**
     * The same eight attributes as expression indexes on a stream table (on text: casts to timestamptz are not
     * immutable), for comparing "indexes on the table" with "indexes on the view".
     */
    public static final List<String> TABLE_INDEXES = List.of(
            "((doc ->> 'status'))", "((doc ->> 'customer_id'))", "((doc ->> 'total'))", "((doc ->> 'currency'))",
            "((doc ->> 'region'))", "((doc ->> 'created_at'))", "((doc ->> 'items'))", "(updated_at)");

    /** CREATE INDEX statements of {@link #TABLE_INDEXES} on {@code streams.<table>}. */
    public static List<String> createTableIndexes(String table) {
        return java.util.stream.IntStream.range(0, TABLE_INDEXES.size())
                .mapToObj(i -> "create index " + BenchDatabase.quoted(table + "_table_i" + i)
                        + " on " + BenchDatabase.quoted("streams", table) + " " + TABLE_INDEXES.get(i)).toList();
    }

    /** The DROP INDEX statements undoing {@link #createTableIndexes}. */
    public static List<String> dropTableIndexes(String table) {
        return java.util.stream.IntStream.range(0, TABLE_INDEXES.size())
                .mapToObj(i -> "drop index " + BenchDatabase.quoted("streams", table + "_table_i" + i)).toList();
    }

    private OrderView() {
    }
}
