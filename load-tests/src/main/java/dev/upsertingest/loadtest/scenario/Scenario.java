package dev.upsertingest.loadtest.scenario;

import dev.upsertingest.loadtest.Options;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.report.LineChart;
import dev.upsertingest.loadtest.report.Results;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

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

    /**
     * Writes a run's results {@code document} under {@code directory} and draws its chart from the file written (as
     * {@code bench redraw} would), beside it; returns the JSON file.
     */
    default Path save(Path directory, Progress progress, Map<String, Object> document) throws IOException {
        Path json = new Results(directory, name(), progress.started()).writeJson(document);
        chart(JsonMapper.shared().readTree(json.toFile())).writePng(Results.chartFile(json));
        return json;
    }
}
