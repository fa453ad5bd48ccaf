package dev.upsertingest.core.view;

import java.time.Duration;

/**
 * A registered materialized view over a stream.
 *
 * @param name            view name (the relation {@code views.<name>})
 * @param stream          the stream it projects
 * @param schema          schema of the view relation
 * @param refreshInterval how often the worker refreshes it (when its stream's table changed)
 * @param keepDocument    whether the view keeps the whole {@code doc}
 */
public record ViewDefinition(String name, String stream, String schema, Duration refreshInterval, boolean keepDocument) {
}
