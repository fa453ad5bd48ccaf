package dev.upsertingest.worker.errors;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;

/**
 * What a failed write says about its batch, from the SQLState PostgreSQL sent (or the pool raised):
 * <ul>
 *   <li>{@link Kind#DATA}: class 22 (data exception) or 23 (integrity constraint violation): some event of the batch
 *       is refused for what it holds. Retrying the same batch can never succeed; splitting it finds the event.</li>
 *   <li>{@link Kind#TRANSIENT}: the database is unreachable, restarting, shutting down, out of connections, or the
 *       transaction lost a serialization race. Retrying later succeeds; the database circuit breaker counts these.</li>
 *   <li>{@link Kind#OTHER}: anything else (a dropped table, a permission revoked): retried with backoff until an
 *       operator fixes it, because skipping the batch would lose it.</li>
 * </ul>
 */
public final class SqlFailure {

    public enum Kind { DATA, TRANSIENT, OTHER }

    private SqlFailure() {
    }

    public static Kind classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                Kind kind = classify(sql);
                if (kind != Kind.OTHER) {
                    return kind;
                }
            }
        }
        return Kind.OTHER;
    }

    static Kind classify(SQLException e) {
        String state = e.getSQLState();
        if (state != null && state.length() == 5) {
            String clazz = state.substring(0, 2);
            switch (clazz) {
                case "22", "23":
                    return Kind.DATA;
                case "08": // connection exception
                case "53": // insufficient resources: too many connections, out of memory, disk full
                case "57": // operator intervention: admin shutdown, crash shutdown, cannot connect now, query canceled
                case "58": // system error (I/O)
                    return Kind.TRANSIENT;
                case "40": // serialization failure, deadlock detected
                    return Kind.TRANSIENT;
                default:
                    break;
            }
        }
        // HikariCP's "connection is not available, request timed out" and pgjdbc's I/O errors.
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return Kind.TRANSIENT;
        }
        return Kind.OTHER;
    }
}
