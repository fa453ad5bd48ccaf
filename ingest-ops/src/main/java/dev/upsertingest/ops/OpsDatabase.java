package dev.upsertingest.ops;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/**
 * The connection the operations use: one short transaction per call, optionally as a role of its own
 * ({@code SET LOCAL ROLE ingest_admin}, which is how the API keeps its admin endpoints to what that role may do).
 */
public final class OpsDatabase {

    private final DataSource dataSource;
    private final String role;

    /** @param role the role to act as in each transaction, {@code null} for the login's own */
    public OpsDatabase(DataSource dataSource, String role) {
        this.dataSource = dataSource;
        this.role = role;
    }

    public <T> T transaction(Function<DSLContext, T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES);
                if (role != null) {
                    dsl.query("set local role {0}", DSL.name(role)).execute();
                }
                T result = work.apply(dsl);
                connection.commit();
                return result;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new OperationException(OperationException.Kind.UNAVAILABLE,
                    "the database cannot be reached: " + e.getMessage().lines().findFirst().orElse(""), e);
        } catch (org.jooq.exception.DataAccessException e) {
            if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                throw new OperationException(OperationException.Kind.UNAVAILABLE,
                        "the database cannot be reached: " + sql.getMessage().lines().findFirst().orElse(""), e);
            }
            throw e;
        }
    }
}
