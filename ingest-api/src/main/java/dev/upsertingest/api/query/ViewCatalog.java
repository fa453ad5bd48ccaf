package dev.upsertingest.api.query;

import org.jooq.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The views the API serves, with their columns, key and sortable columns, read from the PostgreSQL catalog as the
 * analyst role sees it. Every identifier a query uses comes from here; a name in a request is only ever looked up.
 */
public class ViewCatalog {

    private static final Logger log = LoggerFactory.getLogger(ViewCatalog.class);

    private static final String COLUMNS = """
            select c.relname as view, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as sql_type,
                   c.reltuples::bigint as row_estimate
            from pg_catalog.pg_class c
                join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname = 'views' and c.relkind in ('m', 'r') and c.relname in (select view from views.view_freshness)
            order by c.relname, a.attnum""";

    /** Each index on a view: whether it is the view's key (the unique index <view>_key), and its plain columns in order. */
    private static final String INDEXES = """
            select t.relname as view, ix.relname = t.relname || '_key' as is_key, i.indisunique as is_unique,
                   array(select a.attname from unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
                         join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
                         order by k.ord) as columns,
                   am.amname as method
            from pg_catalog.pg_index i
                join pg_catalog.pg_class t on t.oid = i.indrelid
                join pg_catalog.pg_class ix on ix.oid = i.indexrelid
                join pg_catalog.pg_am am on am.oid = ix.relam
                join pg_catalog.pg_namespace n on n.oid = t.relnamespace
            where n.nspname = 'views' and t.relkind in ('m', 'r')""";

    private final ReadOnlyQueries queries;
    private final QuerySettings settings;
    private final Clock clock;
    private volatile Map<String, ViewInfo> views = Map.of();
    private volatile Instant loadedAt = Instant.EPOCH;
    private final java.util.concurrent.locks.ReentrantLock reloading = new java.util.concurrent.locks.ReentrantLock();

    public ViewCatalog(ReadOnlyQueries queries, QuerySettings settings, Clock clock) {
        this.queries = queries;
        this.settings = settings;
        this.clock = clock;
    }

    public Collection<ViewInfo> views() {
        reloadIfOlderThan(settings.catalogRefresh());
        return views.values();
    }

    /** Looks a view up; an unknown name rereads the catalog, at most once per second, before giving up. */
    public Optional<ViewInfo> view(String name) {
        reloadIfOlderThan(settings.catalogRefresh());
        ViewInfo view = views.get(name);
        if (view == null) {
            reloadIfOlderThan(java.time.Duration.ofSeconds(1));
            view = views.get(name);
        }
        return Optional.ofNullable(view);
    }

    /**
     * Rereads the catalog when it is older than {@code age}. One request rereads it at a time; while it does, the
     * others go on with the catalog they have rather than queue behind it (they would each wait out the connection
     * timeout in turn while the database is down), unless there is none yet.
     */
    private void reloadIfOlderThan(java.time.Duration age) {
        if (clock.instant().isBefore(loadedAt.plus(age))) {
            return;
        }
        boolean loaded = !views.isEmpty();
        if (loaded) {
            if (!reloading.tryLock()) {
                return;
            }
        } else {
            reloading.lock();
        }
        try {
            if (clock.instant().isBefore(loadedAt.plus(age))) {
                return;
            }
            views = queries.run(dsl -> build(dsl.fetch(COLUMNS), dsl.fetch(INDEXES)));
            loadedAt = clock.instant();
            log.debug("View catalog loaded: {}", views.keySet());
        } finally {
            reloading.unlock();
        }
    }

    private static Map<String, ViewInfo> build(List<? extends Record> columns, List<? extends Record> indexes) {
        Map<String, List<String>> keys = new HashMap<>();
        Map<String, Set<String>> sortable = new HashMap<>();
        for (Record index : indexes) {
            String view = index.get("view", String.class);
            String[] indexColumns = index.get("columns", String[].class);
            if (indexColumns.length == 0) {
                continue; // an expression index
            }
            if (Boolean.TRUE.equals(index.get("is_key", Boolean.class))) {
                keys.put(view, List.of(indexColumns));
            }
            if ("btree".equals(index.get("method", String.class))) {
                sortable.computeIfAbsent(view, v -> new HashSet<>()).add(indexColumns[0]);
            }
        }
        Map<String, ViewInfo> views = new LinkedHashMap<>();
        Map<String, List<ViewColumn>> byView = new LinkedHashMap<>();
        Map<String, Long> estimates = new HashMap<>();
        for (Record row : columns) {
            String view = row.get("view", String.class);
            String name = row.get("column_name", String.class);
            String sqlType = row.get("sql_type", String.class);
            ColumnType type = ColumnType.fromSqlType(sqlType);
            boolean key = keys.getOrDefault(view, List.of()).contains(name);
            boolean canSort = type.comparable() && sortable.getOrDefault(view, Set.of()).contains(name);
            byView.computeIfAbsent(view, v -> new ArrayList<>()).add(new ViewColumn(name, sqlType, type, key, canSort));
            estimates.put(view, Math.max(0, row.get("row_estimate", Long.class)));
        }
        byView.forEach((view, viewColumns) -> {
            List<String> keyNames = keys.get(view);
            if (keyNames == null) {
                log.warn("View {} has no unique key index ({}_key) and is not served", view, view);
                return;
            }
            List<ViewColumn> keyColumns = keyNames.stream()
                    .map(k -> viewColumns.stream().filter(c -> c.name().equals(k)).findFirst().orElseThrow()).toList();
            views.put(view, new ViewInfo(view, List.copyOf(viewColumns), keyColumns, estimates.get(view)));
        });
        return java.util.Collections.unmodifiableMap(views);
    }
}
