package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.report.LineChart;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;

/** One benchmark, run by {@code bin/ingest bench <name> [--option=value ...]}. */
public interface Scenario {

    String name();

    /** One line for the scenario list. */
    String summary();

    /** The options it takes, one per line, with defaults. */
    String usage();

    /** Runs it, prints a summary on stdout, writes results under {@code resultsDirectory}; returns the JSON file. */
    Path run(Options options, Progress progress, Path resultsDirectory) throws Exception;

    /** The chart of a run, drawn from its results document alone (so that it can be redrawn later). */
    LineChart chart(JsonNode results);
}
