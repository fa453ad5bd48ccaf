package dev.upsertingest.loadtest;

import dev.upsertingest.loadtest.scenario.ViewRefreshScenario;
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

/** Keeps the view-refresh benchmark working with a tiny run (both modes, the checker at the end); no timing is asserted. */
class ViewRefreshScenarioIT {

    @Test
    void aSmallRunMeasuresIngestBothWaysAndEveryRefresh(@TempDir Path results) throws Exception {
        TestDatabase db = TestInfrastructure.postgres().createDatabase("bench_view");
        Options options = new Options(List.of("--rows=3000", "--ingest-events=2000", "--changes=0,10",
                "--jdbc-url=" + db.jdbcUrl(), "--db-user=" + db.user(), "--db-password=" + db.password()));

        Path json = new ViewRefreshScenario().run(options, new Progress(), results);

        JsonNode document = JsonMapper.shared().readTree(json.toFile());
        assertThat(document.get("ingest").get("primary_key_only_events_per_s").asLong()).isPositive();
        assertThat(document.get("ingest").get("eight_indexes_on_table_events_per_s").asLong()).isPositive();
        assertThat(document.get("refresh")).hasSize(2);
        assertThat(document.get("refresh").get(1).get("changed_rows").asLong()).isEqualTo(300);
        assertThat(document.get("refresh").get(1).get("incremental_keys_applied").asLong()).isEqualTo(300);
        assertThat(document.get("views").get("incremental_differences_after_all_refreshes").asLong()).isZero();
        assertThat(Files.size(results.resolve(json.getFileName().toString().replace(".json", ".png")))).isPositive();
        for (String view : List.of("bench_view_f", "bench_view_i")) { // the full and the incremental view, same indexes
            assertThat(db.count("select count(*) from views." + view)).isEqualTo(3000);
            assertThat(db.count("select count(*) from pg_indexes where schemaname = 'views' and tablename = '" + view + "'"))
                    .isEqualTo(9);
        }
        assertThat(db.count("select count(*) from pg_indexes where schemaname = 'streams' and tablename = 'bench_view'"))
                .as("the table is back to its primary key").isEqualTo(1);
    }
}
