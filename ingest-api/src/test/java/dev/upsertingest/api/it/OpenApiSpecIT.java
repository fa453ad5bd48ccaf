package dev.upsertingest.api.it;

import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed OpenAPI description (docs/openapi.json, from which clients can be generated) is what the API serves:
 * generated here from the running application into target/openapi.json and compared with the committed file. After
 * changing an endpoint: {@code ./mvnw -pl ingest-api -am verify -Dit.test=OpenApiSpecIT -Dtest=NONE
 * -Dsurefire.failIfNoSpecifiedTests=false -Dopenapi.update=true}, and commit docs/openapi.json.
 */
class OpenApiSpecIT {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
    private static final Path COMMITTED = Path.of("..", "docs", "openapi.json");

    @Test
    void theCommittedSpecIsWhatTheApiServes() throws Exception {
        TestDatabase db = TestInfrastructure.migratedDatabase("openapi");
        String served;
        try (ApiHarness api = ApiHarness.builder(db, TestInfrastructure.kafka().bootstrapServers()).start()) {
            var response = api.get("/v3/api-docs", ApiHarness.ANALYST_KEY);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            served = canonical(JSON.readTree(response.body()));
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "openapi.json"), served);
        if (Boolean.getBoolean("openapi.update")) {
            Files.writeString(COMMITTED, served);
        }
        assertThat(Files.readString(COMMITTED)).as("docs/openapi.json is out of date: regenerate it with -Dopenapi.update=true "
                + "(see this test's comment) and commit it").isEqualTo(served);
        JsonNode spec = JSON.readTree(served);
        assertThat(spec.get("paths").has("/api/v1/admin/status")).isTrue();
        assertThat(spec.get("paths").has("/api/v1/admin/streams/{stream}/dead-letters/replay")).isTrue();
        assertThat(spec.get("paths").has("/api/v1/views/{view}")).isTrue();
    }

    /** Keys sorted, servers left out (they name the test's random port). */
    private static String canonical(JsonNode spec) {
        tools.jackson.databind.node.ObjectNode copy = (tools.jackson.databind.node.ObjectNode) spec.deepCopy();
        copy.remove("servers");
        Object tree = JSON.treeToValue(copy, Object.class);
        return JSON.writeValueAsString(tree) + "\n";
    }
}
