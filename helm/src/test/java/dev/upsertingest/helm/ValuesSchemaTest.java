package dev.upsertingest.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.upsertingest.api.security.Permission;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** values.schema.json is strict, and the chart refuses values that contradict each other. */
class ValuesSchemaTest {

    private static final JsonNode SCHEMA = readSchema();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            an unknown top-level key        | replicas=3                                     | additional properties 'replicas' not allowed
            a misspelt nested key           | worker.consumer.concurency=4                   | additional properties 'concurency' not allowed
            an unknown key in a closed map  | postgresqlTuning.settings.work_mem.value=1GB   | additional properties 'work_mem' not allowed
            """)
    void unknownKeysAreRejected(String what, String setting, String message) {
        assertThat(Chart.renderFailure(setting)).as(what).contains("values don't meet the specifications of the schema").contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a write method that does not exist  | worker.write.method=fast                    | /worker/write/method
            a synchronous_commit PostgreSQL lacks | worker.write.synchronousCommit=maybe      | /worker/write/synchronousCommit
            a cleanup policy Kafka lacks        | worker.topics.cleanupPolicy=forever         | /worker/topics/cleanupPolicy
            a durability that does not exist    | migrations.streamDurability.orders=durable  | /migrations/streamDurability/orders
            a log format Boot lacks             | logging.structuredFormat=json               | /logging/structuredFormat
            a duration without a unit           | worker.write.statementTimeout=60            | /worker/write/statementTimeout
            a duration in words                 | worker.refresh.tick=1 second                | /worker/refresh/tick
            a fetch wait above one second       | worker.consumer.fetchMaxWait=2s             | /worker/consumer/fetchMaxWait
            a data size Spring cannot parse     | events.maxDocumentSize=1 megabyte           | /events/maxDocumentSize
            more threads than the worker allows | worker.consumer.concurrency=300             | /worker/consumer/concurrency
            no writer slot                      | worker.consumer.writers=0                   | /worker/consumer/writers
            a view name that is not SQL         | worker.refresh.intervals.Orders-View=1m     | invalid propertyName 'Orders-View'
            """)
    void badValuesAreRejected(String what, String setting, String where) {
        assertThat(Chart.renderFailure(setting)).as(what).contains("values don't meet the specifications of the schema").contains(where);
    }

    @Test
    void anApiClientNeedsExactlyOneKeySource() {
        String both = Chart.renderFailure("api.security.existingSecret=keys", "api.security.clients[0].name=a",
                "api.security.clients[0].permissions[0]=query", "api.security.clients[0].secretKey=a",
                "api.security.clients[0].keySha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        String neither = Chart.renderFailure("api.security.clients[0].name=a", "api.security.clients[0].permissions[0]=query");
        String badPermission = Chart.renderFailure("api.security.existingSecret=keys", "api.security.clients[0].name=a",
                "api.security.clients[0].permissions[0]=root", "api.security.clients[0].secretKey=a");

        assertThat(both).contains("/api/security/clients/0");
        assertThat(neither).contains("/api/security/clients/0");
        assertThat(badPermission).contains("/api/security/clients/0/permissions/0");
    }

    @Test
    void aSecretMayNotBeWrittenIntoKafkaProperties() {
        assertThat(Chart.renderFailure("kafka.properties.sasl\\.jaas\\.config=secret"))
                .contains("/kafka/properties");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a pool smaller than the writer slots need     | worker.hikari.maximumPoolSize=3                | must be at least worker.consumer.writers (at most worker.consumer.concurrency) + worker.refresh.maxConcurrent + 1 (5)
            a grace period shorter than graceful shutdown | worker.terminationGracePeriodSeconds=60         | must exceed worker.gracefulShutdownSeconds (60)
            an API grace period without drain time        | api.terminationGracePeriodSeconds=35            | must exceed api.preStopSleepSeconds + api.gracefulShutdownSeconds (35)
            a default page larger than the largest        | api.query.defaultPageSize=2000                  | must not exceed api.query.maxPageSize (1000)
            an API key without its Secret                 | api.security.clients[0].name=a,api.security.clients[0].permissions[0]=query,api.security.clients[0].secretKey=a | needs api.security.existingSecret
            """)
    void contradictionsAreRefusedWithAReason(String what, String settings, String message) {
        assertThat(Chart.renderFailure(settings.split(","))).as(what).contains(message);
    }

    @Test
    void twoClientsMayNotShareAName() {
        assertThat(Chart.renderFailure("ci/tuning-values.yaml", "api.security.clients[1].name=orders-service"))
                .contains("the name orders-service is used twice");
    }

    /** The schema's enums are the applications' own (Spring binds kebab-case to the enum constants). */
    @Test
    void enumsMatchTheApplications() {
        assertThat(strings(SCHEMA.at("/properties/worker/properties/write/properties/method/enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(WriteMethod.values())
                        .map(m -> m.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        assertThat(strings(SCHEMA.at("/properties/worker/properties/write/properties/synchronousCommit/enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(WriteSettings.SynchronousCommit.values())
                        .map(WriteSettings.SynchronousCommit::setting).toList());
        assertThat(strings(SCHEMA.at("/properties/api/properties/security/properties/clients/items/properties/permissions/items/enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Permission.values()).map(Permission::configName).toList());
    }

    /** additionalProperties is decided for every object: false, or a schema for its entries, or (Kubernetes objects) true. */
    @Test
    void everyObjectDecidesAboutUnknownKeys() {
        List<String> undecided = new ArrayList<>();
        walk(SCHEMA, "", undecided);

        assertThat(undecided).isEmpty();
        assertThat(SCHEMA.get("additionalProperties").asBoolean(true)).isFalse();
    }

    private static void walk(JsonNode node, String path, List<String> undecided) {
        if (node.isObject()) {
            if (node.path("type").asText().equals("object") && !node.has("additionalProperties")) {
                undecided.add(path);
            }
            node.properties().forEach(e -> walk(e.getValue(), path + "/" + e.getKey(), undecided));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), path + "/" + i, undecided);
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        assertThat(array.isArray()).as("an enum array").isTrue();
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static JsonNode readSchema() {
        try {
            return new ObjectMapper().readTree(Chart.read("values.schema.json"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
