package dev.upsertingest.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.upsertingest.helm.Rendered.env;
import static org.assertj.core.api.Assertions.assertThat;

/** Every scenario (default values and each ci/*-values.yaml) renders into sound objects; then each scenario's point. */
class ScenariosTest {

    static List<String> scenarios() {
        List<String> all = new ArrayList<>();
        all.add("");
        all.addAll(Chart.scenarioFiles());
        return all;
    }

    private static Rendered render(String scenario) {
        return scenario.isEmpty() ? Chart.render() : Chart.render(scenario);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyPodRunsNonRootOnAReadOnlyRootFilesystemWithResources(String scenario) {
        Rendered rendered = render(scenario);

        assertThat(rendered.podSpecs()).hasSize(3);
        for (PodSpec pod : rendered.podSpecs()) {
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo("tmp");
                assertThat(v.getEmptyDir()).isNotNull();
            });
            for (Container container : pod.getContainers()) {
                assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
                assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
                assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
                assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
                assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).containsKey("memory");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void appsAreProbedOnTheActuatorGroupsAndServedByTheirServices(String scenario) {
        Rendered rendered = render(scenario);

        for (String component : List.of("worker", "api")) {
            Deployment deployment = rendered.deployment(component);
            Container container = rendered.container(component);
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
            assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
            assertThat(container.getPorts()).extracting(p -> p.getName()).containsExactly("http");

            Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
            Service service = rendered.get(Service.class, Rendered.name(component));
            assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
            assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
            PodDisruptionBudget pdb = rendered.get(PodDisruptionBudget.class, Rendered.name(component));
            assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void credentialsAreOnlyReferencedNeverRendered(String scenario) {
        Rendered rendered = render(scenario);

        assertThat(rendered.all(Secret.class)).as("the chart creates no Secret").isEmpty();
        for (String component : List.of("worker", "api")) {
            Map<String, Object> datasource = datasource(rendered.applicationYaml(component));
            assertThat(datasource).containsEntry("username", "${INGEST_DB_USERNAME}").containsEntry("password", "${INGEST_DB_PASSWORD}");
            Container container = rendered.container(component);
            assertThat(env(container, "INGEST_DB_PASSWORD").getValueFrom().getSecretKeyRef()).isNotNull();
            assertThat(container.getEnv()).allSatisfy(e -> {
                if (e.getName().contains("PASSWORD") || e.getName().endsWith("_KEY") || e.getName().contains("JAAS")) {
                    assertThat(e.getValue()).as(e.getName()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNotNull();
                }
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> datasource(Map<String, Object> applicationYaml) {
        return (Map<String, Object>) ((Map<String, Object>) applicationYaml.get("spring")).get("datasource");
    }

    @Nested
    class Keda {

        private final Rendered rendered = Chart.render("ci/keda-values.yaml");

        @Test
        void aScaledObjectScalesTheWorkerOnItsConsumerGroupsLag() {
            GenericKubernetesResource scaledObject = rendered.custom("ScaledObject").getFirst();
            Map<String, Object> spec = spec(scaledObject);

            assertThat(scaledObject.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
            assertThat(spec).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 12);
            assertThat(spec.get("scaleTargetRef")).isEqualTo(Map.of("name", Rendered.name("worker")));
            @SuppressWarnings("unchecked")
            Map<String, Object> trigger = ((List<Map<String, Object>>) spec.get("triggers")).getFirst();
            assertThat(trigger).containsEntry("type", "kafka").containsEntry("authenticationRef", Map.of("name", "kafka-sasl"));
            assertThat(trigger.get("metadata")).isEqualTo(Map.of(
                    "bootstrapServers", "kafka:9092", "consumerGroup", "ingest-keda", "topic", "orders",
                    "lagThreshold", "5000", "activationLagThreshold", "100", "offsetResetPolicy", "earliest",
                    "allowIdleConsumers", "false"));
            assertThat(rendered.deployment("worker").getSpec().getReplicas()).as("KEDA owns the replica count").isNull();
        }

        @Test
        void theApiScalesOnCpuAndMemory() {
            HorizontalPodAutoscaler hpa = rendered.get(HorizontalPodAutoscaler.class, Rendered.name("api"));

            assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(Rendered.name("api"));
            assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
            assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
            assertThat(hpa.getSpec().getMetrics()).extracting(m -> m.getResource().getName() + "=" + m.getResource().getTarget().getAverageUtilization())
                    .containsExactly("cpu=60", "memory=80");
        }

        @Test
        void moreReplicasThanPartitionsAreRefused() {
            assertThat(Chart.renderFailure("ci/keda-values.yaml", "worker.autoscaling.maxReplicas=13"))
                    .contains("worker.autoscaling.maxReplicas (13) must not exceed the partition count (12");
            assertThat(Chart.renderFailure("ci/keda-values.yaml", "worker.autoscaling.partitions=4"))
                    .contains("must not exceed the partition count (4");
        }

        @Test
        void withoutKedaThereIsNoScaledObject() {
            assertThat(Chart.render().custom("ScaledObject")).isEmpty();
        }
    }

    @Nested
    class ExternalSecrets {

        private final Rendered rendered = Chart.render("ci/external-secret-values.yaml");

        @Test
        void eachComponentReadsItsOwnLoginFromItsSecret() {
            Container worker = rendered.container("worker");
            assertThat(env(worker, "INGEST_DB_USERNAME").getValueFrom().getSecretKeyRef())
                    .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).isEqualTo("ingest-db-worker/login"));
            assertThat(env(worker, "INGEST_DB_PASSWORD").getValueFrom().getSecretKeyRef())
                    .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).isEqualTo("ingest-db-worker/secret"));

            Container api = rendered.container("api");
            assertThat(env(api, "INGEST_DB_USERNAME").getValueFrom().getSecretKeyRef())
                    .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).as("keys fall back to database.*").isEqualTo("ingest-db-api/user"));
            assertThat(rendered.binder("api", Map.of()).value("spring.datasource.url", String.class))
                    .isEqualTo("jdbc:postgresql://db-replica.internal:5432/ingest?sslmode=verify-full");

            Container flyway = rendered.migrationJob().getSpec().getTemplate().getSpec().getContainers().getFirst();
            assertThat(env(flyway, "FLYWAY_PASSWORD").getValueFrom().getSecretKeyRef())
                    .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).isEqualTo("ingest-db-owner/pass"));
            assertThat(env(flyway, "FLYWAY_URL").getValue()).isEqualTo("jdbc:postgresql://db.internal:5432/ingest?sslmode=verify-full");
        }

        @Test
        void theKafkaLoginReachesTheClientThroughAnEnvironmentVariable() {
            String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";";
            for (String component : List.of("worker", "api")) {
                assertThat(env(rendered.container(component), "KAFKA_SASL_JAAS_CONFIG").getValueFrom().getSecretKeyRef())
                        .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).isEqualTo("ingest-kafka-sasl/jaas"));
                Map<String, String> properties = rendered.binder(component, Map.of("KAFKA_SASL_JAAS_CONFIG", jaas)).binder()
                        .bind("spring.kafka.properties", org.springframework.boot.context.properties.bind.Bindable.mapOf(String.class, String.class)).get();
                assertThat(properties).containsEntry("sasl.jaas.config", jaas)
                        .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
            }
        }

        @Test
        void apiKeysAndTheScrapersKeyComeFromTheKeySecret() {
            Container api = rendered.container("api");
            assertThat(env(api, "INGEST_API_CLIENT_1_KEY").getValueFrom().getSecretKeyRef())
                    .satisfies(r -> assertThat(r.getName() + "/" + r.getKey()).isEqualTo("ingest-api-keys/grafana-key"));
            GenericKubernetesResource apiMonitor = rendered.custom("ServiceMonitor").stream()
                    .filter(m -> m.getMetadata().getName().equals(Rendered.name("api"))).findFirst().orElseThrow();
            @SuppressWarnings("unchecked")
            Map<String, Object> endpoint = ((List<Map<String, Object>>) spec(apiMonitor).get("endpoints")).getFirst();
            assertThat(endpoint.get("authorization")).isEqualTo(Map.of("type", "Bearer",
                    "credentials", Map.of("name", "ingest-api-keys", "key", "prometheus-key")));
        }
    }

    @Nested
    class NetworkPolicies {

        private final Rendered rendered = Chart.render("ci/network-policy-values.yaml");

        @Test
        void onlyCallersAndScrapersGetIn() {
            NetworkPolicy worker = rendered.get(NetworkPolicy.class, Rendered.name("worker"));
            assertThat(worker.getSpec().getIngress()).singleElement().satisfies(rule -> {
                assertThat(rule.getFrom()).singleElement().satisfies(peer ->
                        assertThat(peer.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring"));
                assertThat(rule.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("http"));
            });
            NetworkPolicy api = rendered.get(NetworkPolicy.class, Rendered.name("api"));
            assertThat(api.getSpec().getIngress()).hasSize(2)
                    .flatExtracting(rule -> rule.getFrom())
                    .extracting(peer -> peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                    .containsExactly("ingress-nginx", "monitoring");
        }

        @Test
        void egressIsDnsPostgresqlAndKafkaForAllThreeComponents() {
            NetworkPolicy egress = rendered.get(NetworkPolicy.class, Rendered.name("egress"));

            assertThat(egress.getSpec().getPolicyTypes()).containsExactly("Egress");
            assertThat(egress.getSpec().getPodSelector().getMatchExpressions()).singleElement()
                    .satisfies(e -> assertThat(e.getValues()).containsExactly("worker", "api", "migrations"));
            assertThat(egress.getSpec().getEgress()).hasSize(3);
            assertThat(egress.getSpec().getEgress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(53, 53);
            assertThat(egress.getSpec().getEgress().get(1).getTo().getFirst().getIpBlock().getCidr()).isEqualTo("10.20.0.0/16");
        }

        @Test
        void offByDefault() {
            assertThat(Chart.render().all(NetworkPolicy.class)).isEmpty();
        }
    }

    @Test
    void defaultsRenderNoOptionalIntegrations() {
        Rendered rendered = Chart.render();

        assertThat(rendered.objects()).extracting(HasMetadata::getKind).doesNotContain(
                "ScaledObject", "ServiceMonitor", "PrometheusRule", "NetworkPolicy", "Ingress");
        assertThat(rendered.all(ConfigMap.class)).extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder(
                Rendered.name("worker"), Rendered.name("api"), Rendered.name("postgresql-tuning"));
        assertThat(rendered.get(HorizontalPodAutoscaler.class, Rendered.name("api")).getSpec().getMinReplicas()).isEqualTo(2);
    }

    @Test
    void theApiIngressExposesTheApiButNotTheActuator() {
        Rendered rendered = Chart.render("api.ingress.enabled=true", "api.ingress.host=ingest.example.org",
                "api.ingress.tlsSecretName=ingest-tls", "api.ingress.className=nginx");
        var ingress = rendered.get(io.fabric8.kubernetes.api.model.networking.v1.Ingress.class, Rendered.name("api"));

        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(t -> assertThat(t.getSecretName()).isEqualTo("ingest-tls"));
        assertThat(ingress.getSpec().getRules().getFirst().getHttp().getPaths()).extracting(p -> p.getPath())
                .contains("/api", "/v3/api-docs").noneMatch(p -> p.startsWith("/actuator"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(GenericKubernetesResource resource) {
        return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
    }
}
