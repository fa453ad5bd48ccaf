package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.RefreshProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/** {@code bin/ingest refresh VIEW}: refresh now, whatever the interval says. */
@Command(name = "refresh", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {"Asks the worker to refresh a view now rather than when it is due: its lane looks within a tick "
                + "(1 s), in whichever worker replica, and a full view is recomputed even when its table seems unchanged. "
                + "Asking again while a refresh is pending asks once. Waits for the refresh unless --wait=false; while the "
                + "view's stream table is being rebuilt the refresh waits for the rebuild."})
public final class RefreshCommand extends OperationCommand {

    @Parameters(index = "0", paramLabel = "VIEW", description = "The view, e.g. orders_view.")
    String view;

    @Option(names = "--wait", negatable = true, arity = "0..1", fallbackValue = "true", defaultValue = "true",
            paramLabel = "true|false", description = "Wait for the refresh (default: true).")
    boolean await;

    @Option(names = "--max-wait", paramLabel = "DURATION", defaultValue = "15m", converter = Durations.class,
            description = "Give up waiting after this long; the refresh still happens (default: ${DEFAULT-VALUE}).")
    Duration maxWait;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "table (default) or json.")
    Output output;

    @Override
    int run(Operations operations, PrintWriter out) throws InterruptedException {
        RefreshProgress progress = operations.requestRefresh(view, Target.requestedBy());
        if (output == Output.table) {
            out.printf("refresh of %s (%s) asked for at %s%n", view, progress.mode(), Formats.time(progress.requestedAt()));
            out.flush();
        }
        Instant deadline = Instant.now().plus(maxWait);
        boolean saidPaused = false;
        while (await && !progress.done()) {
            if (progress.paused() && !saidPaused && output == Output.table) {
                out.println("paused: the view's stream table is being rebuilt; it is refreshed as soon as that is done");
                out.flush();
                saidPaused = true;
            }
            if (Instant.now().isAfter(deadline)) {
                out.printf("not refreshed after %s; the request stands (bin/ingest status)%n", maxWait);
                return 1;
            }
            Thread.sleep(250); // the lane looks within a tick
            progress = operations.refresh(view, progress.requestedAt());
        }
        if (output == Output.json) {
            json(out, progress);
        } else if (progress.done()) {
            out.printf("%s refreshed at %s: %s%s%n", view, Formats.time(progress.lastStartedAt()),
                    progress.outcome() == null ? "done" : progress.outcome(),
                    "failed".equals(progress.outcome()) ? " (" + progress.error() + ")"
                            : progress.rows() == null ? "" : ", " + Formats.count(progress.rows()) + " rows");
        } else {
            out.println("the worker refreshes it within a tick (bin/ingest status shows it)");
        }
        return progress.done() && "failed".equals(progress.outcome()) ? 1 : 0;
    }
}
