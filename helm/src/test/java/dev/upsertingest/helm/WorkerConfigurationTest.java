package dev.upsertingest.helm;

import com.zaxxer.hikari.HikariConfig;
import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.worker.consume.ConsumerSettings;
import dev.upsertingest.worker.errors.ErrorSettings;
import dev.upsertingest.worker.consume.TopicSettings;
import dev.upsertingest.worker.recovery.RecoverySettings;
import dev.upsertingest.worker.refresh.RefreshSettings;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerProperties;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;

import static dev.upsertingest.helm.Rendered.env;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each worker value reaches the worker: the rendered application.yml is bound with the worker's own
 * {@code @ConfigurationProperties} records, as Spring Boot binds it at startup.
 */
class WorkerConfigurationTest {

    private static final Map<String, Object> ENVIRONMENT = Map.of(
            "INGEST_DB_USERNAME", "worker", "INGEST_DB_PASSWORD", "secret-from-the-secret");

    private static Rendered defaults;
    private static Rendered tuned;

    @BeforeAll
    static void render() {
        defaults = Chart.render();
        tuned = Chart.render("ci/tuning-values.yaml");
    }

    @Test
    void defaultValuesAreTheWorkersOwnDefaults() {
        Rendered.ConfigBinder config = defaults.binder("worker", ENVIRONMENT);
        Binder empty = new Binder();

        assertThat(config.bind("ingest.consumer", ConsumerSettings.class)).isEqualTo(empty.bindOrCreate("ingest.consumer", ConsumerSettings.class));
        assertThat(config.bind("ingest.write", WriteSettings.class)).isEqualTo(empty.bindOrCreate("ingest.write", WriteSettings.class));
        assertThat(config.bind("ingest.topics", TopicSettings.class)).isEqualTo(empty.bindOrCreate("ingest.topics", TopicSettings.class));
        assertThat(config.bind("ingest.refresh", RefreshSettings.class)).isEqualTo(empty.bindOrCreate("ingest.refresh", RefreshSettings.class));
        assertThat(config.bind("ingest.recovery", RecoverySettings.class)).isEqualTo(empty.bindOrCreate("ingest.recovery", RecoverySettings.class));
        assertThat(config.bind("ingest.events", EventLimits.class)).isEqualTo(EventLimits.defaults());
        // What the jar's application.yml sets: a pool of 6 that waits 5 s for a connection, 60 s to shut down.
        HikariConfig hikari = config.bindOnto("spring.datasource.hikari", new HikariConfig());
        assertThat(hikari.getMaximumPoolSize()).isEqualTo(6);
        assertThat(hikari.getConnectionTimeout()).isEqualTo(5_000);
        assertThat(config.value("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void consumerValuesReachTheConsumer() {
        ConsumerSettings consumer = tuned.binder("worker", ENVIRONMENT).bind("ingest.consumer", ConsumerSettings.class);

        assertThat(consumer.groupId()).isEqualTo("ingest-prod");
        assertThat(consumer.concurrency()).isEqualTo(4);
        assertThat(consumer.writers()).isEqualTo(3);
        assertThat(consumer.maxPollRecords()).as("max.poll.records, the batch size").isEqualTo(5000);
        assertThat(consumer.fetchMinSize()).isEqualTo(DataSize.ofKilobytes(64));
        assertThat(consumer.fetchMaxWait()).isEqualTo(Duration.ofMillis(250));
        assertThat(consumer.maxPartitionFetchSize()).isEqualTo(DataSize.ofMegabytes(8));
        assertThat(consumer.fetchMaxSize()).isEqualTo(DataSize.ofMegabytes(128));
        assertThat(consumer.shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(consumer.lagInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void errorValuesReachTheErrorPolicy() {
        ErrorSettings errors = tuned.binder("worker", ENVIRONMENT).bind("ingest.errors", ErrorSettings.class);

        assertThat(errors.retryInitialInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(errors.retryMaxInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(errors.deadLetterTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(errors.stuckAfter()).isEqualTo(Duration.ofMinutes(3));
    }

    @Test
    void writeTopicAndEventValuesReachTheWorker() {
        Rendered.ConfigBinder config = tuned.binder("worker", ENVIRONMENT);

        WriteSettings write = config.bind("ingest.write", WriteSettings.class);
        assertThat(write.method()).isEqualTo(WriteMethod.UNNEST_JSONB_ARRAY);
        assertThat(write.synchronousCommit()).isEqualTo(WriteSettings.SynchronousCommit.REMOTE_WRITE);
        assertThat(write.loggedSynchronousCommit()).isEqualTo(WriteSettings.SynchronousCommit.REMOTE_APPLY);
        assertThat(write.statementTimeout()).isEqualTo(Duration.ofSeconds(90));

        TopicSettings topics = config.bind("ingest.topics", TopicSettings.class);
        assertThat(topics.createMissing()).isFalse();
        assertThat(topics.partitions()).isEqualTo(12);
        assertThat(topics.replicationFactor()).isEqualTo((short) 3);
        assertThat(topics.cleanupPolicy()).isEqualTo("compact,delete");
        assertThat(topics.deadLetterPartitions()).isEqualTo(3);
        assertThat(topics.deadLetterRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(topics.adminTimeout()).as("worker.extraConfig wins over the chart's own rendering").isEqualTo(Duration.ofSeconds(50));

        EventLimits events = config.bind("ingest.events", EventLimits.class);
        assertThat(events.maxDocumentSize()).isEqualTo(DataSize.ofMegabytes(2));
        assertThat(events.maxKeySize()).isEqualTo(DataSize.ofKilobytes(1));
    }

    @Test
    void refreshValuesAndPerViewIntervalsReachTheRefresher() {
        RefreshSettings refresh = tuned.binder("worker", ENVIRONMENT).bind("ingest.refresh", RefreshSettings.class);

        assertThat(refresh.enabled()).isFalse();
        assertThat(refresh.tick()).isEqualTo(Duration.ofSeconds(2));
        assertThat(refresh.maxConcurrent()).isEqualTo(3);
        assertThat(refresh.catalogRefresh()).isEqualTo(Duration.ofSeconds(30));
        assertThat(refresh.statementTimeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(refresh.workMem()).isEqualTo(DataSize.ofMegabytes(256));
        assertThat(refresh.historyRetention()).isEqualTo(Duration.ofDays(3));
        // View names keep their underscores: they are matched against ingest.view.name.
        assertThat(refresh.intervals()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "orders_view", Duration.ofMinutes(1), "customer_totals", Duration.ofSeconds(30)));
    }

    @Test
    void recoveryValuesReachTheRebuilder() {
        RecoverySettings recovery = tuned.binder("worker", ENVIRONMENT).bind("ingest.recovery", RecoverySettings.class);

        assertThat(recovery.checkInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(recovery.adminTimeout()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void poolShutdownAndConnectionValuesReachSpringBoot() {
        Rendered.ConfigBinder config = tuned.binder("worker", ENVIRONMENT);

        HikariConfig hikari = config.bindOnto("spring.datasource.hikari", new HikariConfig());
        assertThat(hikari.getMaximumPoolSize()).isEqualTo(8);
        assertThat(hikari.getConnectionTimeout()).isEqualTo(10_000);
        assertThat(config.value("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.value("spring.flyway.enabled", Boolean.class)).as("the migration Job migrates").isFalse();
        assertThat(config.value("spring.datasource.url", String.class)).isEqualTo("jdbc:postgresql://postgresql:5432/ingest");
        assertThat(config.value("spring.datasource.password", String.class)).isEqualTo("secret-from-the-secret");
        assertThat(config.value("spring.kafka.bootstrap-servers", String.class)).isEqualTo("broker-0.kafka:9093,broker-1.kafka:9093");
        assertThat(config.binder().bind("spring.kafka.properties", org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, String.class)).get())
                .containsEntry("security.protocol", "SSL").containsEntry("client.rack", "zone-a");
        assertThat(config.value("logging.structured.format.console", String.class)).isEqualTo("ecs");
        assertThat(config.binder().bind("logging.level", org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, String.class)).get())
                .containsEntry("dev.upsertingest", "debug");
        assertThat(config.value("management.metrics.tags.environment", String.class)).isEqualTo("prod");
    }

    @Test
    void resilience4jInstancesPassThrough() {
        Rendered.ConfigBinder config = tuned.binder("worker", ENVIRONMENT);

        var breaker = config.bindOnto("resilience4j.circuitbreaker", new CircuitBreakerProperties()).getInstances().get("database");
        assertThat(breaker.getFailureRateThreshold()).isEqualTo(60f);
        assertThat(breaker.getWaitDurationInOpenState()).isEqualTo(Duration.ofSeconds(15));
        var retry = config.bindOnto("resilience4j.retry", new RetryProperties()).getInstances().get("database");
        assertThat(retry.getMaxAttempts()).isEqualTo(5);
        assertThat(retry.getWaitDuration()).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void theDeploymentCarriesReplicasGraceAndJvmOptions() {
        Deployment worker = tuned.deployment("worker");
        Container container = tuned.container("worker");

        assertThat(worker.getSpec().getReplicas()).isEqualTo(3);
        assertThat(worker.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(120L);
        assertThat(env(container, "JAVA_TOOL_OPTIONS").getValue()).isEqualTo("-XX:MaxRAMPercentage=60.0 -Djava.io.tmpdir=/tmp");
        assertThat(env(container, "SPRING_CONFIG_ADDITIONAL_LOCATION").getValue()).isEqualTo("file:/etc/upsert-ingest/");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("config");
            assertThat(m.getMountPath()).isEqualTo("/etc/upsert-ingest");
        });
        assertThat(worker.getSpec().getTemplate().getSpec().getVolumes()).anySatisfy(v ->
                assertThat(v.getConfigMap().getName()).isEqualTo(Rendered.name("worker")));
        assertThat(container.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8081));
    }

    @Test
    void aChangedConfigurationRollsThePods() {
        String before = defaults.deployment("worker").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
        String after = tuned.deployment("worker").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");

        assertThat(before).hasSize(64).isNotEqualTo(after);
    }

    @Test
    void withoutTheMigrationJobTheWorkerMigratesAtStartup() {
        Rendered rendered = Chart.render("migrations.enabled=false", "migrations.example=false");
        Rendered.ConfigBinder config = rendered.binder("worker", ENVIRONMENT);

        assertThat(rendered.find(io.fabric8.kubernetes.api.model.batch.v1.Job.class, Rendered.name("migrations"))).isEmpty();
        assertThat(config.value("spring.flyway.enabled", Boolean.class)).isTrue();
        assertThat(config.value("spring.flyway.locations", String.class)).isEqualTo("classpath:db/migration");
    }
}
