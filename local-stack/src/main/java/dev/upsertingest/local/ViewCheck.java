package dev.upsertingest.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/ingest check-view VIEW}: the differential checker on a live system. Runs {@code ingest.check_view} (a view
 * compared with a full recompute of its projection, in one snapshot; an incremental view's pending changes left out)
 * and prints every difference. Exit status 0 when the view is exact, 1 when it differs, 2 for a usage error or a
 * database that cannot be reached.
 */
@Command(name = "check-view", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {"Compares view VIEW with a full recompute of what it should show (its projection of the stream "
                + "table), in one snapshot, and prints every row that differs: missing (the view lacks the key), extra (the "
                + "stream no longer has it) or different. For an incremental view, keys with changes its last refresh did "
                + "not see yet are left out (they are due, not wrong). A full view is compared as it is: run it right after "
                + "a refresh of a quiet stream (bin/ingest refresh VIEW)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:exact", "1:differences found", "2:usage error or database unreachable"})
public final class ViewCheck implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view, e.g. orders_view.")
    String view;

    @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = "jdbc:postgresql://localhost:55432/ingest",
            description = "The database (default: bin/ingest local's, ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--db-user", paramLabel = "USER", defaultValue = "postgres", description = "Default: ${DEFAULT-VALUE}.")
    String user;

    @Option(names = "--db-password", paramLabel = "SECRET", defaultValue = "postgres", description = "Default: ${DEFAULT-VALUE}.")
    String password;

    @Option(names = "--max-rows", paramLabel = "N", defaultValue = "100",
            description = "Differences to print at most (default: ${DEFAULT-VALUE}).")
    int maxRows;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ViewCheck()).execute(args));
    }

    @Override
    public Integer call() {
        if (maxRows <= 0) {
            System.err.println("bin/ingest check-view: --max-rows must be a positive whole number, not " + maxRows);
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
}
