package dev.upsertingest.loadtest;

import dev.upsertingest.loadtest.scenario.WriteMethodsScenario;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the benchmark working: a tiny run must produce a complete result file and a chart. No timing asserted. */
class WriteMethodsScenarioIT {

    @Test
    void aSmallRunWritesResultsForEveryMethodAndBatchSize(@TempDir Path results) throws Exception {
        TestDatabase db = TestInfrastructure.postgres().createDatabase("bench");
        Options options = new Options(List.of("--events=3000", "--key-space=100", "--batch-sizes=100,1000", "--rounds=1",
                "--jdbc-url=" + db.jdbcUrl(), "--db-user=" + db.user(), "--db-password=" + db.password()));

        Path json = new WriteMethodsScenario().run(options, new Progress(), results);

        JsonNode document = JsonMapper.shared().readTree(json.toFile());
        assertThat(document.get("scenario").asString()).isEqualTo("write-methods");
        assertThat(document.get("results")).hasSize(5 * 2);
        for (JsonNode row : document.get("results")) {
            assertThat(row.get("events_per_s").asLong()).isPositive();
        }
        assertThat(Files.size(Path.of(json.toString().replace(".json", ".png")))).isPositive();
        assertThat(db.count("select count(*) from streams.bench_write")).isEqualTo(100); // 3000 uniform draws over 100 keys hit them all
    }
}
