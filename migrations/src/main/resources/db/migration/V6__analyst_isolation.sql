-- Analysts cannot interfere with the worker, and their logins come with limits.
--
-- 1. The worker's mutual exclusion (one replica refreshes a view at a time; one replica detects or rewinds a lost
--    stream table at a time) used advisory locks. Any role may take any advisory lock (pg_advisory_lock is executable
--    by PUBLIC, and the keys are visible in pg_locks), so a read-only analyst could take a view's key and freeze its
--    refreshes. The worker now locks rows of ingest.worker_lock instead: SELECT ... FOR UPDATE needs UPDATE privilege
--    on the table, and only its owner (the migrations' and worker's login) has any privilege on it. Analysts cannot
--    even reach schema ingest; ingest_api may read ingest.stream and ingest.stream_key_column, nothing else.
--
--    A table of its own rather than rows that exist already (ingest.view_state per view, ingest.stream per stream),
--    because migrations write those rows while holding other locks: replace_view renames the view relation and then
--    updates ingest.view_state, drop_view drops it and then deletes ingest.view (cascading to view_state), while the
--    refresher would hold the row and then lock the relation: each would wait for the other, a deadlock PostgreSQL
--    breaks by failing one of them, possibly the migration. And declare_view's insert into ingest.view takes a key
--    share lock on the stream's ingest.stream row, which would wait for a rebuilder holding it across Kafka calls.
--    Nothing but the worker touches ingest.worker_lock, so its lock is always taken first and never waited for by DDL.
--
--    Rows are keyed by name, with no foreign key on purpose (a cascade from ingest.view would be such a write). The
--    worker inserts a row the first time it needs it; a row of a dropped view or stream stays (a few bytes) and is
--    used again if the name is declared again. A view replaced by replace_view keeps its name, and so its row.
--
-- 2. Role settings are not inherited: ALTER ROLE ingest_analyst SET statement_timeout = ... would not reach the
--    members that log in. ingest.create_analyst_login / ingest.configure_analyst_login put the settings on each
--    login. They are defaults a session may still change (SET statement_timeout = 0): see docs/streams-and-views.md.

CREATE TABLE ingest.worker_lock (
    scope text NOT NULL CONSTRAINT worker_lock_scope_is_known CHECK (scope IN ('view_refresh', 'stream_rebuild')),
    name  text NOT NULL,
    PRIMARY KEY (scope, name)
);
COMMENT ON TABLE ingest.worker_lock IS 'Rows the worker locks (SELECT ... FOR UPDATE) so that one replica at a time refreshes a view (view_refresh) or detects and rewinds a lost stream table (stream_rebuild). No other role has any privilege on it.';
REVOKE ALL ON ingest.worker_lock FROM PUBLIC;

-- Applies the analyst settings to an existing login and makes it a member of ingest_analyst. Run it as the
-- migrations' login (or another role with CREATEROLE and the ADMIN option on ingest_analyst; on PostgreSQL 16+ also
-- the ADMIN option on the login itself, which its creator has):
--
--   SELECT ingest.configure_analyst_login('alice');
--
-- Settings (per login, for every database of the cluster; defaults a session can still change):
--   statement_timeout                    ends a statement that runs longer (default 5 minutes)
--   idle_in_transaction_session_timeout  ends a session that sits in an open transaction, holding back vacuum of the
--                                        stream tables (default 5 minutes)
--   default_transaction_read_only = on   every transaction is read-only (no temporary tables either)
--   search_path = views                  SELECT count_values(status) FROM orders_view, without the schema
--   client_connection_check_interval     (PostgreSQL 14+) a query whose client went away is ended within 5 s; the
--                                        server should have it too (docs/deployment.md, PostgreSQL settings)
CREATE FUNCTION ingest.configure_analyst_login(
    login                               text,
    statement_timeout                   interval DEFAULT '5 minutes',
    idle_in_transaction_session_timeout interval DEFAULT '5 minutes'
) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    r pg_roles%ROWTYPE;
BEGIN
    SELECT * INTO r FROM pg_roles WHERE rolname = login;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no role %', login
            USING HINT = 'Create it with SELECT ingest.create_analyst_login(login, password).';
    END IF;
    -- The settings would cripple a login that does more than read (the worker's, say): refuse the likely mistakes.
    IF NOT r.rolcanlogin OR r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls
        OR login IN (current_user, session_user) THEN
        RAISE EXCEPTION 'role % is not a plain login of its own (it cannot log in, has attributes beyond LOGIN, or is you)', login;
    END IF;
    IF statement_timeout IS NULL OR statement_timeout <= interval '0'
        OR idle_in_transaction_session_timeout IS NULL OR idle_in_transaction_session_timeout <= interval '0' THEN
        RAISE EXCEPTION 'analyst login %: statement_timeout and idle_in_transaction_session_timeout must be positive', login;
    END IF;

    IF NOT pg_has_role(login, 'ingest_analyst', 'MEMBER') THEN
        EXECUTE format('GRANT ingest_analyst TO %I', login);
    END IF;
    EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', login,
                   (extract(epoch FROM statement_timeout) * 1000)::bigint || 'ms');
    EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', login,
                   (extract(epoch FROM idle_in_transaction_session_timeout) * 1000)::bigint || 'ms');
    EXECUTE format('ALTER ROLE %I SET default_transaction_read_only = on', login);
    EXECUTE format('ALTER ROLE %I SET search_path = views', login);
    IF current_setting('server_version_num')::integer >= 140000 THEN
        EXECUTE format('ALTER ROLE %I SET client_connection_check_interval = %L', login, '5s');
    END IF;
END;
$$;
COMMENT ON FUNCTION ingest.configure_analyst_login IS 'Makes an existing login an analyst: member of ingest_analyst, statement and idle-in-transaction timeouts, read-only by default, search_path views. The settings are defaults a session can change.';

-- Creates an analyst login with those settings:
--
--   SELECT ingest.create_analyst_login('alice', 'a password');
--   SELECT ingest.create_analyst_login('bob');          -- no password yet: set it with psql's \password bob,
--                                                       -- which keeps it out of the server log and shell history
CREATE FUNCTION ingest.create_analyst_login(
    login                               text,
    password                            text     DEFAULT NULL,
    statement_timeout                   interval DEFAULT '5 minutes',
    idle_in_transaction_session_timeout interval DEFAULT '5 minutes'
) RETURNS void
    LANGUAGE plpgsql
AS
$$
BEGIN
    IF login IS NULL OR login = '' THEN
        RAISE EXCEPTION 'an analyst login needs a name';
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = login) THEN
        RAISE EXCEPTION 'role % exists already', login
            USING HINT = 'To make it an analyst login: SELECT ingest.configure_analyst_login(''' || login || ''');';
    END IF;
    IF password IS NULL THEN
        EXECUTE format('CREATE ROLE %I LOGIN', login);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', login, password);
    END IF;
    PERFORM ingest.configure_analyst_login(login, statement_timeout, idle_in_transaction_session_timeout);
END;
$$;
COMMENT ON FUNCTION ingest.create_analyst_login IS 'Creates a login in ingest_analyst with the analyst settings (see ingest.configure_analyst_login).';

-- Functions are executable by PUBLIC by default; ingest_api may use schema ingest. These are for the administrator.
REVOKE EXECUTE ON FUNCTION ingest.configure_analyst_login(text, interval, interval) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ingest.create_analyst_login(text, text, interval, interval) FROM PUBLIC;

