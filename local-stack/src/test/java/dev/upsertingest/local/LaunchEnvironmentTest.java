package dev.upsertingest.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LaunchEnvironmentTest {

    @Test
    void clientVariablesAreRefusedWithWhereToPutClientsInstead() {
        assertThat(LaunchEnvironment.clientListProblem(Map.of("PATH", "/bin", "INGEST_API_SECURITY_REQUESTS_PER_SECOND", "5"),
                ".local/api-clients.yml")).isEmpty();

        assertThat(LaunchEnvironment.clientListProblem(Map.of("INGEST_API_SECURITY_CLIENTS_1_NAME", "dashboard",
                "INGEST_API_SECURITY_CLIENTS_1_KEY", "k"), ".local/api-clients.yml")).hasValueSatisfying(problem ->
                assertThat(problem).startsWith("INGEST_API_SECURITY_CLIENTS_1_KEY, INGEST_API_SECURITY_CLIENTS_1_NAME are set")
                        .contains("Add your clients to that file").contains(".local/api-clients.yml"));
        assertThat(LaunchEnvironment.clientListProblem(Map.of("ingest_api_security_clients_0_name", "x"), "f")).isPresent();
    }

    @Test
    void variablesForPropertiesTheLauncherSetsAreNamed() {
        Map<String, String> environment = Map.of("SPRING_DATASOURCE_URL", "jdbc:postgresql://elsewhere/db",
                "INGEST_TOPICS_REPLICATIONFACTOR", "3", "SPRING_CONFIG_ADDITIONAL_LOCATION", "file:/x.yml",
                "INGEST_REFRESH_INTERVALS_ORDERS_VIEW", "1m");

        assertThat(LaunchEnvironment.overriddenByCommandLine(environment, List.of("spring.datasource.url",
                "spring.datasource.username", "ingest.topics.replication-factor", "spring.config.additional-location")))
                .containsExactly("SPRING_DATASOURCE_URL", "INGEST_TOPICS_REPLICATIONFACTOR", "SPRING_CONFIG_ADDITIONAL_LOCATION");
        assertThat(LaunchEnvironment.variableNames("ingest.api.security.clients[0].key-sha256"))
                .containsExactly("INGEST_API_SECURITY_CLIENTS_0_KEYSHA256", "INGEST_API_SECURITY_CLIENTS_0_KEY_SHA256");
    }
}
