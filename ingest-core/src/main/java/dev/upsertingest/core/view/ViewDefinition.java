package dev.upsertingest.core.view;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A registered view over a stream.
 *
 * @param name            view name (the relation {@code views.<name>})
 * @param stream          the stream it projects
 * @param schema          schema of the view relation
 * @param refreshInterval how often the worker refreshes it (when its stream's table changed)
 * @param keepDocument    whether the view keeps the whole {@code doc}
 * @param refreshMode     incremental (a table the worker applies changes to) or full (a materialized view)
 * @param columns         the declared columns' names, in order (the key columns, {@code doc} and {@code updated_at}
 *                        come besides)
 */
public record ViewDefinition(String name, String stream, String schema, Duration refreshInterval, boolean keepDocument,
                             RefreshMode refreshMode, List<String> columns) {

    public ViewDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(refreshMode, "refreshMode");
        columns = List.copyOf(columns);
    }

    public boolean incremental() {
        return refreshMode == RefreshMode.INCREMENTAL;
    }

    /** The view of the control schema that computes what this view shows ({@code ingest.<name>__projection}). */
    public String projectionView() {
        return name + "__projection";
    }
}
