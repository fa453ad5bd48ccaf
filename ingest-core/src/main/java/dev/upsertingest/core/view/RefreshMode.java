package dev.upsertingest.core.view;

import java.util.Locale;

/** How a view is kept up to date ({@code ingest.view.refresh_mode}). */
public enum RefreshMode {
    /**
     * A table in schema {@code views} to which each refresh applies only the rows changed since the previous one, read
     * from the stream's change capture ({@code ingest.<stream>__changes}).
     */
    INCREMENTAL,
    /** A materialized view recomputed whole by {@code REFRESH MATERIALIZED VIEW CONCURRENTLY}. */
    FULL;

    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RefreshMode fromSql(String mode) {
        return switch (mode) {
            case "incremental" -> INCREMENTAL;
            case "full" -> FULL;
            default -> throw new IllegalArgumentException("unknown refresh mode " + mode);
        };
    }
}
