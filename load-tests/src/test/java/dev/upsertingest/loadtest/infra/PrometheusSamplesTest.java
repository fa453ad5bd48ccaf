package dev.upsertingest.loadtest.infra;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusSamplesTest {

    private static final String EXPOSITION = """
            # HELP ingest_events_outcome_total What became of consumed events
            # TYPE ingest_events_outcome_total counter
            ingest_events_outcome_total{outcome="applied",reason="changed",stream="a"} 12.0
            ingest_events_outcome_total{outcome="dead_lettered",reason="invalid_json",stream="a"} 3.0
            ingest_events_outcome_total{outcome="dead_lettered",reason="invalid_json",stream="b"} 5.0
            ingest_conservation_violations_total 0.0
            odd_label{detail="say \\"hi\\", a\\\\b"} 1.0
            not a sample line
            """;

    @Test
    void samplesAreFoundByNameAndLabels() {
        PrometheusSamples samples = new PrometheusSamples(EXPOSITION);
        assertThat(samples.sum("ingest_events_outcome_total", "stream", "a")).isEqualTo(15.0);
        assertThat(samples.sum("ingest_events_outcome_total", "reason", "invalid_json")).isEqualTo(8.0);
        assertThat(samples.sum("ingest_events_outcome_total")).isEqualTo(20.0);
        assertThat(samples.sum("ingest_conservation_violations_total")).isZero();
        assertThat(samples.sum("missing_total")).isZero();
        assertThat(samples.named("ingest_events_outcome_total", "stream", "b")).singleElement().satisfies(s ->
                assertThat(s.labels()).isEqualTo(Map.of("outcome", "dead_lettered", "reason", "invalid_json", "stream", "b")));
    }

    @Test
    void escapedLabelValuesAreUnescaped() {
        assertThat(new PrometheusSamples(EXPOSITION).named("odd_label").getFirst().labels().get("detail")).isEqualTo("say \"hi\", a\\b");
    }
}
