package dev.upsertingest.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/ingest check-view VIEW}: the differential checker on a live system. Runs {@code ingest.check_view} (a view
 * compared with a full recompute of its projection, in one snapshot; an incremental view's pending changes left out)
 * and prints every difference. Exit status 0 when the view is exact, 1 when it differs, 2 for a usage error or a
 * database that cannot be reached.
 */
public final class ViewCheck {

    static final String HELP = """
            usage: bin/ingest check-view VIEW [options]

            Compares view VIEW with a full recompute of what it should show (its projection of the stream table), in one
            snapshot, and prints every row that differs: missing (the view lacks the key), extra (the stream no longer
            has it) or different. For an incremental view, keys with changes its last refresh did not see yet are left
            out (they are due, not wrong). A full view is compared as it is: run it right after a refresh of a quiet
            stream. Exit status: 0 exact, 1 differences found, 2 usage error or database unreachable.

            options:
              --jdbc-url URL        the database (default: bin/ingest local's, jdbc:postgresql://localhost:55432/ingest)
              --db-user USER        default postgres
              --db-password SECRET  default postgres
              --max-rows N          differences to print at most (default 100)
              --help                this text
            """;

    private ViewCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String view = null;
        String url = "jdbc:postgresql://localhost:55432/ingest";
        String user = "postgres";
        String password = "postgres";
        int maxRows = 100;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    System.out.println(HELP);
                    return 0;
                }
                if (!arg.startsWith("--")) {
                    if (view != null) {
                        throw new IllegalArgumentException("one view at a time, got '" + view + "' and '" + arg + "'");
                    }
                    view = arg;
                    continue;
                }
                int equals = arg.indexOf('=');
                String name = equals < 0 ? arg : arg.substring(0, equals);
                String value;
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                switch (name) {
                    case "--jdbc-url" -> url = value;
                    case "--db-user" -> user = value;
                    case "--db-password" -> password = value;
                    case "--max-rows" -> maxRows = positive(name, value);
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (view == null) {
                throw new IllegalArgumentException("which view? e.g. bin/ingest check-view orders_view");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bin/ingest check-view: " + e.getMessage());
            System.err.println("(bin/ingest check-view --help lists the options)");
            return 2;
        }
        try (Connection connection = DriverManager.getConnection(url, user, password)) {
            return check(connection, view, maxRows);
        } catch (SQLException e) {
            System.err.println("bin/ingest check-view: " + e.getMessage().lines().findFirst().orElse("") + " (" + url + ")");
            return 2;
        }
    }

    private static int check(Connection connection, String view, int maxRows) throws SQLException {
        connection.setAutoCommit(false);
        connection.setReadOnly(true);
        // One snapshot for the comparison and the figures printed with it.
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        String mode;
        long pending;
        try (PreparedStatement about = connection.prepareStatement(
                "select refresh_mode, ingest.view_pending_changes(name) from ingest.view where name = ?")) {
            about.setString(1, view);
            try (ResultSet row = about.executeQuery()) {
                if (!row.next()) {
                    System.err.println("bin/ingest check-view: there is no view " + view);
                    return 2;
                }
                mode = row.getString(1);
                pending = row.getLong(2);
            }
        }
        List<String> differences = new ArrayList<>();
        try (PreparedStatement check = connection.prepareStatement("select key::text, difference from ingest.check_view(?, ?)")) {
            check.setString(1, view);
            check.setInt(2, maxRows);
            try (ResultSet rows = check.executeQuery()) {
                while (rows.next()) {
                    differences.add(String.format("  %-9s %s", rows.getString(2), rows.getString(1)));
                }
            }
        }
        connection.rollback();
        String pendingNote = mode.equals("incremental")
                ? String.format(" (%,d change rows pending, left out)", pending) : " (full view: compared as of its last refresh)";
        if (differences.isEmpty()) {
            System.out.printf("%s (%s): exact%s%n", view, mode, pendingNote);
            return 0;
        }
        System.out.printf("%s (%s): %s%d row(s) differ from a full recompute%s:%n", view, mode,
                differences.size() == maxRows ? "at least " : "", differences.size(), pendingNote);
        differences.forEach(System.out::println);
        return 1;
    }

    private static int positive(String name, String value) {
        try {
            int number = Integer.parseInt(value);
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, not '" + value + "'");
    }
}
