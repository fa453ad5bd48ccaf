package dev.upsertingest.loadtest;

import dev.upsertingest.loadtest.report.Results;
import dev.upsertingest.loadtest.scenario.CeilingVsPipelineScenario;
import dev.upsertingest.loadtest.scenario.CrashRebuildScenario;
import dev.upsertingest.loadtest.scenario.DebeziumSinkScenario;
import dev.upsertingest.loadtest.scenario.DurabilityLadderScenario;
import dev.upsertingest.loadtest.scenario.HotKeysScenario;
import dev.upsertingest.loadtest.scenario.ScaleOutScenario;
import dev.upsertingest.loadtest.scenario.Scenario;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the pipeline benchmarks working: tiny runs (the worker and a broker as processes, as in a real run) must write
 * complete results with positive figures and a chart. No timing is asserted. Needs the worker's runnable jar
 * ({@code ingest-worker/target/*-exec.jar}), which the reactor build makes before this module.
 */
class PipelineScenariosIT {

    @TempDir
    Path results;

    @BeforeAll
    static void findTheWorkerJar() {
        if (System.getProperty("ingest.home") == null) {
            System.setProperty("ingest.home", Path.of("..").toAbsolutePath().normalize().toString());
        }
    }

    @Test
    void ceilingVsPipelineMeasuresBothAndTheLatency() throws Exception {
        JsonNode document = run(new CeilingVsPipelineScenario(), "bench_cvp", "--events=6000", "--key-space=3000",
                "--sustain-seconds=5", "--rate=500", "--probe-every=10", "--warmup-events=1000");
        assertStandardFields(document);
        assertThat(document.get("latency_ms").get("count").asLong()).isPositive();
        assertThat(document.get("latency_ms").get("p50").asDouble()).isPositive();
        assertThat(document.get("sustained").get("applied_events_per_s").asLong()).isPositive();
    }

    @Test
    void ceilingVsPipelineDrainsEachKeySpaceCaseBesideItsCeiling() throws Exception {
        JsonNode document = run(new CeilingVsPipelineScenario(), "bench_cases", "--events=4000", "--key-space=3000",
                "--cases=500:zipf:1.1", "--view=false", "--sustain-seconds=0", "--warmup-events=0");
        assertStandardFields(document);
        assertThat(document.get("cases")).hasSize(2);
        JsonNode zipf = document.get("cases").get(1);
        assertThat(zipf.get("key_distribution").asString()).isEqualTo("zipf:1.1");
        assertThat(zipf.get("distinct_keys").asLong()).isBetween(1L, 500L);
        assertThat(zipf.get("pipeline_events_per_s").asLong()).isPositive();
        assertThat(zipf.get("ratio").asDouble()).isPositive();
        assertThat(document.get("drains")).hasSize(2);
    }

    @Test
    void debeziumSinkDrainsTheSameBacklogAsTheWorker() throws Exception {
        JsonNode document = run(new DebeziumSinkScenario(), "bench_dbz", "--events=3000", "--key-space=2000",
                "--warmup-events=0");
        assertThat(document.get("pipeline_events_per_s").asLong()).isPositive();
        assertThat(document.get("debezium_events_per_s").asLong()).isPositive();
        assertThat(document.get("debezium").get("distinct_keys").asLong()).isEqualTo(document.get("distinct_keys").asLong());
        assertThat(document.get("drains")).hasSize(3);
    }

    @Test
    void bigDocsComparesPipelineAndCeiling() throws Exception {
        assertStandardFields(run(CeilingVsPipelineScenario.bigDocs(), "bench_big", "--events=500", "--key-space=400",
                "--warmup-events=100"));
    }

    @Test
    void hotKeysDrainsUniformAndSkewed() throws Exception {
        JsonNode document = run(new HotKeysScenario(), "bench_hot", "--events=5000", "--key-space=5000", "--warmup-events=1000");
        assertStandardFields(document);
        assertThat(document.get("hot_over_uniform").asDouble()).isPositive();
        assertThat(document.get("drains")).hasSize(2);
    }

    @Test
    void scaleOutDrainsOncePerConcurrency() throws Exception {
        JsonNode document = run(new ScaleOutScenario(), "bench_scale", "--events=4000", "--key-space=2000",
                "--concurrency=1,2", "--partitions=4", "--warmup-events=0");
        assertStandardFields(document);
        assertThat(document.get("drains")).hasSize(2);
    }

    @Test
    void durabilityLadderMeasuresEveryRung() throws Exception {
        JsonNode document = run(new DurabilityLadderScenario(), "bench_ladder", "--events=4000", "--key-space=2000");
        assertThat(document.get("rungs")).hasSize(6);
        for (JsonNode rung : document.get("rungs")) {
            assertThat(rung.get("events_per_s").asLong()).as(rung.get("rung").asString()).isPositive();
        }
        assertThat(document.get("ceiling_events_per_s").asLong()).isPositive();
        assertThat(document.get("view_design_over_indexed_table").asDouble()).isPositive();
        assertThat(document.get("rungs").get(5).get("view_refresh_concurrently_s").asDouble()).isPositive();
    }

    @Test
    void crashRebuildBringsEveryKeyBack() throws Exception {
        JsonNode document = run(new CrashRebuildScenario(), null, "--events=3000", "--key-space=3000", "--outage=3",
                "--load-rate=200");
        assertThat(document.get("distinct_keys").asLong()).isEqualTo(3000);
        assertThat(document.get("pipeline_events_per_s").asLong()).isPositive();
        assertThat(document.get("crash").get("all_keys_back").asBoolean()).isTrue();
        assertThat(document.get("crash").get("rebuild_done_after_s").asDouble()).isPositive();
        assertThat(document.get("clean_stop").get("writing_again_after_s").asDouble()).isPositive();
        assertThat(document.get("clean_stop").get("all_keys_present").asBoolean()).isTrue();
    }

    /** Runs a scenario against a fresh test database ({@code database} null: the scenario brings its own). */
    private JsonNode run(Scenario scenario, String database, String... options) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(options));
        if (database != null) {
            TestDatabase db = TestInfrastructure.postgres().createDatabase(database);
            arguments.addAll(List.of("--jdbc-url=" + db.jdbcUrl(), "--db-user=" + db.user(), "--db-password=" + db.password()));
        }
        Path json = scenario.run(new Options(arguments), new Progress(), results);
        assertThat(Files.size(Results.chartFile(json))).isPositive();
        JsonNode document = JsonMapper.shared().readTree(json.toFile());
        assertThat(document.get("scenario").asString()).isEqualTo(scenario.name());
        assertThat(Instant.parse(document.get("started_at").asString())).as("started_at")
                .isBefore(Instant.parse(document.get("finished_at").asString()));
        for (String field : List.of("parameters", "events", "distinct_keys", "pipeline_events_per_s", "ceiling_events_per_s",
                "ratio", "latency_ms", "staleness", "heap")) {
            assertThat(document.has(field)).as("results have %s", field).isTrue();
        }
        return document;
    }

    private static void assertStandardFields(JsonNode document) {
        assertThat(document.get("events").asLong()).isPositive();
        assertThat(document.get("distinct_keys").asLong()).isPositive();
        assertThat(document.get("pipeline_events_per_s").asLong()).isPositive();
        assertThat(document.get("heap").get("max_used_mb").asLong()).isPositive();
        assertThat(document.get("heap").get("limit_mb").asLong()).as("the worker's -Xmx").isEqualTo(512);
        assertThat(document.get("ceiling_events_per_s").asLong()).isPositive();
        assertThat(document.get("ratio").asDouble()).isPositive();
    }
}
