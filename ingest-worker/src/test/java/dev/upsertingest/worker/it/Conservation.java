package dev.upsertingest.worker.it;

import dev.upsertingest.worker.metrics.IngestMetrics;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The worker's promise, checked from outside: every consumed event applied, dead-lettered or ignored, once. */
final class Conservation {

    private Conservation() {
    }

    /**
     * Asserts that the worker consumed {@code produced} events of the stream, that its outcomes add up to exactly that
     * (applied + dead_lettered + ignored), that {@code deadLetters} of them went to the dead-letter topic, and that no
     * batch broke the accounts.
     */
    static Map<String, Long> assertConserved(WorkerHarness worker, String stream, long produced, long deadLetters) {
        Map<String, Long> outcomes = worker.outcomes(stream);
        assertThat(worker.consumed(stream)).as("events consumed of %s", stream).isEqualTo(produced);
        assertThat(outcomes.values().stream().mapToLong(Long::longValue).sum())
                .as("applied + dead_lettered + ignored of %s: %s", stream, outcomes).isEqualTo(produced);
        assertThat(worker.outcome(stream, "applied") + worker.outcome(stream, "dead_lettered") + worker.outcome(stream, "ignored"))
                .as("only the three outcomes").isEqualTo(produced);
        assertThat(worker.outcome(stream, "dead_lettered")).as("dead-lettered events of %s: %s", stream, outcomes)
                .isEqualTo(deadLetters);
        assertThat(worker.counter(IngestMetrics.CONSERVATION_VIOLATIONS)).as("batches whose accounts did not add up").isZero();
        return outcomes;
    }
}
