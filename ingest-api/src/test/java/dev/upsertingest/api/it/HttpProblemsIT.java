package dev.upsertingest.api.it;

import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.upsertingest.api.it.ApiHarness.ANALYST_KEY;
import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every client error is a problem detail, the container's own included (Tomcat's answers to malformed requests, the
 * firewall's refusals, {@code /error}), bad input is never a 500, and a row is reachable whatever its key holds.
 */
class HttpProblemsIT {

    private static final JsonMapper JSON = JsonMapper.shared();
    /** Keys a path segment can carry, percent-encoded. */
    private static final List<String> PATH_KEYS = List.of("a/b", "a%b", "a\\b", "a;b", "a\nb", "a%2Fb", "/", "x/../y",
            "a b+c", "\u00fc/\u00e9?#&=", "[\"x\"]", "\ud83d\ude00");
    /** Keys only the query form can carry: path segments the firewall refuses. */
    private static final List<String> QUERY_ONLY_KEYS = List.of(".", "..", "a\rb", "a\u2028b");

    private static ApiHarness api;

    @BeforeAll
    static void start() {
        TestDatabase db = TestInfrastructure.migratedDatabase("http_problems");
        db.execute("select ingest.declare_stream('keyed', 'keyed', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        for (String key : concat(PATH_KEYS, QUERY_ONLY_KEYS)) {
            db.query("insert into streams.keyed (id, doc) values (?, jsonb_build_object('k', ?::text)) returning id", key, key);
        }
        db.execute("select ingest.declare_view('keyed_v', 'keyed', '[{\"name\": \"k\", \"type\": \"text\", \"pointer\": \"/k\"}]')");
        db.execute("select ingest.declare_stream('pairs', 'pairs', '[{\"name\": \"a\", \"type\": \"text\", \"pointer\": \"/a\"}, {\"name\": \"b\", \"type\": \"bigint\", \"pointer\": \"/b\"}]')");
        db.execute("insert into streams.pairs (a, b, doc) values ('x/y;z', 2, '{\"s\": \"found\"}')");
        db.execute("select ingest.declare_view('pairs_v', 'pairs', '[{\"name\": \"s\", \"type\": \"text\", \"pointer\": \"/s\"}]')");
        api = ApiHarness.builder(db, TestInfrastructure.kafka().bootstrapServers()).start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonNode assertProblem(int status, String type, String contentType, String body, String what) {
        assertThat(contentType).as(what + " -> " + body).startsWith("application/problem+json");
        assertThat(body).as(what).doesNotContain("<html", "timestamp", "Exception");
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("status").asInt()).as(what + " -> " + body).isEqualTo(status);
        assertThat(problem.get("type").asString()).as(what).isEqualTo("urn:upsert-ingest:problem:" + type);
        assertThat(problem.get("title").asString()).as(what).isNotBlank();
        assertThat(problem.get("detail").asString()).as(what).isNotBlank();
        return problem;
    }

    private static JsonNode assertProblem(HttpResponse<String> response, int status, String type, String what) {
        assertThat(response.statusCode()).as(what + " -> " + response.body()).isEqualTo(status);
        return assertProblem(status, type, response.headers().firstValue("Content-Type").orElse(""), response.body(), what);
    }

    private static JsonNode assertProblem(ApiHarness.RawResponse response, int status, String type, String what) {
        assertThat(response.status()).as(what + " -> " + response.body()).isEqualTo(status);
        return assertProblem(status, type, response.headers().getOrDefault("Content-Type", ""), response.body(), what);
    }

    private static ApiHarness.RawResponse raw(String requestLine, String... headers) throws Exception {
        StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: localhost\r\nAuthorization: Bearer ")
                .append(ANALYST_KEY).append("\r\nConnection: close\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return api.raw(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aRowIsReachableByTheQueryFormWhateverItsKeyHolds() throws Exception {
        for (String key : concat(PATH_KEYS, QUERY_ONLY_KEYS)) {
            HttpResponse<String> response = api.get("/api/v1/views/keyed_v/row?key=" + enc(key), ANALYST_KEY);
            assertThat(response.statusCode()).as(key + " -> " + response.body()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).get("row").get("id").asString()).isEqualTo(key);
        }
        HttpResponse<String> composite = api.get("/api/v1/views/pairs_v/row?key=" + enc("[\"x/y;z\", 2]"), ANALYST_KEY);
        assertThat(composite.statusCode()).as(composite.body()).isEqualTo(200);
        assertThat(JSON.readTree(composite.body()).get("row").get("s").asString()).isEqualTo("found");
        assertProblem(api.get("/api/v1/views/keyed_v/row?key=nope", ANALYST_KEY), 404, "not-found", "no such key");
        assertProblem(api.get("/api/v1/views/keyed_v/row", ANALYST_KEY), 400, "bad-request", "no key");
    }

