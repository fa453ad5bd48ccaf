package dev.upsertingest.fuzz;

import java.util.Map;

/**
 * The worker's own accounts, as its metrics publish them ({@code ingest.events.consumed},
 * {@code ingest.events.outcome}, {@code ingest.conservation.violations}): read from the application context in a
 * test, scraped from {@code /actuator/prometheus} in a benchmark.
 */
public interface WorkerAccounts {

    /** Records of the stream the worker consumed. */
    long consumed(String stream);

    /** What became of them: {@code "<outcome>/<reason>"} to count, e.g. {@code "dead_lettered/invalid_json"}. */
    Map<String, Long> outcomes(String stream);

    /** Batches whose accounts did not add up. */
    long conservationViolations();

    /** What the worker says about a batch that keeps failing (its readiness), or an empty string. */
    String failingBatch();
}
