package dev.upsertingest.loadtest;

import dev.upsertingest.loadtest.scenario.Scenario;
import dev.upsertingest.local.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/ingest bench}: one subcommand per scenario, plus {@code redraw}. The command line is picocli's
 * ({@code --help} everywhere, {@code --version}); a scenario's own options are read by the scenario through
 * {@link Options}, which takes {@code --name value} and {@code --name=value} alike, so a scenario declares an option
 * by reading it and nothing here changes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        synopsisSubcommandLabel = "SCENARIO",
        description = {"Runs a benchmark on this machine against real processes (embedded PostgreSQL, a broker process, "
                + "the worker's jar), or against --jdbc-url / --bootstrap-servers given to it. Run it alone on the "
                + "machine. Results go to load-tests/results/<scenario>-<timestamp>.json and .png (--results-dir to "
                + "change); bin/ingest bench SCENARIO --help lists a scenario's options."},
        commandListHeading = "%nScenarios:%n")
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandSpec spec;

    public static CommandLine commandLine() {
        CommandLine bench = new CommandLine(new BenchCommand());
        for (Scenario scenario : Bench.scenarios()) {
            bench.addSubcommand(scenario.name(), new CommandLine(scenarioSpec(scenario)));
        }
        bench.addSubcommand("redraw", new CommandLine(new Redraw()));
        return bench;
    }

    /** Without a scenario: the list of them. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** A scenario as a subcommand: its summary and option list as help, every argument after its name for it. */
    private static CommandSpec scenarioSpec(Scenario scenario) {
        ScenarioRun run = new ScenarioRun(scenario);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(run);
        spec.name(scenario.name());
        spec.mixinStandardHelpOptions(true);
        spec.versionProvider(new Versions());
        spec.usageMessage()
                .description(scenario.summary().replace("%", "%%"))
                .customSynopsis("ingest bench " + scenario.name() + " [-hV] [--OPTION VALUE | --OPTION=VALUE]...")
                .footerHeading("%nOptions of the scenario (--name value or --name=value; a flag alone is true, =false turns it off):%n")
                .footer(Bench.indent(scenario.usage()).replace("%", "%%"))
                .autoWidth(false).width(110);
        run.options = PositionalParamSpec.builder().paramLabel("OPTION").arity("0..*").type(List.class)
                .auxiliaryTypes(String.class).hidden(true).build();
        spec.addPositional(run.options);
        run.spec = spec;
        // --rounds, --rounds=3: the scenario's, not picocli's (which would refuse what it does not know)
        spec.parser().unmatchedOptionsArePositionalParams(true);
        return spec;
    }

    private static final class ScenarioRun implements Callable<Integer> {
        private final Scenario scenario;
        private PositionalParamSpec options;
        private CommandSpec spec;

        ScenarioRun(Scenario scenario) {
            this.scenario = scenario;
        }

        @Override
        public Integer call() {
            List<String> given = options.getValue();
            return Bench.run(scenario, given == null ? List.of() : given, spec.commandLine().getErr());
        }
    }

    @Command(name = "redraw", mixinStandardHelpOptions = true, versionProvider = Versions.class,
            usageHelpAutoWidth = false, usageHelpWidth = 110,
            description = "Draws the chart of earlier runs again from their JSON results (each next to its file, as .png).")
    static final class Redraw implements Callable<Integer> {

        @Parameters(arity = "1..*", paramLabel = "RESULTS.json", description = "Results files of earlier runs.")
        List<Path> files;

        @Override
        public Integer call() {
            return Bench.redraw(files);
        }
    }
}
