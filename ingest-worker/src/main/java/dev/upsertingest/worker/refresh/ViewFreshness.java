package dev.upsertingest.worker.refresh;

import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared freshness of every view (rows, newest data), reloaded by the scheduler each tick, so that every replica
 * reports the same gauges whichever replica refreshed.
 */
public class ViewFreshness {

    /** @param rows rows in the view, -1 if unknown; @param newestData max(updated_at) in the view, may be null */
    public record Snapshot(long rows, OffsetDateTime newestData) {
    }

    private final DataSource dataSource;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private volatile Set<String> requested = Set.of();

    public ViewFreshness(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Snapshot get(String view) {
        return snapshots.getOrDefault(view, new Snapshot(-1, null));
    }

    /** Views with a refresh asked for by hand that has not started yet, as of the last reload. */
    Set<String> refreshRequested() {
        return requested;
    }

    void reload() {
        try (Connection connection = dataSource.getConnection()) {
            Set<String> asked = new HashSet<>();
            new RefreshStatements(DSL.using(connection, SQLDialect.POSTGRES)).freshness().forEach(row -> {
                snapshots.put(row.value1(), new Snapshot(row.value2() == null ? -1 : row.value2(), row.value3()));
                if (Boolean.TRUE.equals(row.value4())) {
                    asked.add(row.value1());
                }
            });
            requested = Set.copyOf(asked);
        } catch (SQLException | RuntimeException e) {
            // keep the last snapshot; the gauges age, which is the truth when the database cannot be read
        }
    }
}
