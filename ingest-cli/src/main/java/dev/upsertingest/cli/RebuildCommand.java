package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.RebuildProgress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/** {@code bin/ingest rebuild STREAM}: the crash path, started by hand. */
@Command(name = "rebuild", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {"Rebuilds an unlogged stream's table from its Kafka topic, as the worker does after a PostgreSQL "
                + "crash: every worker replica stops consuming, the group's offsets go back to the beginning of the topic, "
                + "and the replay runs until every partition reaches where it stood. The stream's views keep their last "
                + "complete contents until it is done. Refused for an unknown stream, a logged one, and while a rebuild of "
                + "the stream runs (the running one is shown). Waits and shows progress unless --wait=false."})
public final class RebuildCommand extends OperationCommand {

    @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. orders.")
    String stream;

    @Option(names = "--empty-table", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
            description = {"Empty the table first, as a crash would (rows whose events the topic no longer holds are "
                    + "gone for good). Without it the replay upserts over the rows the table has."})
    boolean emptyTable;

    @Option(names = "--wait", negatable = true, arity = "0..1", fallbackValue = "true", defaultValue = "true",
            paramLabel = "true|false", description = "Wait for the rebuild to finish, showing progress (default: true).")
    boolean await;

    @Option(names = "--max-wait", paramLabel = "DURATION", defaultValue = "1h", converter = Durations.class,
            description = "Give up waiting after this long; the rebuild goes on (default: ${DEFAULT-VALUE}).")
    Duration maxWait;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            description = "table (progress lines, default) or json (the rebuild, once).")
    Output output;

    @Override
    int run(Operations operations, PrintWriter out) throws InterruptedException {
        RebuildProgress rebuild = operations.requestRebuild(stream, emptyTable, Target.requestedBy());
        if (output == Output.json && !await) {
            json(out, rebuild);
            return 0;
        }
        if (output == Output.table) {
            out.printf("rebuild %d of %s started (%s)%n", rebuild.id(), stream, rebuild.reason());
            out.flush();
        }
        if (!await) {
            out.println("the worker carries it on; bin/ingest status shows how far it got");
            return 0;
        }
        Instant deadline = Instant.now().plus(maxWait);
        String last = "";
        while (rebuild.running()) {
            String line = progress(rebuild);
            if (output == Output.table && !line.equals(last)) {
                out.println(line);
                out.flush();
                last = line;
            }
            if (Instant.now().isAfter(deadline)) {
                out.printf("still %s after %s: the worker carries it on (bin/ingest status)%n", rebuild.state(), maxWait);
                return 1;
            }
            Thread.sleep(1000); // the worker looks every ingest.recovery.check-interval (2 s)
            RebuildProgress now = operations.rebuild(stream);
            if (now.id() != rebuild.id()) {
                out.printf("rebuild %d was superseded by rebuild %d (the table was emptied again)%n", rebuild.id(), now.id());
            }
            rebuild = now;
        }
        if (output == Output.json) {
            json(out, rebuild);
        } else {
            out.printf("rebuild %d of %s: %s, %s events replayed, took %s%n", rebuild.id(), stream, rebuild.state(),
                    Formats.count(rebuild.eventsReplayed()), rebuild.finishedAt() == null ? "-"
                            : Formats.seconds(Duration.between(rebuild.detectedAt(), rebuild.finishedAt()).toMillis() / 1000.0));
        }
        return rebuild.state().equals("done") ? 0 : 1;
    }

    private static String progress(RebuildProgress rebuild) {
        if (rebuild.state().equals("rewinding")) {
            return "rewinding: waiting for the worker replicas to stop consuming and the offsets to go back";
        }
        long percent = rebuild.eventsToReplay() == 0 ? 100 : rebuild.eventsReplayed() * 100 / rebuild.eventsToReplay();
        return String.format("replaying: %s / %s events (%d%%)", Formats.count(rebuild.eventsReplayed()),
                Formats.count(rebuild.eventsToReplay()), percent);
    }
}
