-- Operations on a running system: bin/ingest status | rebuild | refresh | dlt, and the API's admin endpoints.
--
-- None of them talks to a worker directly. Each writes a request into the control schema, and the worker replicas
-- carry it out the way they carry out their own work, so any replica does it and a restart loses nothing:
--   * a rebuild by hand is a row in ingest.stream_rebuild in state 'rewinding', exactly what the worker writes when
--     it finds a table emptied by a crash; the worker's next recovery check rewinds and replays it;
--   * a refresh by hand is ingest.view_state.refresh_requested_at: the view's lane looks at it within a tick and
--     refreshes it whether or not its interval has passed (a full view even when its table seems unchanged);
--   * a dead-letter replay is recorded per letter in ingest.dead_letter_replay, so a letter is sent back once.
--
-- The role ingest_admin may do exactly these things and read the control schema, nothing more: it cannot write a
-- stream table, a view or the registry, and the requests go through SECURITY DEFINER functions that check them. Give
-- an operator's login the role (CREATE ROLE ops LOGIN PASSWORD '...' IN ROLE ingest_admin); the API's login gets it
-- below, and the API takes it (SET LOCAL ROLE ingest_admin) only in the transactions of its admin endpoints, which
-- only clients with the admin permission reach.
DO
$$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_admin') THEN
            CREATE ROLE ingest_admin NOLOGIN;
        END IF;
    EXCEPTION
        WHEN duplicate_object THEN NULL;
        WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role ingest_admin does not exist and % may not create roles', current_user
                USING HINT = 'Create it once as a superuser: CREATE ROLE ingest_admin NOLOGIN; or grant CREATEROLE to the migration user.';
    END
$$;
COMMENT ON ROLE ingest_admin IS 'Upsert Ingest operators: read the control schema, request rebuilds and refreshes, record dead-letter replays.';

GRANT USAGE ON SCHEMA ingest TO ingest_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA ingest TO ingest_admin;
-- Tables the migrations create later (change tables of incremental views, which view_pending_changes counts).
ALTER DEFAULT PRIVILEGES IN SCHEMA ingest GRANT SELECT ON TABLES TO ingest_admin;
-- The worker's mutual exclusion stays the worker's alone (see V6).
REVOKE ALL ON ingest.worker_lock FROM ingest_admin;
GRANT ingest_admin TO ingest_api;

-- A refresh asked for by hand: the view's lane refreshes it at its next tick once this is later than last_started_at.
ALTER TABLE ingest.view_state
    ADD COLUMN refresh_requested_at timestamptz,
    ADD COLUMN refresh_requested_by text;
COMMENT ON COLUMN ingest.view_state.refresh_requested_at IS
    'A refresh asked for by hand (bin/ingest refresh, the admin API); done once last_started_at is not earlier.';

CREATE TABLE ingest.dead_letter_replay (
    dlt_topic        text        NOT NULL,
    dlt_partition    integer     NOT NULL,
    dlt_offset       bigint      NOT NULL,
    stream           text        NOT NULL,
    reason           text        NOT NULL,
    -- One replay command: every letter it sent back carries the same id.
    replay_id        uuid        NOT NULL,
    replayed_at      timestamptz NOT NULL DEFAULT now(),
    replayed_by      text        NOT NULL,
    -- Where the letter went on the stream topic (set once the broker acknowledged it).
    target_topic     text,
    target_partition integer,
    target_offset    bigint,
    PRIMARY KEY (dlt_topic, dlt_partition, dlt_offset)
);
CREATE INDEX dead_letter_replay_by_stream ON ingest.dead_letter_replay (stream, replayed_at DESC);
COMMENT ON TABLE ingest.dead_letter_replay IS
    'Dead letters sent back to their stream topic, one row each: a letter with a row here is never sent again.';
GRANT SELECT, INSERT, UPDATE ON ingest.dead_letter_replay TO ingest_admin;

-- Starts a rebuild of a stream table from its topic, by hand: the crash path (V5), started on request. Returns the
-- rebuild's id. With empty_table the table is emptied first, in this transaction, as crash recovery would; without,
-- the replay upserts over what the table holds. The stream's views keep their last complete contents until the
-- rebuild is done, as after a crash.
CREATE FUNCTION ingest.request_rebuild(stream_name text, requested_by text, empty_table boolean DEFAULT false)
    RETURNS bigint
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS
$$
DECLARE
    s       ingest.stream%ROWTYPE;
    running ingest.stream_rebuild%ROWTYPE;
    new_id  bigint;
BEGIN
    SELECT * INTO s FROM ingest.stream WHERE name = stream_name FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no stream %', stream_name USING ERRCODE = 'no_data_found';
    END IF;
    IF s.durability = 'logged' THEN
        RAISE EXCEPTION 'stream % is logged: its table survives crashes and is never rebuilt from Kafka', stream_name
            USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT * INTO running FROM ingest.stream_rebuild r WHERE r.stream = stream_name AND r.state IN ('rewinding', 'replaying');
    IF FOUND THEN
        RAISE EXCEPTION 'stream % is being rebuilt already (rebuild %, %, since %)', stream_name, running.id,
            running.state, running.detected_at USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO ingest.stream_rebuild (stream, reason, detected_by)
    VALUES (stream_name, 'requested by ' || requested_by || CASE WHEN empty_table THEN ' (table emptied first)' ELSE '' END,
            requested_by)
    RETURNING stream_rebuild.id INTO new_id;
    INSERT INTO ingest.stream_table_marker (stream, rebuild_id) VALUES (stream_name, new_id)
    ON CONFLICT (stream) DO UPDATE SET rebuild_id = EXCLUDED.rebuild_id, marked_at = now();
    IF empty_table THEN
        EXECUTE format('TRUNCATE %I.%I', s.table_schema, s.table_name);
    END IF;
    RETURN new_id;
EXCEPTION
    WHEN unique_violation THEN
        -- A worker replica found the table lost and started a rebuild in the same instant.
        RAISE EXCEPTION 'stream % is being rebuilt already', stream_name USING ERRCODE = 'object_not_in_prerequisite_state';
END;
$$;
REVOKE EXECUTE ON FUNCTION ingest.request_rebuild(text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest.request_rebuild(text, text, boolean) TO ingest_admin;

-- Asks for a refresh of a view now. Returns the time of the request: the refresh asked for is the first whose
-- last_started_at is not earlier.
CREATE FUNCTION ingest.request_view_refresh(view_name text, requested_by text) RETURNS timestamptz
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS
$$
DECLARE
    requested timestamptz;
BEGIN
    UPDATE ingest.view_state
    SET refresh_requested_at = clock_timestamp(),
        refresh_requested_by = requested_by
    WHERE view = view_name
    RETURNING refresh_requested_at INTO requested;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no view %', view_name USING ERRCODE = 'no_data_found';
    END IF;
    RETURN requested;
END;
$$;
REVOKE EXECUTE ON FUNCTION ingest.request_view_refresh(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ingest.request_view_refresh(text, text) TO ingest_admin;
