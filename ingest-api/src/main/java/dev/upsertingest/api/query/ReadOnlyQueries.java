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

    public ReadOnlyQueries(DataSource dataSource, QuerySettings settings) {
        this.dataSource = dataSource;
        // One round trip: the settings come from validated configuration, the role name is quoted by jOOQ.
        this.setup = "set transaction isolation level repeatable read, read only; "
                + "set local role " + DSL.using(SQLDialect.POSTGRES).render(DSL.name(settings.role())) + "; "
                + "set local statement_timeout = " + settings.statementTimeout().toMillis();
    }

    public <T> T run(Function<DSLContext, T> work) {
        try (Connection connection = dataSource.getConnection()) {
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
