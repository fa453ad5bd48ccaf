package dev.upsertingest.loadtest;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bin/ingest bench}: --help on the command, every scenario and redraw, without running anything. */
class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine bench = BenchCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    @Test
    void helpListsTheScenarios() {
        assertThat(bench.execute("--help")).isZero();
        assertThat(out.toString()).contains("Scenarios:").contains("write-methods").contains("crash-rebuild").contains("redraw");
    }

    @Test
    void everyScenarioHasItsOwnHelpWithItsOptions() {
        for (var scenario : Bench.scenarios()) {
            out.getBuffer().setLength(0);
            assertThat(bench.execute(scenario.name(), "--rounds", "3", "--help")).as(scenario.name()).isZero();
            assertThat(out.toString()).as(scenario.name()).startsWith("Usage: ingest bench " + scenario.name())
                    .contains(scenario.summary().substring(0, Math.min(20, scenario.summary().length())))
                    .contains("Options of the scenario");
        }
    }

    @Test
    void redrawHelpIsHelpNotAFileNamedHelp() {
        assertThat(bench.execute("redraw", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: bench redraw").contains("RESULTS.json");
        assertThat(err.toString()).doesNotContain("cannot redraw");
    }

    @Test
    void anUnknownScenarioIsAUsageError() {
        assertThat(bench.execute("no-such-scenario")).isEqualTo(2);
        assertThat(err.toString()).contains("no-such-scenario");
    }

    @Test
    void aStrayArgumentIsRefusedBeforeTheScenarioStarts() {
        assertThat(bench.execute("write-methods", "--rounds", "3", "stray")).isEqualTo(2);
        assertThat(err.toString()).contains("unexpected argument 'stray'");
    }
}
