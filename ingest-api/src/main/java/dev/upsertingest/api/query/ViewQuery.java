package dev.upsertingest.api.query;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.SortField;
import org.jooq.Table;
import org.jooq.impl.DSL;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

/**
 * One page of a view, built from request parameters with jOOQ: column names are looked up in the {@link ViewInfo}
 * (never rendered from the request), values are parsed by the column's type and bound.
 *
 * <p>Parameters: {@code column=value} (equals), {@code column.ne|gt|gte|lt|lte=value}, {@code column.in=a,b,c},
 * {@code column.null=true|false}; {@code sort=column} or {@code sort=-column} on a sortable (indexed) column;
 * {@code limit}; {@code cursor} from the previous page. Rows come in sort order (NULLs last), ties broken by the key,
 * and a page continues strictly after the previous page's last row: keyset pagination, no OFFSET.
 */
final class ViewQuery {

    static final Set<String> RESERVED = Set.of("limit", "cursor", "sort");
    private static final int MAX_IN_VALUES = 100;

    private final ViewInfo view;
    private final List<Condition> filters;
    private final ViewColumn sortColumn;
    private final boolean descending;
    private final int limit;
    private final Cursor after;

    private ViewQuery(ViewInfo view, List<Condition> filters, ViewColumn sortColumn, boolean descending, int limit, Cursor after) {
        this.view = view;
        this.filters = filters;
        this.sortColumn = sortColumn;
        this.descending = descending;
        this.limit = limit;
        this.after = after;
    }

    static ViewQuery parse(ViewInfo view, Map<String, List<String>> parameters, QuerySettings settings) {
        List<Condition> filters = new ArrayList<>();
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            if (RESERVED.contains(parameter.getKey())) {
                continue;
            }
            if (parameter.getValue().size() != 1) {
                throw new BadQueryException("parameter " + parameter.getKey() + " is given more than once");
            }
            noNul("a parameter name", parameter.getKey());
            noNul(parameter.getKey(), parameter.getValue().getFirst());
            filters.add(filter(view, parameter.getKey(), parameter.getValue().getFirst()));
        }

        String sort = single(parameters, "sort");
        noNul("sort", sort);
        ViewColumn sortColumn = null;
        boolean descending = false;
        if (sort != null && !sort.isEmpty()) {
            descending = sort.startsWith("-");
            String name = descending ? sort.substring(1) : sort;
            sortColumn = view.column(name).orElseThrow(() -> new BadQueryException("cannot sort by unknown column '" + name + "'"));
            if (!sortColumn.sortable()) {
                throw new BadQueryException("cannot sort by '" + name + "': only by indexed columns ("
                        + view.columns().stream().filter(ViewColumn::sortable).map(ViewColumn::name).toList() + ")");
            }
        }

