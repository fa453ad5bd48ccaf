package dev.upsertingest.api.it;

import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.upsertingest.api.it.ApiHarness.ANALYST_KEY;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /api/v1/views...: filters, sorting, keyset paging, single rows, and what the API refuses. */
class QueryIT {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static TestDatabase db;
    private static ApiHarness api;

    @BeforeAll
    static void start() {
        db = TestInfrastructure.migratedDatabase("query");
        db.execute("""
                select ingest.declare_stream('orders', 'orders', '[{"name": "order_id", "type": "text", "pointer": "/order_id"}]');
                insert into streams.orders (order_id, doc)
                select 'o-' || lpad(i::text, 3, '0'), jsonb_build_object(
                    'status', (array['paid', 'shipped', 'created'])[1 + i % 3],
                    'total', case when i % 10 = 0 then 'null'::jsonb when i % 17 = 0 then to_jsonb('n/a'::text) else to_jsonb((i % 40) * 2.5) end,
                    'created_at', case when i % 7 = 0 then null else to_char(timestamptz '2026-01-01' + i * interval '3 hours', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end,
                    'customer', jsonb_build_object('id', i % 13), 'gift', i % 2 = 0, 'tags', jsonb_build_array('t' || (i % 4)))
                from generate_series(1, 250) i;
                select ingest.declare_view('orders_v', 'orders',
                    '[{"name": "status", "type": "text", "pointer": "/status"},
                      {"name": "total", "type": "numeric", "pointer": "/total"},
                      {"name": "created_at", "type": "timestamptz", "pointer": "/created_at"},
                      {"name": "customer_id", "type": "bigint", "pointer": "/customer/id"},
                      {"name": "gift", "type": "boolean", "pointer": "/gift"},
                      {"name": "tags", "type": "jsonb", "pointer": "/tags"}]',
                    '[{"columns": ["status"]}, {"columns": ["total"]}, {"columns": ["created_at"]}]');
                select ingest.declare_stream('lines', 'lines', '[{"name": "tenant", "type": "text", "pointer": "/tenant"}, {"name": "line", "type": "integer", "pointer": "/line"}]');
                insert into streams.lines (tenant, line, doc) values ('acme', 1, '{"sku": "a"}'), ('acme', 2, '{"sku": "b"}');
                select ingest.declare_view('lines_v', 'lines', '[{"name": "sku", "type": "text", "pointer": "/sku"}]');
                update ingest.view_state set as_of = now() - interval '5 seconds', last_success_at = now(), newest_data_at = now() - interval '1 minute';
                create materialized view views.unregistered as select 1 as x;
                """);
        api = ApiHarness.builder(db, TestInfrastructure.kafka().bootstrapServers())
                .property("ingest.api.query.max-page-size", 50).property("ingest.api.query.default-page-size", 20).start();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> response = api.get(path, ANALYST_KEY);
        assertThat(response.statusCode()).as(path + " -> " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("rows").forEach(r -> ids.add(r.get("order_id").asString()));
        return ids;
    }

    private static List<String> sqlIds(String where, String order) {
        return db.query("select order_id from views.orders_v " + where + " order by " + order).stream()
                .map(r -> (String) r.get("order_id")).toList();
    }

    /** Percent-encoding that is right in a path segment and in a query (form encoding's '+' is not a space in a path). */
    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void listsRegisteredViewsWithColumnsKeysAndFreshness() throws Exception {
        JsonNode views = get("/api/v1/views").get("views");
        List<String> names = new ArrayList<>();
        views.forEach(v -> names.add(v.get("name").asString()));
        assertThat(names).containsExactlyInAnyOrder("orders_v", "lines_v");
        JsonNode orders = views.get(names.indexOf("orders_v"));
        assertThat(orders.get("key").get(0).asString()).isEqualTo("order_id");
        assertThat(orders.get("freshness").get("as_of").asString()).isNotBlank();
        assertThat(orders.get("freshness").get("staleness_seconds").asDouble()).isBetween(59.0, 600.0);
        List<String> sortable = new ArrayList<>();
        orders.get("columns").forEach(c -> {
            if (c.get("sortable").asBoolean()) {
                sortable.add(c.get("name").asString());
            }
        });
        assertThat(sortable).containsExactlyInAnyOrder("order_id", "status", "total", "created_at", "updated_at");
    }

    @Test
    void filtersAreTypedAndCombined() throws Exception {
        assertThat(ids(get("/api/v1/views/orders_v?status=paid&limit=50&total.gte=50&total.lt=80")))
                .isEqualTo(sqlIds("where status = 'paid' and total >= 50 and total < 80", "order_id").stream().limit(50).toList());
        assertThat(ids(get("/api/v1/views/orders_v?status.in=paid,created&customer_id=3&limit=50")))
                .isEqualTo(sqlIds("where status in ('paid', 'created') and customer_id = 3", "order_id"));
        assertThat(ids(get("/api/v1/views/orders_v?total.null=true&gift=false&limit=50")))
                .isEqualTo(sqlIds("where total is null and not gift", "order_id"));
        assertThat(ids(get("/api/v1/views/orders_v?created_at.gt=" + enc("2026-01-20T00:00:00Z") + "&status.ne=shipped&limit=50")))
                .isEqualTo(sqlIds("where created_at > '2026-01-20T00:00:00Z' and status <> 'shipped'", "order_id").stream().limit(50).toList());
        JsonNode row = get("/api/v1/views/orders_v?order_id=o-004").get("rows").get(0);
        assertThat(row.get("total").asDouble()).isEqualTo(10.0);
        assertThat(row.get("gift").asBoolean()).isTrue();
        assertThat(row.get("tags").get(0).asString()).isEqualTo("t0");
        assertThat(row.get("created_at").asString()).isEqualTo("2026-01-01T12:00Z");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "total", "-total", "created_at", "-created_at", "status", "-status"})
    void keysetPagesWalkTheWholeViewInSortOrderNullsLast(String sort) throws Exception {
        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/v1/views/orders_v?limit=7" + (sort.isEmpty() ? "" : "&sort=" + sort)
                    + (cursor == null ? "" : "&cursor=" + cursor));
            walked.addAll(ids(page));
            cursor = page.has("next_cursor") ? page.get("next_cursor").asString() : null;
            pages++;
        } while (cursor != null && pages < 100);
        String column = sort.startsWith("-") ? sort.substring(1) : sort;
        String direction = sort.startsWith("-") ? "desc" : "asc";
        String order = sort.isEmpty() ? "order_id" : column + " " + direction + " nulls last, order_id " + direction;
        assertThat(walked).isEqualTo(sqlIds("", order));
        assertThat(pages).isEqualTo((250 + 6) / 7);
    }

    @Test
    void singleRowsByKeyIncludingCompositeKeys() throws Exception {
        assertThat(get("/api/v1/views/orders_v/rows/o-042").get("row").get("status").asString()).isEqualTo("paid");
        assertThat(get("/api/v1/views/orders_v/rows/o-042").get("freshness").get("as_of").asString()).isNotBlank();
        assertThat(get("/api/v1/views/lines_v/rows/" + enc("[\"acme\", 2]")).get("row").get("sku").asString()).isEqualTo("b");
        assertThat(api.get("/api/v1/views/orders_v/rows/o-999", ANALYST_KEY).statusCode()).isEqualTo(404);
        assertThat(api.get("/api/v1/views/lines_v/rows/acme", ANALYST_KEY).statusCode()).isEqualTo(400);
    }

    @Test
    void badQueriesAre400WithAProblemAndUnknownViews404() throws Exception {
        String cursorForTotal = get("/api/v1/views/orders_v?sort=total&limit=3").get("next_cursor").asString();
        for (String bad : List.of("nope=1", "total=abc", "created_at.gt=yesterday", "gift=maybe", "sort=customer_id",
                "sort=tags", "total.like=1", "limit=0", "limit=51", "limit=x", "cursor=garbage",
                "sort=status&cursor=" + cursorForTotal, "status=a&status=b", "tags=1", "total.null=maybe")) {
            HttpResponse<String> response = api.get("/api/v1/views/orders_v?" + bad, ANALYST_KEY);
            assertThat(response.statusCode()).as(bad + " -> " + response.body()).isEqualTo(400);
            assertThat(JSON.readTree(response.body()).get("type").asString()).isEqualTo("urn:upsert-ingest:problem:bad-query");
        }
        for (String view : List.of("nope", "unregistered", "view_freshness")) {
            HttpResponse<String> response = api.get("/api/v1/views/" + view, ANALYST_KEY);
            assertThat(response.statusCode()).as(view).isEqualTo(404);
            assertThat(JSON.readTree(response.body()).get("type").asString()).isEqualTo("urn:upsert-ingest:problem:not-found");
        }
    }

    @Test
    void injectionAttemptsAreRefusedOrHarmless() throws Exception {
        List<String> attempts = List.of(
                "/api/v1/views/" + enc("orders_v; drop table streams.orders"),
                "/api/v1/views/" + enc("orders_v\" where 1=1 --"),
                "/api/v1/views/" + enc("../streams/orders"),
                "/api/v1/views/" + enc("pg_catalog.pg_authid"),
                "/api/v1/views/" + enc("ingest.stream"),
                "/api/v1/views/orders_v?" + enc("status; drop table streams.orders") + "=1",
                "/api/v1/views/orders_v?" + enc("status\" or 1=1 --") + "=1",
                "/api/v1/views/orders_v?" + enc("status.eq) or (1=1") + "=1",
                "/api/v1/views/orders_v?sort=" + enc("total; select pg_sleep(10)"),
                "/api/v1/views/orders_v?sort=" + enc("(select 1)"),
                "/api/v1/views/orders_v?sort=" + enc("-total desc, 1"),
                "/api/v1/views/orders_v?status=" + enc("paid' or '1'='1"),
                "/api/v1/views/orders_v?status=" + enc("x'); drop table streams.orders; --"),
                "/api/v1/views/orders_v?status.in=" + enc("paid','shipped') or ('1'='1"),
                "/api/v1/views/orders_v?total=" + enc("1 or 1=1"),
                "/api/v1/views/orders_v?created_at.gt=" + enc("2026-01-01' or '1'='1"),
                "/api/v1/views/orders_v/rows/" + enc("o-001' or '1'='1"),
                "/api/v1/views/orders_v/rows/" + enc("x'; delete from streams.orders; --"));
        for (String attempt : attempts) {
            HttpResponse<String> response = api.get(attempt, ANALYST_KEY);
            assertThat(response.statusCode()).as(attempt + " -> " + response.body()).isIn(200, 400, 404);
            if (response.statusCode() == 200) {
                assertThat(JSON.readTree(response.body()).get("rows").size()).as(attempt + " matches nothing").isZero();
            }
        }
        assertThat(db.count("select count(*) from streams.orders")).isEqualTo(250);
        assertThat(db.count("select count(*) from views.orders_v")).isEqualTo(250);
    }

    @Test
    void queriesRunAsTheAnalystRoleWhateverTheApiLoginMayDo() throws Exception {
        // The API's login in this test is a superuser. Take the analyst's right away: the query must fail.
        db.execute("revoke select on views.lines_v from ingest_analyst");
        try {
            assertThat(api.get("/api/v1/views/lines_v", ANALYST_KEY).statusCode()).isNotEqualTo(200);
        } finally {
            db.execute("grant select on views.lines_v to ingest_analyst");
        }
        assertThat(api.get("/api/v1/views/lines_v", ANALYST_KEY).statusCode()).isEqualTo(200);
    }
}