    @Test
    void aKeyWithAnEncodedSlashPercentBackslashSemicolonOrLineFeedIsReachableInThePathToo() throws Exception {
        for (String key : PATH_KEYS) {
            HttpResponse<String> response = api.get("/api/v1/views/keyed_v/rows/" + enc(key), ANALYST_KEY);
            assertThat(response.statusCode()).as(key + " -> " + response.body()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).get("row").get("id").asString()).isEqualTo(key);
        }
        HttpResponse<String> composite = api.get("/api/v1/views/pairs_v/rows/" + enc("[\"x/y;z\", 2]"), ANALYST_KEY);
        assertThat(JSON.readTree(composite.body()).get("row").get("s").asString()).isEqualTo("found");
        for (String key : QUERY_ONLY_KEYS) {
            assertProblem(api.get("/api/v1/views/keyed_v/rows/" + enc(key), ANALYST_KEY), 400, "bad-request", key);
        }
        // what the firewall still refuses in a path, however it is spelled, and says where such a key goes instead
        JsonNode semicolon = assertProblem(raw("GET /api/v1/views/keyed_v/rows/a;b HTTP/1.1"), 400, "bad-request", "raw ;");
        assertThat(semicolon.get("detail").asString()).contains("row?key=");
        assertProblem(raw("GET /api/v1/views/keyed_v/rows/a%2Eb HTTP/1.1"), 400, "bad-request", "%2E");
    }

    @Test
    void aNulInAFilterOrKeyIsA400ThatSaysSo() throws Exception {
        JsonNode filter = assertProblem(api.get("/api/v1/views/keyed_v?k=%00", ANALYST_KEY), 400, "bad-query", "?k=%00");
        assertThat(filter.get("detail").asString()).contains("k must not contain a NUL character");
        assertProblem(api.get("/api/v1/views/keyed_v?k.in=a,%00", ANALYST_KEY), 400, "bad-query", "?k.in=a,%00");
        assertProblem(api.get("/api/v1/views/keyed_v?sort=%00", ANALYST_KEY), 400, "bad-query", "?sort=%00");
        assertProblem(api.get("/api/v1/views/keyed_v/row?key=a%00b", ANALYST_KEY), 400, "bad-query", "?key=a%00b");
        assertProblem(api.get("/api/v1/views/pairs_v/row?key=" + enc("[\"a\\u0000\", 1]"), ANALYST_KEY), 400, "bad-query", "composite");
        assertProblem(api.get("/api/v1/views/keyed_v?%00=1", ANALYST_KEY), 400, "bad-request", "?%00=1");
        assertProblem(raw("GET /api/v1/views/keyed_v/rows/a%00b HTTP/1.1"), 400, "bad-request", "%00 in a path");
        // a value Java parses but PostgreSQL's type cannot hold is the request's fault too
        assertProblem(api.get("/api/v1/views/keyed_v?updated_at.gt=" + enc("+999999999-01-01T00:00:00Z"), ANALYST_KEY),
                400, "bad-query", "a timestamp beyond PostgreSQL's range");
    }

    @Test
    void tomcatsOwnErrorsAreProblemDetails() throws Exception {
        assertProblem(api.raw("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 400, "bad-request", "not HTTP");
        assertProblem(raw("GET /api/v1/views/keyed_v?k=a|b HTTP/1.1"), 400, "bad-request", "| in the query");
        assertProblem(raw("GET /api/v1/views/%zz HTTP/1.1"), 400, "bad-request", "bad percent-encoding");
        // Tomcat answers both with 400 (its request line and headers share one buffer)
        assertProblem(raw("GET /api/v1/views/keyed_v?k=" + "a".repeat(20_000) + " HTTP/1.1"), 400, "bad-request", "a 20 kB URL");
        assertProblem(raw("GET /api/v1/views HTTP/1.1", "X-Big: " + "b".repeat(20_000)), 400, "bad-request", "a 20 kB header");
    }

    @Test
    void aHeaderTheFirewallRefusesIsAProblemThatDoesNotRepeatIt() throws Exception {
        byte[] request = ("GET /api/v1/views HTTP/1.1\r\nHost: localhost\r\nX-API-Key: secret-key-\u0085-0123456789abcdef\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        JsonNode problem = assertProblem(api.raw(request), 400, "bad-request", "a C1 control in a header");
        assertThat(problem.get("detail").asString()).contains("header").doesNotContain("secret-key");
    }

    @Test
    void springsOwnErrorsAreOurProblemDetails() throws Exception {
        assertProblem(api.get("/api/v1/nothing-here", ANALYST_KEY), 404, "not-found", "unknown path");
        assertProblem(api.send(HttpRequest.newBuilder(URI.create(api.url("/api/v1/views"))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + ANALYST_KEY).DELETE().build()), 405, "method-not-allowed", "DELETE");
        assertProblem(api.get("/error", null), 404, "not-found", "/error itself");
        assertProblem(raw("TRACE /api/v1/views HTTP/1.1"), 405, "method-not-allowed", "TRACE");
        assertProblem(api.post("/api/v1/streams/keyed/events", PRODUCER_KEY, ";;;", "[{}]"), 415, "unsupported-media-type", "bad Content-Type");
        assertProblem(api.get("/api/v1/views/keyed_v?limit=99999999999999", ANALYST_KEY), 400, "bad-query", "huge limit");
    }
}
