package dev.upsertingest.worker.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What a read-only analyst can and cannot do to the running system: real PostgreSQL, real worker. Analysts log in with
 * logins made by {@code ingest.create_analyst_login}, the supported way.
 */
class AnalystAccessIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The advisory lock keys the refresher and the rebuilder used to take: (namespace, hashtext(name)). */
    private static final String OLD_REFRESH_KEY = "x'16E57001'::int, hashtext('orders_v')";
    private static final String OLD_REBUILD_KEY = "x'16E57002'::int, hashtext('orders')";

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private final List<String> roles = new ArrayList<>();
    private TestDatabase db;
    private String topic;
    private WorkerHarness worker;

    @BeforeEach
    void setUp() {
        db = TestInfrastructure.migratedDatabase("analysts");
        topic = TestEvents.uniqueTopic("orders");
        kafka.createTopic(topic, 3, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('orders', '" + topic + "', "
                + "'[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]')");
        db.execute("select ingest.declare_view('orders_v', 'orders', "
                + "'[{\"name\": \"status\", \"type\": \"text\", \"pointer\": \"/status\"}]', refresh_interval => '1 second', "
                + "refresh_mode => 'full')"); // the tests refresh it by hand too
    }

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        // Roles belong to the whole server, which other tests share.
        for (String role : roles) {
            db.execute("select pg_terminate_backend(pid) from pg_stat_activity where usename = '" + role + "'");
            await().atMost(PATIENCE).until(() -> db.count("select count(*) from pg_stat_activity where usename = '" + role + "'") == 0);
            db.execute("drop role if exists " + role);
        }
    }

    @Test
    void anAnalystTakingEveryLockItCanReachDoesNotHoldUpARefresh() throws Exception {
        String analyst = analystLogin("statement_timeout => '1 minute'");
        worker = WorkerHarness.builder(db, kafka).property("ingest.refresh.tick", "200ms").start();
        // Through the topic, as events arrive: the worker may still be rebuilding the new stream's table from the
        // topic (a row written straight into the table meanwhile would be emptied with it).
        TestEvents events = new TestEvents(kafka);
        events.send(topic, "o-1", "{\"order_id\": \"o-1\", \"status\": \"paid\"}").flush();
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 1);

        try (Connection session = connect(analyst); Statement s = session.createStatement()) {
            // The old advisory lock keys, as an analyst could read them from pg_locks, held for the whole session.
            s.execute("select pg_advisory_lock(" + OLD_REFRESH_KEY + "), pg_advisory_lock(" + OLD_REBUILD_KEY + ")");
            // The rows the worker locks now, and anything else of the control schema: refused.
            List<String> attempts = List.of(
                    "select * from ingest.worker_lock for update",
                    "select * from ingest.view_state for update",
                    "select * from ingest.stream for update",
                    "select * from views.view_freshness for update",
                    "lock table views.orders_v in exclusive mode",
                    "lock table views.orders_v in share mode");
            session.setAutoCommit(false); // LOCK TABLE needs a transaction; each attempt gets one
            for (String attempt : attempts) {
                assertThatThrownBy(() -> s.execute(attempt)).as(attempt).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(attempt)
                                // insufficient privilege; FOR UPDATE on an outer join; LOCK TABLE on a materialized view
                                .isIn("42501", "0A000", "42809"));
                session.rollback();
            }
            // And an open transaction that has read the view, holding its lock on it.
            assertThat(count(s, "select count(*) from orders_v")).isEqualTo(1);

            events.send(topic, "o-2", "{\"order_id\": \"o-2\", \"status\": \"paid\"}").flush();
            await().atMost(PATIENCE).until(() -> db.count("select count(*) from views.orders_v") == 2);
            session.rollback();
        } finally {
            events.close();
        }
    }

    @Test
    void theApiRoleCannotLockTheControlRowsItMayRead() throws Exception {
        String api = "api_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("create role " + api + " login password 'secret' in role ingest_api");
        roles.add(api);
        try (Connection session = DriverManager.getConnection(db.jdbcUrl(), api, "secret"); Statement s = session.createStatement()) {
            assertThat(count(s, "select count(*) from ingest.stream")).isEqualTo(1);
            for (String attempt : List.of(
                    "select * from ingest.stream for update",
                    "select * from ingest.stream for key share",
                    "select * from ingest.stream_key_column for share",
                    "select * from ingest.worker_lock",
                    "select ingest.create_analyst_login('sneaky', 'sneaky')")) {
                assertThatThrownBy(() -> s.execute(attempt)).as(attempt).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).as(attempt).isEqualTo("42501"));
            }
        }
    }

    @Test
    void aLoginMadeTheSupportedWayIsReadOnlyFindsTheViewsAndIsCancelledAtItsTimeout() throws Exception {
        db.execute("insert into streams.orders (order_id, doc) values ('o-1', '{\"status\": \"paid\"}'), "
                + "('o-2', '{\"status\": \"shipped\"}'), ('o-3', '{\"status\": \"paid\"}')");
        db.execute("refresh materialized view views.orders_v");
        String analyst = analystLogin("statement_timeout => '1 second'");

        try (Connection session = connect(analyst); Statement s = session.createStatement()) {
            assertThat(show(s, "search_path")).isEqualTo("views");
            assertThat(show(s, "default_transaction_read_only")).isEqualTo("on");
            assertThat(show(s, "statement_timeout")).isEqualTo("1s");
            assertThat(show(s, "idle_in_transaction_session_timeout")).isEqualTo("5min");
            assertThat(show(s, "client_connection_check_interval")).isEqualTo("5s");
            // The README's example, without schema names.
            try (var rows = s.executeQuery("SELECT count_values(status) FROM orders_v")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("{\"paid\": 2, \"shipped\": 1}");
            }
            assertThat(count(s, "select count(*) from view_freshness")).isEqualTo(1);

            assertThatThrownBy(() -> s.execute("select pg_sleep(30)")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014")) // query_canceled
                    .hasMessageContaining("statement timeout");
            // Temporary tables are the one thing ingest_analyst's privileges would allow (PUBLIC may create them).
            assertThatThrownBy(() -> s.execute("create temporary table scratch (id int)")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("25006")); // read-only transaction

            // What the documentation warns about: the settings are defaults, and a session may change its own.
            s.execute("set statement_timeout = 0");
            assertThat(show(s, "statement_timeout")).isEqualTo("0");
        }
    }

    @Test
    void anExistingLoginIsMadeAnAnalystAndLoginsThatDoMoreAreRefused() throws Exception {
        String old = "analyst_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("create role " + old + " login password 'secret'"); // as the README used to say, without settings
        roles.add(old);
        db.execute("select ingest.configure_analyst_login('" + old + "')");
        try (Connection session = connect(old); Statement s = session.createStatement()) {
            assertThat(show(s, "search_path")).isEqualTo("views");
            assertThat(show(s, "statement_timeout")).isEqualTo("5min");
            assertThat(count(s, "select count(*) from orders_v")).isZero();
        }

        assertThatThrownBy(() -> db.execute("select ingest.configure_analyst_login(current_user)"))
                .hasMessageContaining("is not a plain login");
        String creator = "creator_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("create role " + creator + " login createrole");
        roles.add(creator);
        assertThatThrownBy(() -> db.execute("select ingest.configure_analyst_login('" + creator + "')"))
                .hasMessageContaining("is not a plain login");
        assertThatThrownBy(() -> db.execute("select ingest.create_analyst_login('" + old + "', 'x')"))
                .hasMessageContaining("exists already");
    }

    @Test
    void aQueryWhoseClientWentAwayIsEndedEvenWithoutItsStatementTimeout() throws Exception {
        String analyst = analystLogin("statement_timeout => '1 minute'");
        Connection session = connect(analyst);
        int backend;
        try (Statement s = session.createStatement()) {
            s.execute("set statement_timeout = 0"); // the override no setting can prevent
            backend = (int) count(s, "select pg_backend_pid()");
        }
        CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
            try (Statement s = session.createStatement()) {
                s.execute("select pg_sleep(600)");
            } catch (SQLException expected) {
                // the connection is aborted under it
            }
        });
        String active = "select count(*) from pg_stat_activity where pid = " + backend + " and state = 'active'";
        await().atMost(PATIENCE).until(() -> db.count(active) == 1);

        session.abort(Executors.newSingleThreadExecutor()); // the client goes away: its socket is closed
        // client_connection_check_interval (5 s, set on the login) notices and ends the backend.
        await().atMost(PATIENCE).until(() -> db.count("select count(*) from pg_stat_activity where pid = " + backend) == 0);
        sleeping.join();
    }

    @Test
    void theOperatorsQueryFromTheDocumentationEndsAnalystSessionsAndNoOther() throws Exception {
        String documented = Files.readString(Path.of("..", "docs", "streams-and-views.md"));
        int start = documented.indexOf("SELECT pg_terminate_backend(a.pid)");
        String watchdog = documented.substring(start, documented.indexOf(";", start))
                .replace("interval '30 minutes'", "interval '0 seconds'");
        assertThat(watchdog).contains("interval '0 seconds'");
        String analyst = analystLogin("statement_timeout => '1 minute'");
        String api = "api_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("create role " + api + " login password 'secret' in role ingest_api");
        roles.add(api);

        try (Connection analystSession = connect(analyst); Statement a = analystSession.createStatement();
             Connection apiSession = DriverManager.getConnection(db.jdbcUrl(), api, "secret"); Statement p = apiSession.createStatement();
             Connection ownerSession = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
             Statement o = ownerSession.createStatement()) {
            for (Connection session : List.of(analystSession, apiSession, ownerSession)) {
                session.setAutoCommit(false);
            }
            count(a, "select count(*) from orders_v"); // each in an open transaction
            count(p, "select count(*) from ingest.stream");
            count(o, "select count(*) from streams.orders");

            db.execute(watchdog);
            await().atMost(PATIENCE).until(() ->
                    db.count("select count(*) from pg_stat_activity where usename = '" + analyst + "'") == 0);
            assertThat(count(p, "select count(*) from ingest.stream")).as("the API's session goes on").isEqualTo(1);
            assertThat(count(o, "select count(*) from streams.orders")).as("the owner's session goes on").isZero();
        }
    }

    private String analystLogin(String settings) {
        String login = "analyst_" + UUID.randomUUID().toString().substring(0, 8);
        db.execute("select ingest.create_analyst_login('" + login + "', 'secret', " + settings + ")");
        roles.add(login);
        return login;
    }

    private Connection connect(String login) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), login, "secret");
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (var rows = statement.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static long count(Statement statement, String sql) throws SQLException {
        try (var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
