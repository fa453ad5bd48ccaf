package dev.upsertingest.api.query;

import dev.upsertingest.api.metrics.ApiMetrics;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Record3;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

/** The view endpoints' work: catalog lookups, then each answer's rows and freshness from one read-only snapshot. */
public class ViewService {

    private static final Field<String> FRESHNESS_VIEW = field(name("view"), SQLDataType.CLOB);
    private static final Field<OffsetDateTime> AS_OF = field(name("as_of"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Field<OffsetDateTime> NEWEST = field(name("newest_data_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    private static final Field<OffsetDateTime> REFRESHED = field(name("refreshed_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);

    private final ViewCatalog catalog;
    private final ReadOnlyQueries queries;
    private final QuerySettings settings;
    private final ApiMetrics metrics;

    public ViewService(ViewCatalog catalog, ReadOnlyQueries queries, QuerySettings settings, ApiMetrics metrics) {
        this.catalog = catalog;
        this.queries = queries;
        this.settings = settings;
        this.metrics = metrics;
    }

    public ViewResponses.ViewList list() {
        List<ViewInfo> views = List.copyOf(catalog.views());
        Map<String, ViewResponses.Freshness> freshness = queries.run(ViewService::allFreshness);
        List<ViewResponses.ViewSummary> summaries = new ArrayList<>();
        for (ViewInfo view : views) {
            summaries.add(new ViewResponses.ViewSummary(view.name(),
                    view.columns().stream().map(c -> new ViewResponses.Column(c.name(), c.sqlType(), c.key(), c.sortable(),
                            c.type().comparable())).toList(),
                    view.keyColumns().stream().map(ViewColumn::name).toList(),
                    view.rowEstimate(),
                    freshness.get(view.name())));
        }
        return new ViewResponses.ViewList(summaries);
    }

    public ViewResponses.Rows rows(String viewName, Map<String, List<String>> parameters) {
        ViewInfo view = known(viewName);
        ViewQuery query = ViewQuery.parse(view, parameters, settings);
        long start = System.nanoTime();
        var answer = queries.run(dsl -> {
            ViewQuery.Page page = query.fetch(dsl);
            return new ViewResponses.Rows(view.name(), freshness(dsl, view.name()), page.rows(), page.rows().size(), page.nextCursor());
        });
        metrics.queried(view.name(), "rows", Duration.ofNanos(System.nanoTime() - start));
        return answer;
    }

    /** One row by its key: the key value itself, or for a composite key a JSON array of the values in key order. */
    public ViewResponses.Row row(String viewName, String keyText) {
        ViewInfo view = known(viewName);
        List<Object> key = parseKey(view, keyText);
        long start = System.nanoTime();
        var answer = queries.run(dsl -> {
            var where = DSL.noCondition();
            for (int i = 0; i < key.size(); i++) {
                Field<Object> column = ViewQuery.field(view.keyColumns().get(i));
                where = where.and(column.eq(val(key.get(i), column.getDataType())));
            }
            Record record = dsl.select(view.columns().stream().<Field<?>>map(ViewQuery::field).toList())
                    .from(table(name("views", view.name()))).where(where).fetchOne();
            if (record == null) {
                throw new NotFoundException("view '" + view.name() + "' has no row with key " + keyText);
            }
            return new ViewResponses.Row(view.name(), freshness(dsl, view.name()), ViewQuery.toJson(view, record));
        });
        metrics.queried(view.name(), "row", Duration.ofNanos(System.nanoTime() - start));
        return answer;
    }

    private ViewInfo known(String viewName) {
        return catalog.view(viewName).orElseThrow(() -> new NotFoundException("there is no view named '" + viewName + "'"));
    }

    private static List<Object> parseKey(ViewInfo view, String keyText) {
        ViewQuery.noNul("the key", keyText);
        List<ViewColumn> keys = view.keyColumns();
        List<String> parts = new ArrayList<>();
        if (keys.size() == 1) {
            parts.add(keyText);
        } else {
            try {
                JsonNode array = JsonMapper.shared().readTree(keyText);
                if (!array.isArray() || array.size() != keys.size()) {
                    throw new BadQueryException("the key of view '" + view.name() + "' is a JSON array of " + keys.size() + " values");
                }
                array.forEach(element -> parts.add(element.asString()));
                parts.forEach(part -> ViewQuery.noNul("the key", part));
            } catch (JacksonException e) {
                throw new BadQueryException("the key of view '" + view.name() + "' is a JSON array of " + keys.size() + " values");
            }
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            try {
                values.add(keys.get(i).type().parse(parts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new BadQueryException("key column " + keys.get(i).name() + " must be " + keys.get(i).type().expectation());
            }
        }
        return values;
    }

    private static ViewResponses.Freshness freshness(DSLContext dsl, String view) {
        Record3<OffsetDateTime, OffsetDateTime, OffsetDateTime> row = dsl.select(AS_OF, NEWEST, REFRESHED)
                .from(table(name("views", "view_freshness"))).where(FRESHNESS_VIEW.eq(view)).fetchOne();
        return row == null ? null : freshness(row.value1(), row.value2(), row.value3());
    }

    private static Map<String, ViewResponses.Freshness> allFreshness(DSLContext dsl) {
        Map<String, ViewResponses.Freshness> all = new HashMap<>();
        dsl.select(FRESHNESS_VIEW, AS_OF, NEWEST, REFRESHED).from(table(name("views", "view_freshness")))
                .forEach(r -> all.put(r.value1(), freshness(r.value2(), r.value3(), r.value4())));
        return all;
    }

    private static ViewResponses.Freshness freshness(OffsetDateTime asOf, OffsetDateTime newest, OffsetDateTime refreshed) {
        Double staleness = newest == null ? null
                : Duration.between(newest.toInstant(), java.time.Instant.now()).toMillis() / 1000.0;
        return new ViewResponses.Freshness(asOf, newest, refreshed, staleness);
    }
}