        int limit = settings.defaultPageSize();
        String limitText = single(parameters, "limit");
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                throw new BadQueryException("limit must be a whole number");
            }
            if (limit < 1 || limit > settings.maxPageSize()) {
                throw new BadQueryException("limit must be between 1 and " + settings.maxPageSize());
            }
        }

        String cursorText = single(parameters, "cursor");
        Cursor after = cursorText == null ? null : Cursor.decode(cursorText);
        ViewQuery query = new ViewQuery(view, filters, sortColumn, descending, limit, after);
        if (after != null && (!after.sort().equals(query.sortSpec()) || after.key().size() != view.keyColumns().size())) {
            throw new BadQueryException("the cursor belongs to a different sort; start again without it");
        }
        return query;
    }

    record Page(List<Map<String, Object>> rows, String nextCursor) {
    }

    /** The page's one statement: one row more than the page, to know whether another page follows. */
    org.jooq.ResultQuery<Record> select(DSLContext dsl) {
        Table<?> table = table(name("views", view.name()));
        List<Field<?>> fields = view.columns().stream().<Field<?>>map(ViewQuery::field).toList();
        Condition where = DSL.and(filters);
        if (after != null) {
            where = where.and(after());
        }
        return dsl.select(fields).from(table).where(where).orderBy(order()).limit(limit + 1);
    }

    Page fetch(DSLContext dsl) {
        Result<Record> result = select(dsl).fetch();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, result.size()); i++) {
            rows.add(toJson(view, result.get(i)));
        }
        String next = null;
        if (result.size() > limit) {
            Record last = result.get(limit - 1);
            next = new Cursor(sortSpec(),
                    sortColumn == null ? null : sortColumn.type().toText(last.get(sortColumn.name())),
                    view.keyColumns().stream().map(k -> k.type().toText(last.get(k.name()))).toList()).encode();
        }
        return new Page(rows, next);
    }

    static Map<String, Object> toJson(ViewInfo view, Record record) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (ViewColumn column : view.columns()) {
            row.put(column.name(), column.type().toJson(record.get(column.name())));
        }
        return row;
    }

    static Field<Object> field(ViewColumn column) {
        return DSL.field(name(column.name()), column.type().dataType());
    }

    String sortSpec() {
        return sortColumn == null ? "" : (descending ? "-" : "") + sortColumn.name();
    }

    private List<SortField<?>> order() {
        List<SortField<?>> order = new ArrayList<>();
        if (sortColumn != null) {
            order.add(descending ? field(sortColumn).desc().nullsLast() : field(sortColumn).asc().nullsLast());
        }
        for (ViewColumn key : view.keyColumns()) {
            order.add(descending ? field(key).desc() : field(key).asc());
        }
        return order;
    }

    /** Strictly after the cursor's row in {@link #order()}, NULL sort values last. */
    private Condition after() {
        List<Field<?>> keyFields = view.keyColumns().stream().<Field<?>>map(ViewQuery::field).toList();
        List<Object> keyValues = new ArrayList<>();
        for (int i = 0; i < view.keyColumns().size(); i++) {
            keyValues.add(parseCursorValue(view.keyColumns().get(i), after.key().get(i)));
        }
        Condition keyAfter = compare(keyFields, keyValues);
        if (sortColumn == null) {
            return keyAfter;
        }
        Field<Object> sort = field(sortColumn);
        if (after.sortValue() == null) {
            return sort.isNull().and(keyAfter); // already among the NULLs, which come last
        }
        Object value = parseCursorValue(sortColumn, after.sortValue());
        Condition beyond = descending ? sort.lt(val(value, sort.getDataType())) : sort.gt(val(value, sort.getDataType()));
        return beyond.or(sort.eq(val(value, sort.getDataType())).and(keyAfter)).or(sort.isNull());
    }

    private Condition compare(List<Field<?>> fields, List<Object> values) {
        List<Field<?>> bound = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            bound.add(val(values.get(i), fields.get(i).getDataType()));
        }
        var left = row(fields);
        var right = row(bound);
        return descending ? left.lt(right) : left.gt(right);
    }

    /**
     * PostgreSQL's text cannot hold U+0000, so no value (or name) with one can match anything; binding it would only
     * make the database refuse the query.
     */
    static void noNul(String what, String text) {
        if (text != null && text.indexOf('\0') >= 0) {
            throw new BadQueryException(what.replace('\0', '?') + " must not contain a NUL character (U+0000), which PostgreSQL text cannot hold");
        }
    }

    private static Object parseCursorValue(ViewColumn column, String text) {
        noNul("the cursor", text);
        try {
            return column.type().parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("the cursor is not one this API issued");
        }
    }

    private static Condition filter(ViewInfo view, String parameter, String text) {
        int dot = parameter.lastIndexOf('.');
        String columnName = dot < 0 ? parameter : parameter.substring(0, dot);
        String op = dot < 0 ? "eq" : parameter.substring(dot + 1).toLowerCase(Locale.ROOT);
        ViewColumn column = view.column(columnName).orElseThrow(() -> new BadQueryException("unknown column '" + columnName
                + "' (columns: " + view.columns().stream().map(ViewColumn::name).toList() + ")"));
        Field<Object> field = field(column);
        if (op.equals("null")) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> field.isNull();
                case "false" -> field.isNotNull();
                default -> throw new BadQueryException(parameter + " must be true or false");
            };
        }
        if (!column.type().comparable()) {
            throw new BadQueryException("column '" + columnName + "' (" + column.sqlType() + ") cannot be filtered on");
        }
        if (op.equals("in")) {
            String[] parts = text.split(",", -1);
            if (parts.length > MAX_IN_VALUES) {
                throw new BadQueryException(parameter + " takes at most " + MAX_IN_VALUES + " values");
            }
            List<Field<?>> values = new ArrayList<>();
            for (String part : parts) {
                values.add(val(value(column, parameter, part), field.getDataType()));
            }
            return field.in(values);
        }
        Field<Object> value = val(value(column, parameter, text), field.getDataType());
        return switch (op) {
            case "eq" -> field.eq(value);
            case "ne" -> field.ne(value);
            case "gt" -> field.gt(value);
            case "gte" -> field.ge(value);
            case "lt" -> field.lt(value);
            case "lte" -> field.le(value);
            default -> throw new BadQueryException("unknown operator '" + op + "' in " + parameter
                    + " (use eq, ne, gt, gte, lt, lte, in, null)");
        };
    }

    private static Object value(ViewColumn column, String parameter, String text) {
        try {
            return column.type().parse(text);
        } catch (IllegalArgumentException e) {
            throw new BadQueryException(parameter + " must be " + column.type().expectation());
        }
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new BadQueryException("parameter " + name + " is given more than once");
        }
        return values.getFirst();
    }
}
