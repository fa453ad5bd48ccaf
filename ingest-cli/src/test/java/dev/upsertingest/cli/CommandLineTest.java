package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What each command of bin/ingest accepts, pinned without a running system: --help and --version on every command
 * and subcommand, both option forms, booleans that take =false, selections that must be said out loud, and usage
 * errors (exit 2) before anything is contacted.
 */
class CommandLineTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine cli = IngestCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return cli.execute(args);
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpAndVersion() {
        List<List<String>> paths = new ArrayList<>();
        paths(IngestCli.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).extracting(p -> String.join(" ", p))
                .contains("local", "status", "rebuild", "refresh", "dlt list", "dlt show", "dlt replay", "check-view",
                        "bench", "bench redraw", "bench write-methods", "completion");
        for (List<String> path : paths) {
            List<String> help = new ArrayList<>(path);
            help.add("--help");
            assertThat(run(help.toArray(String[]::new))).as(help.toString()).isZero();
            assertThat(out.toString()).as(help.toString()).startsWith("Usage: ");
            List<String> version = new ArrayList<>(path);
            version.add("--version");
            assertThat(run(version.toArray(String[]::new))).as(version.toString()).isZero();
            assertThat(out.toString().strip()).as(version.toString()).isEqualTo("Upsert Ingest " + Versions.VERSION);
        }
    }

    @Test
    void helpCommandPrintsTheNamedCommandsUsage() {
        assertThat(run("help", "local")).isZero();
        assertThat(out.toString()).startsWith("Usage: ingest local");
        assertThat(run("help")).isZero();
        assertThat(out.toString()).startsWith("Usage: ingest").contains("status").contains("rebuild").contains("dlt");
        assertThat(run()).isZero();
        assertThat(out.toString()).startsWith("Usage: ingest");
    }

    @Test
    void anUnknownCommandOrOptionIsAUsageError() {
        assertThat(run("no-such-command")).isEqualTo(2);
        assertThat(err.toString()).contains("no-such-command");
        assertThat(run("status", "--no-such-option")).isEqualTo(2);
        assertThat(run("status", "--output", "yaml")).isEqualTo(2);
        assertThat(err.toString()).contains("table").contains("json");
    }

    @Test
    void theTargetTakesBothFormsAndDefaultsToTheLocalSystem() {
        StatusCommand status = parse(new StatusCommand(), "--jdbc-url", "jdbc:postgresql://db:5432/x", "--db-user=ops",
                "--bootstrap-servers", "k:9092", "--sample=500ms", "-o", "json");
        assertThat(status.target.jdbcUrl).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(status.target.dbUser).isEqualTo("ops");
        assertThat(status.target.bootstrapServers).isEqualTo("k:9092");
        assertThat(status.sample).isEqualTo(Duration.ofMillis(500));
        assertThat(status.output).isEqualTo(OperationCommand.Output.json);
        StatusCommand defaults = parse(new StatusCommand());
        if (System.getenv("INGEST_JDBC_URL") == null) {
            assertThat(defaults.target.jdbcUrl).isEqualTo("jdbc:postgresql://localhost:55432/ingest");
        }
        assertThat(defaults.target.group).isEqualTo("upsert-ingest");
        assertThat(defaults.sample).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void rebuildEmptiesTheTableOnlyWhenAskedAndWaitsUnlessTold() {
        RebuildCommand plain = parse(new RebuildCommand(), "orders");
        assertThat(plain.stream).isEqualTo("orders");
        assertThat(plain.emptyTable).isFalse();
        assertThat(plain.await).isTrue();
        assertThat(parse(new RebuildCommand(), "orders", "--empty-table=false").emptyTable).isFalse();
        assertThat(parse(new RebuildCommand(), "orders", "--empty-table").emptyTable).isTrue();
        assertThat(parse(new RebuildCommand(), "orders", "--wait=false").await).isFalse();
        assertThat(parse(new RebuildCommand(), "orders", "--no-wait").await).isFalse();
        assertThat(run("rebuild")).as("no stream").isEqualTo(2);
        assertThat(err.toString()).contains("STREAM");
    }

    @Test
    void refreshTakesOneView() {
        assertThat(parse(new RefreshCommand(), "orders_view", "--max-wait", "1m").maxWait).isEqualTo(Duration.ofMinutes(1));
        assertThat(run("refresh")).isEqualTo(2);
        assertThat(run("refresh", "a", "b")).isEqualTo(2);
    }

    @Test
    void dltSelectionsTakeReasonsOffsetsAndTimes() {
        DltCommand.ListLetters list = parse(new DltCommand.ListLetters(), "orders", "--reason", "invalid_json",
                "--reason=missing_key", "--partition", "2", "--from-offset=10", "--to-offset", "20",
                "--since", "2026-12-01T10:00:00Z", "--until=30m");
        assertThat(list.selection.selection().reasons()).containsExactlyInAnyOrder("invalid_json", "missing_key");
        assertThat(list.selection.selection().partition()).isEqualTo(2);
        assertThat(list.selection.selection().fromOffset()).isEqualTo(10);
        assertThat(list.selection.selection().toOffset()).isEqualTo(20);
        assertThat(list.selection.selection().since()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(list.selection.selection().until()).isBefore(Instant.now().minusSeconds(29 * 60));
        assertThat(run("dlt", "list", "orders", "--since", "yesterday")).isEqualTo(2);
        assertThat(err.toString()).contains("neither a time");
    }

    @Test
    void dltShowKeepsTheDocumentUnlessAsked() {
        DltCommand.Show show = parse(new DltCommand.Show(), "orders", "1", "42");
        assertThat(show.partition).isEqualTo(1);
        assertThat(show.offset).isEqualTo(42);
        assertThat(show.withValue).isFalse();
        assertThat(parse(new DltCommand.Show(), "orders", "1", "42", "--with-value").withValue).isTrue();
        assertThat(run("dlt", "show", "orders", "1")).as("no offset").isEqualTo(2);
    }

    @Test
    void aReplayMustSayWhichLettersAndChecksTheSelectionBeforeContactingAnything() {
        String nowhere = "--jdbc-url=jdbc:postgresql://127.0.0.1:1/none";
        assertThat(run("dlt", "replay", "orders", nowhere)).isEqualTo(2);
        assertThat(err.toString()).contains("--all");
        assertThat(run("dlt", "replay", "orders", "--all", "--reason", "invalid_json", nowhere)).isEqualTo(2);
        assertThat(run("dlt", "replay", "orders", "--from-offset", "3", nowhere)).as("offsets need a partition").isEqualTo(1);
        assertThat(err.toString()).contains("needs its partition");
        DltCommand.Replay replay = parse(new DltCommand.Replay(), "orders", "--all", "--dry-run=false");
        assertThat(replay.all).isTrue();
        assertThat(replay.dryRun).isFalse();
        assertThat(parse(new DltCommand.Replay(), "orders", "--all", "--dry-run").dryRun).isTrue();
    }

    @Test
    void anUnreachableSystemIsOneSentenceAndExitOne() {
        assertThat(run("status", "--jdbc-url=jdbc:postgresql://127.0.0.1:1/none", "--timeout=2s", "--sample=0s")).isEqualTo(1);
        assertThat(err.toString()).startsWith("bin/ingest status: the database cannot be reached");
        assertThat(err.toString().lines().count()).isEqualTo(1);
    }

    @Test
    void completionPrintsTheScript() {
        assertThat(run("completion")).isZero();
        assertThat(out.toString()).contains("complete -F").contains("ingest");
    }

    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    private static void paths(CommandLine command, List<String> path, List<List<String>> paths) {
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue; // picocli's help command has --help, not --version
            }
            List<String> subPath = new ArrayList<>(path);
            subPath.add(sub.getKey());
            paths.add(subPath);
            paths(sub.getValue(), subPath, paths);
        }
    }
}
