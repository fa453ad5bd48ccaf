package dev.upsertingest.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import static dev.upsertingest.helm.Rendered.env;
import static org.assertj.core.api.Assertions.assertThat;

/** The migrations run as a pre-install/pre-upgrade hook Job with the Flyway CLI image. */
class MigrationsJobTest {

    @Test
    void theJobAndItsSqlAreHooksThatRunBeforeTheRelease() {
        // Rendering renames the hook annotations (see Chart); the chart itself declares them.
        assertThat(Chart.read("templates/migrations-job.yaml"))
                .contains("helm.sh/hook: pre-install,pre-upgrade", "helm.sh/hook-weight: \"0\"");
        assertThat(Chart.read("templates/migrations-sql-configmap.yaml"))
                .contains("helm.sh/hook: pre-install,pre-upgrade", "helm.sh/hook-weight: \"-10\"");

        Job job = Chart.render().migrationJob();
        assertThat(job.getMetadata().getAnnotations())
                .containsEntry(Chart.HOOK_PREFIX, "pre-install,pre-upgrade")
                .containsEntry(Chart.HOOK_PREFIX + "-delete-policy", "before-hook-creation");
    }

    @Test
    void flywayMigratesTheProjectsScriptsWithTheLoginFromTheSecret() {
        Job job = Chart.render().migrationJob();
        Container flyway = job.getSpec().getTemplate().getSpec().getContainers().getFirst();

        assertThat(flyway.getImage()).isEqualTo("upsert-ingest/migrations:0.1.0-SNAPSHOT");
        assertThat(flyway.getArgs()).containsExactly("migrate");
        assertThat(env(flyway, "FLYWAY_URL").getValue()).isEqualTo("jdbc:postgresql://postgresql:5432/ingest");
        assertThat(env(flyway, "FLYWAY_LOCATIONS").getValue())
                .isEqualTo("filesystem:/flyway/sql/migration,filesystem:/flyway/sql/example");
        assertThat(env(flyway, "FLYWAY_USER").getValueFrom().getSecretKeyRef().getName()).isEqualTo("upsert-ingest-database");
        assertThat(env(flyway, "FLYWAY_USER").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("username");
        assertThat(env(flyway, "FLYWAY_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        assertThat(env(flyway, "FLYWAY_CONNECT_RETRIES").getValue()).isEqualTo("60");
        assertThat(env(flyway, "HOME").getValue()).isEqualTo("/tmp");
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(1);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    }

    @Test
    void ownMigrationsAndStreamDurabilityJoinTheLocations() {
        Rendered rendered = Chart.render("ci/tuning-values.yaml");
        Job job = rendered.migrationJob();
        Container flyway = job.getSpec().getTemplate().getSpec().getContainers().getFirst();

        assertThat(env(flyway, "FLYWAY_LOCATIONS").getValue()).isEqualTo(String.join(",",
                "filesystem:/flyway/sql/migration",
                "filesystem:/flyway/sql/extra/ingest-streams",
                "filesystem:/flyway/sql/custom",
                "filesystem:/flyway/sql/chart"));
        assertThat(env(flyway, "FLYWAY_CONNECT_RETRIES").getValue()).isEqualTo("5");
        assertThat(flyway.getVolumeMounts()).extracting(m -> m.getMountPath())
                .contains("/flyway/sql/extra/ingest-streams", "/flyway/sql/chart", "/tmp");
        assertThat(job.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v ->
                assertThat(v.getConfigMap() != null && v.getConfigMap().getName().equals("ingest-streams")).isTrue());

        ConfigMap sql = rendered.get(ConfigMap.class, Rendered.name("migrations-sql"));
        assertThat(sql.getMetadata().getAnnotations()).containsEntry(Chart.HOOK_PREFIX, "pre-install,pre-upgrade");
        String script = sql.getData().get("R__chart_stream_durability.sql");
        assertThat(script)
                .contains("SELECT ingest.set_stream_durability(name, 'logged') FROM ingest.stream\nWHERE name = 'orders' AND durability <> 'logged';")
                .contains("SELECT ingest.set_stream_durability(name, 'unlogged') FROM ingest.stream\nWHERE name = 'clicks' AND durability <> 'unlogged';")
                .contains("RAISE EXCEPTION 'migrations.streamDurability: stream orders is not declared'");
    }

    @Test
    void withoutDurabilityValuesThereIsNoGeneratedMigration() {
        Rendered rendered = Chart.render();

        assertThat(rendered.find(ConfigMap.class, Rendered.name("migrations-sql"))).isEmpty();
    }

    @Test
    void durabilityNeedsTheJob() {
        assertThat(Chart.renderFailure("migrations.enabled=false", "migrations.streamDurability.orders=logged"))
                .contains("migrations.streamDurability is applied by the migration Job");
    }
}
