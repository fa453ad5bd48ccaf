package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.SystemStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.stream.Collectors;

/** {@code bin/ingest status}: every stream and view of a running system. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {"Shows every stream (its table's rows and size, the worker group's lag per partition, rows and "
                + "events per second, dead letters by reason, its last rebuild) and every view (mode, freshness, last "
                + "refresh, pending changes). A table for people by default; --output=json prints the document "
                + "GET /api/v1/admin/status returns, for scripts."})
public final class StatusCommand extends OperationCommand {

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "table (default) or json.")
    Output output;

    @Option(names = "--sample", paramLabel = "DURATION", defaultValue = "2s", converter = Durations.class,
            description = "How long to watch the tables and the group for the rates; 0s for none (default: ${DEFAULT-VALUE}).")
    Duration sample;

    @Option(names = "--partitions", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
            description = "Also list the lag of every partition in the table (always in the JSON).")
    boolean partitions;

    @Override
    int run(Operations operations, PrintWriter out) {
        SystemStatus status = operations.status(sample);
        if (output == Output.json) {
            json(out, status);
            return 0;
        }
        out.printf("Streams (consumer group %s, %s)%n", status.groupId(), Formats.time(status.at()));
        TextTable streams = new TextTable("STREAM", "DURABILITY", "ROWS", "SIZE", "LAG", "ROWS/S", "EVENTS/S",
                "DEAD LETTERS", "REBUILD");
        for (SystemStatus.Stream s : status.streams()) {
            String letters = s.deadLetterCount() == 0 ? "0" : Formats.count(s.deadLetterCount()) + " ("
                    + Formats.byReason(s.deadLetters()) + (s.replayed() > 0 ? "; " + Formats.count(s.replayed()) + " replayed" : "") + ")";
            String rebuild = s.rebuild() == null ? "never"
                    : s.rebuild().running() ? s.rebuild().state() + " " + Formats.count(s.rebuild().eventsReplayed()) + "/"
                    + Formats.count(s.rebuild().eventsToReplay())
                    : s.rebuild().state() + " " + Formats.time(s.rebuild().finishedAt());
            streams.row(s.name(), s.durability(), Formats.count(s.tableRows()), Formats.bytes(s.tableBytes()),
                    Formats.count(s.lag()), Formats.rate(s.rowsPerSecond()), Formats.rate(s.eventsPerSecond()), letters, rebuild);
        }
        out.print(streams.isEmpty() ? "  (no streams)\n" : streams.render());
        if (partitions) {
            TextTable lag = new TextTable("STREAM", "PARTITION", "END OFFSET", "COMMITTED", "LAG");
            status.streams().forEach(s -> s.partitions().forEach(p -> lag.row(s.name(), p.partition(),
                    Formats.count(p.endOffset()), p.committed() == null ? "-" : Formats.count(p.committed()),
                    Formats.count(p.lag()))));
            out.println();
            out.print(lag.render());
        }
        out.println();
        out.println("Views");
        TextTable views = new TextTable("VIEW", "STREAM", "MODE", "INTERVAL", "ROWS", "REFRESHED", "STALENESS",
                "PENDING", "LAST");
        for (SystemStatus.View v : status.views()) {
            String last = v.lastOutcome() == null ? "never" : v.lastOutcome();
            if (v.lastError() != null && "failed".equals(v.lastOutcome())) {
                last += ": " + v.lastError().lines().findFirst().orElse("");
            }
            if (v.refreshRequestedAt() != null) {
                last += " (refresh asked for " + Formats.time(v.refreshRequestedAt()) + ")";
            }
            views.row(v.name(), v.stream(), v.mode(), interval(v.interval()), v.rows() == null ? "-" : Formats.count(v.rows()),
                    Formats.time(v.refreshedAt()), Formats.seconds(v.stalenessSeconds()), Formats.count(v.pendingChanges()), last);
        }
        out.print(views.isEmpty() ? "  (no views)\n" : views.render());
        long letters = status.streams().stream().mapToLong(SystemStatus.Stream::deadLetterCount).sum();
        if (letters > 0) {
            out.println();
            out.println("Dead letters: bin/ingest dlt list " + status.streams().stream().filter(s -> s.deadLetterCount() > 0)
                    .map(SystemStatus.Stream::name).collect(Collectors.joining(" | ")) + " shows them.");
        }
        return 0;
    }

    private static String interval(String iso) {
        try {
            long seconds = Duration.parse(iso).toSeconds();
            return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
        } catch (RuntimeException e) {
            return iso;
        }
    }
}
