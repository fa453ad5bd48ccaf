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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Entry point of {@code bin/ingest bench}: {@code bench <scenario> [--option=value ...]}. */
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
        System.setProperty("java.awt.headless", "true");
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(help());
            return;
        }
        if (args[0].equals("redraw")) {
            redraw(Arrays.asList(args).subList(1, args.length));
            return;
        }
        Scenario scenario = SCENARIOS.get(args[0]);
        if (scenario == null) {
            System.err.println("unknown scenario '" + args[0] + "'\n\n" + help());
            System.exit(2);
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        if (rest.contains("--help")) {
            System.out.println("bench " + scenario.name() + ": " + scenario.summary() + "\n\noptions:\n" + indent(scenario.usage()));
            return;
        }
        try {
            Options options = new Options(rest);
            Path results = Path.of(options.string("results-dir", System.getProperty("bench.results", "load-tests/results")));
            scenario.run(options, new Progress(), results);
        } catch (IllegalArgumentException e) {
            System.err.println("bench " + scenario.name() + ": " + e.getMessage() + "\n\noptions:\n" + indent(scenario.usage()));
            System.exit(2);
        } catch (Exception e) {
            System.err.println("bench " + scenario.name() + " failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    /** Draws the charts of earlier runs again from their JSON results (each next to its file, as .png). */
    private static void redraw(List<String> files) {
        if (files.isEmpty()) {
            System.err.println("usage: bin/ingest bench redraw <results.json> ...");
            System.exit(2);
        }
        for (String file : files) {
            try {
                tools.jackson.databind.JsonNode results = tools.jackson.databind.json.JsonMapper.shared().readTree(Path.of(file).toFile());
                Scenario scenario = SCENARIOS.get(results.get("scenario").asString());
                Path png = dev.upsertingest.loadtest.report.Results.chartFile(Path.of(file));
                scenario.chart(results).writePng(png);
                System.out.println("drew " + png);
            } catch (Exception e) {
                System.err.println("cannot redraw " + file + ": " + e.getMessage());
                System.exit(1);
            }
        }
    }

    static String help() {
        StringBuilder help = new StringBuilder("""
                usage: bin/ingest bench <scenario> [--option=value ...]
                       bin/ingest bench <scenario> --help

                Results go to load-tests/results/<scenario>-<timestamp>.json and .png (--results-dir to change).
                bin/ingest bench redraw <results.json> ... draws a run's chart again from its results.

                scenarios:
                """);
        SCENARIOS.values().forEach(s -> help.append(String.format("  %-22s %s%n", s.name(), s.summary())));
        return help.toString();
    }

    private static String indent(String text) {
        return text.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }
}
