package dev.upsertingest.loadtest;

import dev.upsertingest.loadtest.scenario.ApiLoadScenario;
import dev.upsertingest.loadtest.scenario.CeilingVsPipelineScenario;
import dev.upsertingest.loadtest.scenario.CrashRebuildScenario;
import dev.upsertingest.loadtest.scenario.DebeziumSinkScenario;
import dev.upsertingest.loadtest.scenario.DurabilityLadderScenario;
import dev.upsertingest.loadtest.scenario.FuzzScenario;
import dev.upsertingest.loadtest.scenario.HotKeysScenario;
import dev.upsertingest.loadtest.scenario.ScaleOutScenario;
import dev.upsertingest.loadtest.scenario.Scenario;
import dev.upsertingest.loadtest.scenario.ViewRefreshScenario;
import dev.upsertingest.loadtest.scenario.WriteMethodsScenario;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The scenarios of {@code bin/ingest bench} ({@link BenchCommand} is its command line). */
public final class Bench {

    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        for (Scenario scenario : List.<Scenario>of(new WriteMethodsScenario(), new ViewRefreshScenario(), new ApiLoadScenario(),
                new CeilingVsPipelineScenario(), new DurabilityLadderScenario(), new HotKeysScenario(),
                CeilingVsPipelineScenario.bigDocs(), new ScaleOutScenario(), new CrashRebuildScenario(),
                new DebeziumSinkScenario(), new FuzzScenario())) {
            SCENARIOS.put(scenario.name(), scenario);
        }
    }

    private Bench() {
    }

    public static void main(String[] args) {
        System.exit(BenchCommand.commandLine().execute(args));
    }

    /** The scenarios, in the order {@code bench --help} lists them. */
    static Collection<Scenario> scenarios() {
        return SCENARIOS.values();
    }

    /** Runs a scenario with its options; 2 for an option it refuses, 1 when it fails. */
    static int run(Scenario scenario, List<String> arguments, java.io.PrintWriter err) {
        System.setProperty("java.awt.headless", "true");
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        try {
            Options options = new Options(arguments);
            Path results = Path.of(options.string("results-dir", System.getProperty("bench.results", "load-tests/results")));
            scenario.run(options, new Progress(), results);
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("bench " + scenario.name() + ": " + e.getMessage() + "\n\noptions:\n" + indent(scenario.usage()));
            err.flush();
            return 2;
        } catch (Exception e) {
            System.err.println("bench " + scenario.name() + " failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    /** Draws the charts of earlier runs again from their JSON results (each next to its file, as .png). */
    static int redraw(List<Path> files) {
        System.setProperty("java.awt.headless", "true");
        for (Path file : files) {
            try {
                tools.jackson.databind.JsonNode results = tools.jackson.databind.json.JsonMapper.shared().readTree(file.toFile());
                Scenario scenario = SCENARIOS.get(results.get("scenario").asString());
                Path png = dev.upsertingest.loadtest.report.Results.chartFile(file);
                scenario.chart(results).writePng(png);
                System.out.println("drew " + png);
            } catch (Exception e) {
                System.err.println("cannot redraw " + file + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    static String indent(String text) {
        return text.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
