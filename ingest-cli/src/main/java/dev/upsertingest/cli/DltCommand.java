package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import dev.upsertingest.ops.DeadLetter;
import dev.upsertingest.ops.DeadLetterList;
import dev.upsertingest.ops.DeadLetterSelection;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.ReplayResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code bin/ingest dlt list | show | replay}: a stream's dead letters. */
@Command(name = "dlt", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        usageHelpAutoWidth = false, usageHelpWidth = 110, synopsisSubcommandLabel = "(list | show | replay)",
        description = {"A stream's dead letters (its topic's .dlt topic): list them by reason and time, show one, and "
                + "send selected ones back to the stream topic once the cause is fixed. Letters are read from the "
                + "dead-letter topic without a consumer group; nothing is committed and no worker is disturbed."},
        commandListHeading = "%nCommands:%n")
public final class DltCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Which letters: the same options for list and replay. */
    static final class Selection {
        @Option(names = "--reason", paramLabel = "REASON", description = "Only letters of this reason (invalid_json, missing_key, ...; repeat for several).")
        List<String> reasons;

        @Option(names = "--partition", paramLabel = "N", description = "Only this partition of the dead-letter topic.")
        Integer partition;

        @Option(names = "--from-offset", paramLabel = "OFFSET", description = "From this offset of --partition (inclusive).")
        Long fromOffset;

        @Option(names = "--to-offset", paramLabel = "OFFSET", description = "Up to this offset of --partition (inclusive).")
        Long toOffset;

        @Option(names = "--since", paramLabel = "TIME", converter = Instants.class,
                description = "Dead-lettered at or after TIME (2026-12-01T10:00:00Z, or 30m, 2h: that long ago).")
        Instant since;

        @Option(names = "--until", paramLabel = "TIME", converter = Instants.class,
                description = "Dead-lettered before TIME.")
        Instant until;

        DeadLetterSelection selection() {
            return new DeadLetterSelection(reasons == null ? Set.of() : Set.copyOf(reasons), partition, fromOffset,
                    toOffset, since, until);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
            usageHelpAutoWidth = false, usageHelpWidth = 110,
            description = "Lists a stream's dead letters, oldest first per partition: reason, when, key, size, whether "
                    + "replayed; never their documents (bin/ingest dlt show --with-value prints one).")
    static final class ListLetters extends OperationCommand {

        @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. orders.")
        String stream;

        @CommandLine.Mixin
        Selection selection;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "List at most N (all are counted) (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "table (default) or json.")
        Output output;

        @Override
        int run(Operations operations, PrintWriter out) {
            DeadLetterList list = operations.deadLetters(stream, selection.selection(), limit);
            if (output == Output.json) {
                json(out, list);
                return 0;
            }
            out.printf("%s: %s dead letter(s) match%s%n", list.topic(), Formats.count(list.matched()),
                    list.matched() == 0 ? "" : " (" + Formats.byReason(list.byReason()) + ")");
            if (!list.letters().isEmpty()) {
                out.print(letters(list.letters()).render());
                if (list.matched() > list.letters().size()) {
                    out.printf("(the first %d; --limit to see more)%n", list.letters().size());
                }
            }
            return 0;
        }
    }

    static TextTable letters(List<DeadLetter> letters) {
        TextTable table = new TextTable("PARTITION", "OFFSET", "FAILED AT", "REASON", "KEY", "SIZE", "REPLAYED", "DETAIL");
        for (DeadLetter l : letters) {
            table.row(l.partition(), l.offset(), Formats.time(l.failedAt()), l.reason(), l.key(),
                    l.valueDropped() ? "dropped" : Formats.bytes(l.valueSize()), Formats.time(l.replayedAt()),
                    l.detail() == null ? "-" : l.detail().lines().findFirst().orElse(""));
        }
        return table;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
            usageHelpAutoWidth = false, usageHelpWidth = 110,
            description = "Shows one dead letter: its headers (the reason, the detail, where the event came from) and "
                    + "its key; its document only with --with-value.")
    static final class Show extends OperationCommand {

        @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. orders.")
        String stream;

        @Parameters(index = "1", paramLabel = "PARTITION", description = "The letter's partition on the dead-letter topic.")
        int partition;

        @Parameters(index = "2", paramLabel = "OFFSET", description = "Its offset there (as dlt list shows them).")
        long offset;

        @Option(names = "--with-value", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
                description = "Also print the document (it may hold personal data).")
        boolean withValue;

        @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "table (default) or json.")
        Output output;

        @Override
        int run(Operations operations, PrintWriter out) {
            DeadLetter letter = operations.deadLetter(stream, partition, offset, withValue);
            if (output == Output.json) {
                json(out, letter);
                return 0;
            }
            out.printf("%s partition %d offset %d%n", letter.topic(), letter.partition(), letter.offset());
            out.printf("  reason:    %s%n", letter.reason());
            out.printf("  detail:    %s%n", letter.detail() == null ? "-" : letter.detail());
            out.printf("  failed at: %s%n", Formats.time(letter.failedAt()));
            out.printf("  from:      %s partition %s offset %s%n", letter.originalTopic(), letter.originalPartition(),
                    letter.originalOffset());
            out.printf("  key:       %s%n", letter.key() == null ? "(none)" : letter.key());
            out.printf("  replayed:  %s%n", letter.replayedAt() == null ? "no" : Formats.time(letter.replayedAt()));
            out.println("  headers:");
            for (Map.Entry<String, String> header : letter.headers().entrySet()) {
                out.printf("    %s: %s%n", header.getKey(), header.getValue());
            }
            if (letter.valueDropped()) {
                out.println("  value:     dropped by the worker (too large for the dead-letter topic); it cannot be replayed");
            } else if (withValue) {
                out.printf("  value (%s):%n%s%n", Formats.bytes(letter.valueSize()), letter.value());
            } else {
                out.printf("  value:     %s, not shown (--with-value prints it)%n", Formats.bytes(letter.valueSize()));
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
            usageHelpAutoWidth = false, usageHelpWidth = 110,
            description = {"Sends selected dead letters back to the stream topic once their cause is fixed (a migration "
                    + "that widened a key, a producer fixed...). Each letter is sent at most once: a replay is recorded "
                    + "per letter in ingest.dead_letter_replay, and a later replay leaves recorded letters out. Letters "
                    + "the worker dead-lettered without their value are left out too. Say which letters (--reason, "
                    + "--partition with offsets, --since/--until) or --all; --dry-run says what would be sent and sends nothing.",
                    "A replayed event is consumed like any other: if its cause is not fixed it is dead-lettered again, as a new letter."})
    static final class Replay extends OperationCommand {

        @Parameters(index = "0", paramLabel = "STREAM", description = "The stream, e.g. orders.")
        String stream;

        @CommandLine.Mixin
        Selection selection;

        @Option(names = "--all", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
                description = "Every letter not replayed yet (instead of a selection).")
        boolean all;

        @Option(names = "--dry-run", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
                description = "Only say what would be sent.")
        boolean dryRun;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "List at most N of the letters sent (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table", description = "table (default) or json.")
        Output output;

        @Override
        int run(Operations operations, PrintWriter out) {
            DeadLetterSelection chosen = selection.selection();
            if (chosen.isEverything() && !all) {
                throw new IllegalArgumentException("say which letters to replay (--reason, --partition with --from-offset/"
                        + "--to-offset, --since/--until), or --all for every one not replayed yet");
            }
            if (!chosen.isEverything() && all) {
                throw new IllegalArgumentException("--all means every letter: leave out --reason, --partition, the offsets and times, or --all");
            }
            ReplayResult result = operations.replay(stream, chosen, dryRun, Target.requestedBy(), limit);
            if (output == Output.json) {
                json(out, result);
                return 0;
            }
            out.printf("%s%s of %s letter(s) matching: %s %s to %s%s%n", dryRun ? "dry run: " : "",
                    Formats.count(result.matched()), stream, Formats.count(result.replayed()),
                    dryRun ? "would be sent back" : "sent back", result.topic(),
                    result.byReason().isEmpty() ? "" : " (" + Formats.byReason(result.byReason()) + ")");
            if (result.alreadyReplayed() > 0) {
                out.printf("  %s replayed before, left out (each letter is sent once)%n", Formats.count(result.alreadyReplayed()));
            }
            if (result.withoutValue() > 0) {
                out.printf("  %s without their value (dropped by the worker), left out%n", Formats.count(result.withoutValue()));
            }
            if (!result.letters().isEmpty()) {
                out.print(letters(result.letters()).render());
            }
            if (!dryRun && result.replayId() != null && result.replayed() > 0) {
                out.printf("replay %s recorded in ingest.dead_letter_replay; bin/ingest status shows whether they were applied%n",
                        result.replayId());
            }
            return 0;
        }
    }
}
