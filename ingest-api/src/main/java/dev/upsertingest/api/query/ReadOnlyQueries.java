package dev.upsertingest.api.query;

import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;

/**
 * Runs view queries the only way the API runs them: in a read-only, repeatable-read transaction (the rows and the
 * view's as-of time come from one snapshot), as the analyst role, with a statement timeout. Whatever the API's own
 * login may do, a query can do no more than an analyst.
 */
public class ReadOnlyQueries {

    private final DataSource dataSource;
    private final String setup;
    private final int networkTimeoutMillis;

    public ReadOnlyQueries(DataSource dataSource, QuerySettings settings) {
        this.dataSource = dataSource;
        // Longer than any query may run, so the socket timeout only ever ends a connection to a server that went
        // silent; a query that runs too long is the statement timeout's (57014, answered as query-timeout).
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.statementTimeout().plusSeconds(5).toMillis());
        // One round trip: the settings come from validated configuration, the role name is quoted by jOOQ.
        this.setup = "set transaction isolation level repeatable read, read only; "
                + "set local role " + DSL.using(SQLDialect.POSTGRES).render(DSL.name(settings.role())) + "; "
                + "set local statement_timeout = " + settings.statementTimeout().toMillis();
    }

    public <T> T run(Function<DSLContext, T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setNetworkTimeout(Runnable::run, networkTimeoutMillis); // the pool restores its own on return
            connection.setAutoCommit(false);
            try {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(setup);
                }
                T result = work.apply(DSL.using(connection, SQLDialect.POSTGRES));
                connection.commit();
                return result;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.rollback(); // no-op after commit; undoes SET LOCAL ROLE if the work failed
                    connection.setAutoCommit(true);
                }
            }
        } catch (SQLException e) {
            throw new org.springframework.dao.DataAccessResourceFailureException("view query failed: " + e.getMessage(), e);
        }
    }
}
