package dev.upsertingest.api.query;

import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A page of a view by the exact SQL: quoted catalog identifiers, bound values, keyset order, one row more. */
class ViewQueryTest {

    private static final ViewColumn ID = new ViewColumn("id", "bigint", ColumnType.BIGINT, true, true);
    private static final ViewColumn STATUS = new ViewColumn("status", "text", ColumnType.TEXT, false, true);
    private static final ViewColumn NOTE = new ViewColumn("note", "text", ColumnType.TEXT, false, false);
    private static final ViewInfo ORDERS = new ViewInfo("orders_by_status", List.of(ID, STATUS, NOTE), List.of(ID), 10);
    private static final QuerySettings SETTINGS = new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("ingest.query", QuerySettings.class);

    private static Query select(Map<String, String> parameters) {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        parameters.forEach((name, value) -> multi.put(name, List.of(value)));
        return ViewQuery.parse(ORDERS, multi, SETTINGS).select(DSL.using(SQLDialect.POSTGRES));
    }

    @Test
    void aFilteredSortedPageBindsItsValuesAndOrdersByTheSortColumnThenTheKeyTheSameWay() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("status", "paid");
        parameters.put("id.gt", "7");
        parameters.put("sort", "-status");
        parameters.put("limit", "20");
        Query query = select(parameters);

        assertThat(query.getSQL()).isEqualTo("select \"id\", \"status\", \"note\" from \"views\".\"orders_by_status\" "
                + "where (\"status\" = ? and \"id\" > ?) "
                + "order by \"status\" desc nulls last, \"id\" desc fetch next ? rows only");
        assertThat(query.getBindValues()).containsExactly("paid", 7L, 21L);
    }

    @Test
    void aParameterNeverBecomesAnIdentifier() {
        assertThatThrownBy(() -> select(Map.of("status\"; drop table x; --", "1")))
                .isInstanceOf(BadQueryException.class);
        assertThat(select(Map.of("note", "'; drop table x; --")).getSQL(ParamType.INDEXED)).doesNotContain("drop");
    }
}
