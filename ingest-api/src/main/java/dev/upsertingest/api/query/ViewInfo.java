package dev.upsertingest.api.query;

import java.util.List;
import java.util.Optional;

/**
 * A view the API serves: a materialized view in schema {@code views} that is registered (listed in
 * {@code views.view_freshness}).
 *
 * @param name        view name
 * @param columns     its columns, in order
 * @param keyColumns  the unique key (the stream's primary key), in key order
 * @param rowEstimate the planner's row estimate
 */
public record ViewInfo(String name, List<ViewColumn> columns, List<ViewColumn> keyColumns, long rowEstimate) {

    public Optional<ViewColumn> column(String column) {
        return columns.stream().filter(c -> c.name().equals(column)).findFirst();
    }
}
