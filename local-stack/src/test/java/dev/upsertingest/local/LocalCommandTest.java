package dev.upsertingest.local;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/ingest local}'s command line: both option forms, booleans that honour {@code =false} (a flag that deletes
 * data is set only when asked for exactly), values checked before anything starts.
 */
class LocalCommandTest {

    private final StringWriter err = new StringWriter();

    private LocalRunOptions parse(String... args) {
        LocalCommand command = new LocalCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.parseArgs(args);
        return command.options(commandLine.getCommandSpec());
    }

    @Test
    void freshAndDemoAreOffUnlessAskedForAndFalseMeansFalse() {
        assertThat(parse().fresh()).isFalse();
        assertThat(parse("--fresh=false").fresh()).as("--fresh=false keeps the data").isFalse();
        assertThat(parse("--fresh", "false").fresh()).isFalse();
        assertThat(parse("--fresh").fresh()).isTrue();
        assertThat(parse("--fresh=true").fresh()).isTrue();
        assertThat(parse("--demo=false").demo()).as("--demo=false does not start the demo").isFalse();
        assertThat(parse("--demo").demo()).isTrue();
    }

    @Test
    void aBooleanTakesTrueOrFalseAndNothingElse() {
        assertThat(execute("--fresh=yes")).isEqualTo(2);
        assertThat(err.toString()).contains("--fresh").contains("yes");
    }

    @Test
    void optionsTakeTheGnuFormsBoth() {
        assertThat(parse("--api-port", "9000").apiPort()).isEqualTo(9000);
        assertThat(parse("--api-port=9001").apiPort()).isEqualTo(9001);
        assertThat(parse("--data-dir", "/tmp/x").dataDirectory()).isEqualTo(Path.of("/tmp/x"));
        assertThat(parse("--jdbc-url", "jdbc:postgresql://db:5432/ingest").jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/ingest");
        assertThat(parse().postgresPort()).isEqualTo(55432);
    }

    @Test
    void badValuesAreUsageErrorsBeforeAnythingStarts() {
        assertThat(execute("--api-port=70000")).isEqualTo(2);
        assertThat(err.toString()).contains("--api-port must be a port number");
        assertThat(execute("--jdbc-url=postgres://x")).isEqualTo(2);
        assertThat(execute("--no-such-option")).isEqualTo(2);
        assertThat(execute("--demo-rate", "0")).isEqualTo(2);
    }

    @Test
    void helpAndVersionAnswerWithoutStartingAnything() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = LocalCommand.commandLine().setOut(new PrintWriter(out));
        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: local").contains("--fresh[=true|false]").contains("--jdbc-url=URL");
        out.getBuffer().setLength(0);
        assertThat(commandLine.execute("--version")).isZero();
        assertThat(out.toString().strip()).isEqualTo("Upsert Ingest " + Versions.VERSION);
    }

    private int execute(String... args) {
        err.getBuffer().setLength(0);
        CommandLine commandLine = new CommandLine(new LocalCommand() {
            @Override
            public Integer call() {
                options(spec); // validate, start nothing
                return 0;
            }
        }).setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }
}
