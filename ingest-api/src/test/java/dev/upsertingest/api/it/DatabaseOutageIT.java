package dev.upsertingest.api.it;

import dev.upsertingest.local.Directories;
import dev.upsertingest.local.PostgresServerProcess;
import dev.upsertingest.testing.TestInfrastructure;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static dev.upsertingest.api.it.ApiHarness.ANALYST_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stopped for real (its own process, {@code pg_ctl stop}): readiness reports not-ready and view queries
 * answer 503 problem details within seconds instead of hanging, and both recover when it is back, without a restart.
 */
class DatabaseOutageIT {

    private static final Logger log = LoggerFactory.getLogger(DatabaseOutageIT.class);
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final Path WORK = Path.of("target", "database-outage-it");
    /** "Fails fast": the bug took 20-30 s; a 2 s connection timeout should answer in about 2. Generous for 2 shared cores. */
    private static final Duration FAST = Duration.ofSeconds(6);

    @Test
    void readinessAndQueriesFailFastWith503WhileTheDatabaseIsDownAndRecoverAfter() throws Exception {
        Directories.deleteRecursively(WORK);
        try (PostgresServerProcess postgres = PostgresServerProcess.start(WORK.resolve("pg"), 0, Map.of())) {
            String database = "outage";
            postgres.ensureDatabase(database);
            String url = postgres.jdbcUrl(database);
            Flyway.configure().dataSource(url, PostgresServerProcess.USER, PostgresServerProcess.PASSWORD)
                    .locations("classpath:db/migration").load().migrate();
            try (Connection connection = DriverManager.getConnection(url, PostgresServerProcess.USER, PostgresServerProcess.PASSWORD);
                 Statement statement = connection.createStatement()) {
                statement.execute("select ingest.declare_stream('orders', 'orders', '[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
                statement.execute("insert into streams.orders (order_id, doc) values ('o-1', '{\"status\": \"paid\"}')");
                statement.execute("select ingest.declare_view('orders_v', 'orders', '[{\"name\": \"status\", \"type\": \"text\", \"pointer\": \"/status\"}]')");
            }
            Map<String, Object> datasource = Map.of("spring.datasource.url", url,
                    "spring.datasource.username", PostgresServerProcess.USER, "spring.datasource.password", PostgresServerProcess.PASSWORD);
            try (ApiHarness api = ApiHarness.builder(datasource, TestInfrastructure.kafka().bootstrapServers()).start()) {
                assertThat(api.get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
                assertThat(api.get("/api/v1/views/orders_v?status=paid", ANALYST_KEY).statusCode()).isEqualTo(200);

                postgres.stop();
                for (int round = 0; round < 3; round++) {
                    assertFast("/actuator/health/readiness", null, 503, null, api);
                    assertFast("/api/v1/views/orders_v?status=paid", ANALYST_KEY, 503, "database-unavailable", api);
                    assertFast("/api/v1/views/orders_v/rows/o-1", ANALYST_KEY, 503, "database-unavailable", api);
                    assertFast("/api/v1/views", ANALYST_KEY, 503, "database-unavailable", api);
                }
                assertThat(api.get("/actuator/health/liveness", null).statusCode()).as("down is not dead").isEqualTo(200);

                postgres.start();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> api.get("/actuator/health/readiness", null).statusCode() == 200);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> api.get("/api/v1/views/orders_v?status=paid", ANALYST_KEY).statusCode() == 200);
                JsonNode page = JSON.readTree(api.get("/api/v1/views/orders_v?status=paid", ANALYST_KEY).body());
                assertThat(page.get("rows").get(0).get("order_id").asString()).isEqualTo("o-1");
                assertThat(api.get("/api/v1/views/orders_v/rows/o-1", ANALYST_KEY).statusCode()).isEqualTo(200);
            }
        }
    }

    private static void assertFast(String path, String key, int status, String type, ApiHarness api) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = api.get(path, key);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        log.info("{} answered {} in {} ms while PostgreSQL was down", path, response.statusCode(), took.toMillis());
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(status);
        assertThat(took).as(path + " must fail fast").isLessThan(FAST);
        if (type != null) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
            JsonNode problem = JSON.readTree(response.body());
            assertThat(problem.get("type").asString()).isEqualTo("urn:upsert-ingest:problem:" + type);
            assertThat(problem.get("status").asInt()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
        }
    }
}
