package dev.upsertingest.helm;

import com.zaxxer.hikari.HikariConfig;
import dev.upsertingest.api.admin.AdminSettings;
import dev.upsertingest.api.publish.PublishSettings;
import dev.upsertingest.api.query.QuerySettings;
import dev.upsertingest.api.security.Permission;
import dev.upsertingest.api.security.SecuritySettings;
import dev.upsertingest.core.event.EventLimits;
import io.fabric8.kubernetes.api.model.Container;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static dev.upsertingest.helm.Rendered.env;
import static org.assertj.core.api.Assertions.assertThat;

/** Each API value reaches the API, bound with the API's own configuration records; keys stay in Secrets. */
class ApiConfigurationTest {

    private static final String ORDERS_KEY = "orders-service-key-from-the-secret-0123";
    private static final String PROMETHEUS_KEY = "prometheus-key-from-the-secret-456789";
    private static final Map<String, Object> ENVIRONMENT = Map.of(
            "INGEST_DB_USERNAME", "api", "INGEST_DB_PASSWORD", "secret",
            "INGEST_API_CLIENT_0_KEY", ORDERS_KEY, "INGEST_API_CLIENT_2_KEY", PROMETHEUS_KEY);

    private static Rendered defaults;
    private static Rendered tuned;

    @BeforeAll
    static void render() {
        defaults = Chart.render();
        tuned = Chart.render("ci/tuning-values.yaml");
    }

    @Test
    void defaultValuesAreTheApisOwnDefaults() {
        Rendered.ConfigBinder config = defaults.binder("api", ENVIRONMENT);
        Binder empty = new Binder();

        assertThat(config.bind("ingest.api.publish", PublishSettings.class)).isEqualTo(empty.bindOrCreate("ingest.api.publish", PublishSettings.class));
        assertThat(config.bind("ingest.api.query", QuerySettings.class)).isEqualTo(empty.bindOrCreate("ingest.api.query", QuerySettings.class));
        assertThat(config.bind("ingest.api.security", SecuritySettings.class)).isEqualTo(empty.bindOrCreate("ingest.api.security", SecuritySettings.class));
        assertThat(config.bind("ingest.events", EventLimits.class)).isEqualTo(EventLimits.defaults());
        assertThat(config.bind("ingest.api.admin", AdminSettings.class).workerGroupId())
                .as("the admin endpoints follow the worker's own group").isEqualTo("upsert-ingest");
        assertThat(config.bindOnto("spring.datasource.hikari", new HikariConfig()).getMaximumPoolSize()).isEqualTo(10);
        assertThat(config.bindOnto("spring.datasource.hikari", new HikariConfig()).getConnectionTimeout())
                .as("the API's own default: fail fast while the database is down").isEqualTo(2_000);
    }

    @Test
    void publishAndQueryLimitsReachTheApi() {
        Rendered.ConfigBinder config = tuned.binder("api", ENVIRONMENT);

        PublishSettings publish = config.bind("ingest.api.publish", PublishSettings.class);
        assertThat(publish.maxRequestSize()).isEqualTo(DataSize.ofMegabytes(8));
        assertThat(publish.maxEvents()).isEqualTo(5000);
        assertThat(publish.ackTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(publish.maxConcurrent()).isEqualTo(128);
        assertThat(publish.catalogRefresh()).isEqualTo(Duration.ofSeconds(20));

        QuerySettings query = config.bind("ingest.api.query", QuerySettings.class);
        assertThat(query.role()).isEqualTo("reporting");
        assertThat(config.bind("ingest.api.admin", AdminSettings.class).workerGroupId()).isEqualTo("ingest-prod");
        assertThat(query.statementTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(query.defaultPageSize()).isEqualTo(50);
        assertThat(query.maxPageSize()).isEqualTo(500);
        assertThat(query.catalogRefresh()).isEqualTo(Duration.ofSeconds(45));

        assertThat(config.bind("ingest.events", EventLimits.class).maxDocumentSize()).isEqualTo(DataSize.ofMegabytes(2));
        HikariConfig hikari = config.bindOnto("spring.datasource.hikari", new HikariConfig());
        assertThat(hikari.getMaximumPoolSize()).isEqualTo(16);
        assertThat(hikari.getConnectionTimeout()).isEqualTo(5_000);
        assertThat(config.value("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.value("springdoc.api-docs.enabled", Boolean.class)).isFalse();
        assertThat(config.value("springdoc.swagger-ui.enabled", Boolean.class)).isFalse();
    }

    @Test
    void apiClientsGetTheirKeysFromTheSecretThroughTheEnvironment() {
        SecuritySettings security = tuned.binder("api", ENVIRONMENT).bind("ingest.api.security", SecuritySettings.class);

        assertThat(security.requestsPerSecond()).isEqualTo(300);
        assertThat(security.clients()).hasSize(3);
        SecuritySettings.Client orders = security.clients().get(0);
        assertThat(orders.name()).isEqualTo("orders-service");
        assertThat(orders.key()).isEqualTo(ORDERS_KEY);
        assertThat(orders.permissions()).containsExactly(Permission.PUBLISH);
        assertThat(orders.streams()).containsExactly("orders");
        SecuritySettings.Client dashboard = security.clients().get(1);
        assertThat(dashboard.keySha256()).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assertThat(dashboard.key()).isNull();
        assertThat(dashboard.requestsPerSecond()).isEqualTo(50);
        SecuritySettings.Client prometheus = security.clients().get(2);
        assertThat(prometheus.key()).isEqualTo(PROMETHEUS_KEY);
        assertThat(prometheus.permissions()).isEqualTo(Set.of(Permission.OPERATE, Permission.QUERY));

        Container api = tuned.container("api");
        assertThat(env(api, "INGEST_API_CLIENT_0_KEY").getValueFrom().getSecretKeyRef())
                .satisfies(ref -> {
                    assertThat(ref.getName()).isEqualTo("ingest-api-keys");
                    assertThat(ref.getKey()).isEqualTo("orders-service");
                });
        assertThat(env(api, "INGEST_API_CLIENT_2_KEY").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("prometheus");
        assertThat(api.getEnv()).noneMatch(e -> e.getName().equals("INGEST_API_CLIENT_1_KEY"));
        assertThat(tuned.applicationYamlText("api")).contains("${INGEST_API_CLIENT_0_KEY}").doesNotContain(ORDERS_KEY);
    }

    @Test
    void resilience4jValuesMergeWithTheKafkaPublishDefaults() {
        var breaker = tuned.binder("api", ENVIRONMENT).bindOnto("resilience4j.circuitbreaker", new CircuitBreakerProperties())
                .getInstances().get("kafka-publish");

        assertThat(breaker.getFailureRateThreshold()).isEqualTo(25f);
        assertThat(breaker.getWaitDurationInOpenState()).isEqualTo(Duration.ofSeconds(3));
        assertThat(breaker.getSlidingWindowSize()).as("a default kept").isEqualTo(10);
        assertThat(breaker.getMinimumNumberOfCalls()).isEqualTo(4);
    }

    @Test
    void shutdownDrainsBeforeTheGracePeriodEnds() {
        var pod = tuned.deployment("api").getSpec().getTemplate().getSpec();
        Container api = tuned.container("api");

        assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(40L);
        assertThat(api.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "10");
        assertThat(api.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(8080));
        assertThat(tuned.deployment("api").getSpec().getReplicas()).as("HPA off").isEqualTo(3);
        assertThat(defaults.deployment("api").getSpec().getReplicas()).as("the HPA owns the replica count").isNull();
    }
}
