package dev.upsertingest.helm;

import dev.upsertingest.local.PostgresTuning;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The PostgreSQL settings ConfigMap: the settings the benchmarks run with, each with its reason. */
class PostgresTuningTest {

    @Test
    void defaultsAreTheSettingsTheBenchmarksRunWith() {
        Map<String, String> rendered = settings(Chart.render());

        assertThat(rendered).containsAllEntriesOf(PostgresTuning.settings());
        assertThat(rendered).containsEntry("synchronous_commit", "on");
        // Ends an analyst's query whose client went away, which no login setting can guarantee.
        assertThat(rendered).containsEntry("client_connection_check_interval", "5s");
    }

    @Test
    void everySettingCarriesItsReasonAndAnAlterSystemStatement() {
        ConfigMap tuning = Chart.render().get(ConfigMap.class, Rendered.name("postgresql-tuning"));
        String conf = tuning.getData().get("postgresql.conf");
        String alterSystem = tuning.getData().get("alter-system.sql");

        assertThat(conf).contains("""
                # Group commit for logged tables with synchronous_commit on; concurrent commits share one WAL flush.
                commit_delay = '200'
                """);
        PostgresTuning.settings().forEach((name, value) ->
                assertThat(alterSystem).contains("ALTER SYSTEM SET " + name + " = '" + value + "';"));
        assertThat(alterSystem).endsWith("SELECT pg_reload_conf();\n");
    }

    @Test
    void operatorsChangeDropAndAddSettings() {
        Map<String, String> rendered = settings(Chart.render("ci/tuning-values.yaml"));

        assertThat(rendered).containsEntry("shared_buffers", "4GB").containsEntry("random_page_cost", "1.1")
                .doesNotContainKey("commit_delay");
    }

    private static Map<String, String> settings(Rendered rendered) {
        String conf = rendered.get(ConfigMap.class, Rendered.name("postgresql-tuning")).getData().get("postgresql.conf");
        Map<String, String> settings = new LinkedHashMap<>();
        conf.lines().filter(l -> !l.startsWith("#") && l.contains(" = ")).forEach(l -> {
            String[] parts = l.split(" = ", 2);
            settings.put(parts[0], parts[1].substring(1, parts[1].length() - 1));
        });
        return settings;
    }
}
