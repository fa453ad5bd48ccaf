-- Incremental views: refresh cost follows the change, not the table.
--
-- A view now has a refresh mode. 'full' is what V2 built: a materialized view recomputed whole by REFRESH
-- MATERIALIZED VIEW CONCURRENTLY. 'incremental' (the default for new views) is a plain table in schema views with the
-- same columns, casts and indexes, which the worker keeps up to date by applying only the rows that changed since its
-- previous refresh, in one transaction.
--
-- How changes are captured (change capture), and why it cannot miss a row:
--   * Every stream with at least one incremental view has a change table, ingest.<stream>__changes, filled by
--     statement-level triggers on the stream table: one row per writing statement, holding the keys of the rows that
--     statement inserted, updated or deleted (transition tables), and the writing transaction's id (txid, xid8).
--     Unchanged rows are never in it: the worker's upsert skips rows whose document did not change, and rows an older
--     version would overwrite, so they fire nothing. Keys of deleted rows (tombstones) are there like any other.
--   * Each incremental view stores the snapshot (pg_snapshot) its last refresh saw. The next refresh, in a
--     REPEATABLE READ transaction, applies the keys of every change-table row whose transaction that snapshot did not
--     see (pg_visible_in_snapshot), reading the stream table in its own snapshot, and then stores its own snapshot.
--     No watermark on a time or a sequence: a write transaction that began before a refresh and commits after it was
--     in progress in that refresh's snapshot, so the next refresh applies it.
--   * Capture lives in the database, created in the same transaction as the view: whoever writes the stream table
--     (the worker, a rebuild, an operator's fix) is captured, and no worker needs to know a view was declared.
--   * Change-table rows every incremental view of the stream has seen are deleted by the refresher.
--   * A TRUNCATE of the stream table cannot list keys: it is recorded (ingest.stream_truncation), and a view whose
--     snapshot did not see it is reconciled (compared whole with its projection, the differences applied), as is a
--     view after a rebuild of an unlogged table emptied by a PostgreSQL crash (its change table was emptied too).

ALTER TABLE ingest.view
    ADD COLUMN refresh_mode text NOT NULL DEFAULT 'full'
        CONSTRAINT view_refresh_mode_is_known CHECK (refresh_mode IN ('incremental', 'full'));
COMMENT ON COLUMN ingest.view.refresh_mode IS
    'incremental: a table kept up to date by applying the changed rows (ingest.<stream>__changes); full: a materialized view refreshed CONCURRENTLY.';

ALTER TABLE ingest.view_state
    ADD COLUMN snapshot     pg_snapshot,
    ADD COLUMN rebuild_seen bigint;
COMMENT ON COLUMN ingest.view_state.snapshot IS
    'Incremental views: the snapshot the last refresh saw. Changes of transactions it does not see are the next delta; NULL: the next refresh reconciles the whole view.';
COMMENT ON COLUMN ingest.view_state.rebuild_seen IS
    'Incremental views: the last completed rebuild of the stream table (ingest.stream_rebuild) the view was reconciled after.';

ALTER TABLE ingest.view_refresh
    DROP CONSTRAINT view_refresh_mode_is_known,
    ADD CONSTRAINT view_refresh_mode_is_known CHECK (mode IN ('populate', 'concurrent', 'incremental', 'reconcile'));

-- Names of the objects capture and incremental views add; every name fits in 63 bytes (stream and view names are at
-- most 48 characters).
CREATE FUNCTION ingest.change_table(stream_name text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$
SELECT stream_name || '__changes'
$$;

CREATE FUNCTION ingest.projection_view(view_name text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$
SELECT view_name || '__projection'
$$;

-- Refuses an UPDATE that sets a key column of a stream table: capture records the new keys of updated rows only, and
-- the worker never changes a key (it deletes and inserts). A statement trigger on the key columns, so it costs nothing
-- to the worker's upserts, which never set them.
CREATE FUNCTION ingest.refuse_key_update() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'the key of a row of %.% cannot be changed: delete the row and insert it again', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'feature_not_supported';
END;
$$;

-- A TRUNCATE leaves no keys to capture: it is recorded, with its transaction, and each incremental view of the stream
-- whose snapshot did not see it reconciles at its next refresh. (Recorded in a table of its own rather than in the
-- views' state, which the refresher locks before it reads the stream table: TRUNCATE holds that table's exclusive lock
-- while its trigger runs, and the two would deadlock.)
CREATE TABLE ingest.stream_truncation (
    stream text NOT NULL,
    txid   xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX stream_truncation_by_stream ON ingest.stream_truncation (stream, txid);
COMMENT ON TABLE ingest.stream_truncation IS
    'TRUNCATEs of stream tables with incremental views: a view whose last snapshot did not see one reconciles.';

CREATE FUNCTION ingest.stream_truncated() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO ingest.stream_truncation (stream) VALUES (TG_ARGV[0]);
    RETURN NULL;
END;
$$;

-- Starts capturing the changes of a stream's table (idempotent). CREATE TRIGGER waits for the transactions writing the
-- table and holds new writes until the calling transaction commits, so every write is either committed before the
-- caller's next statement (and seen by it) or captured.
CREATE FUNCTION ingest.enable_change_capture(stream_name text) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    s          ingest.stream%ROWTYPE;
    changes    text := ingest.change_table(stream_name);
    key_list   text;
    key_arrays text;
    key_aggs   text;
BEGIN
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = stream_name;
    IF to_regclass(format('ingest.%I', changes)) IS NOT NULL THEN
        RETURN;
    END IF;
    SELECT string_agg(format('%I', k.column_name), ', ' ORDER BY k.position),
           string_agg(format('%I %s[] NOT NULL', k.column_name, k.column_type), ', ' ORDER BY k.position),
           string_agg(format('array_agg(%I)', k.column_name), ', ' ORDER BY k.position)
    INTO key_list, key_arrays, key_aggs
    FROM ingest.stream_key_column k
    WHERE k.stream = stream_name;

    -- Unlogged with an unlogged stream table: a crash empties both, and the rebuild that follows reconciles the views.
    EXECUTE format('CREATE %s TABLE ingest.%I (txid xid8 NOT NULL DEFAULT pg_current_xact_id(), %s) '
                       || 'WITH (autovacuum_vacuum_scale_factor = 0.01)',
                   CASE s.durability WHEN 'unlogged' THEN 'UNLOGGED' ELSE '' END, changes, key_arrays);
    EXECUTE format('COMMENT ON TABLE ingest.%I IS %L', changes, format(
            'Change capture of %I.%I for its incremental views: the keys each writing statement changed. Written by triggers, read and pruned by ingest-worker.',
            s.table_schema, s.table_name));
    EXECUTE format('CREATE INDEX %I ON ingest.%I (txid)', changes || '_txid', changes);
    -- One function for the three triggers: each names its transition table changed_rows.
    EXECUTE format('CREATE FUNCTION ingest.%I() RETURNS trigger LANGUAGE plpgsql AS '
                       || '''BEGIN INSERT INTO ingest.%I (%s) SELECT %s FROM changed_rows HAVING count(*) > 0; RETURN NULL; END''',
                   stream_name || '__capture', changes, key_list, key_aggs);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I.%I REFERENCING NEW TABLE AS changed_rows '
                       || 'FOR EACH STATEMENT EXECUTE FUNCTION ingest.%I()',
                   stream_name || '__cap_i', s.table_schema, s.table_name, stream_name || '__capture');
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I.%I REFERENCING NEW TABLE AS changed_rows '
                       || 'FOR EACH STATEMENT EXECUTE FUNCTION ingest.%I()',
                   stream_name || '__cap_u', s.table_schema, s.table_name, stream_name || '__capture');
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I.%I REFERENCING OLD TABLE AS changed_rows '
                       || 'FOR EACH STATEMENT EXECUTE FUNCTION ingest.%I()',
                   stream_name || '__cap_d', s.table_schema, s.table_name, stream_name || '__capture');
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION ingest.stream_truncated(%L)',
                   stream_name || '__cap_t', s.table_schema, s.table_name, stream_name);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF %s ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION ingest.refuse_key_update()',
                   stream_name || '__keys', key_list, s.table_schema, s.table_name);
END;
$$;

-- Stops capturing (idempotent): the stream's last incremental view went.
CREATE FUNCTION ingest.disable_change_capture(stream_name text) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    s ingest.stream%ROWTYPE;
    t text;
BEGIN
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = stream_name;
    IF to_regclass(format('%I.%I', s.table_schema, s.table_name)) IS NOT NULL THEN
        FOREACH t IN ARRAY ARRAY ['__cap_i', '__cap_u', '__cap_d', '__cap_t', '__keys']
            LOOP
                EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I.%I', stream_name || t, s.table_schema, s.table_name);
            END LOOP;
    END IF;
    EXECUTE format('DROP FUNCTION IF EXISTS ingest.%I()', stream_name || '__capture');
    EXECUTE format('DROP TABLE IF EXISTS ingest.%I', ingest.change_table(stream_name));
END;
$$;

-- The select list of a view's projection (key columns, declared columns with their defensive casts, doc if kept,
-- updated_at), checked against the stream; shared by the view relation, its projection view and the checker.
CREATE FUNCTION ingest.view_select_list(view_name text, stream ingest.stream, columns jsonb, keep_document boolean)
    RETURNS text
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    key_names   text[];
    known       text[];
    select_list text := '';
    col         jsonb;
    col_name    text;
BEGIN
    SELECT array_agg(column_name ORDER BY position) INTO key_names FROM ingest.stream_key_column k WHERE k.stream = stream.name;
    known := key_names || ARRAY ['updated_at'] || CASE WHEN keep_document THEN ARRAY ['doc'] ELSE ARRAY []::text[] END;
    FOREACH col_name IN ARRAY key_names
        LOOP
            select_list := select_list || format('%I, ', col_name);
        END LOOP;
    IF jsonb_typeof(columns) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'view %: columns must be a JSON array of {"name", "type", "pointer"}', view_name;
    END IF;
    FOR col IN SELECT value FROM jsonb_array_elements(columns)
        LOOP
            col_name := col ->> 'name';
            IF col_name IS NULL OR col_name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
                RAISE EXCEPTION 'view %: column name % is not a plain lower-case identifier', view_name, coalesce(col_name, '(missing)');
            END IF;
            IF col_name = ANY (known) THEN
                RAISE EXCEPTION 'view %: column % is declared twice or clashes with a key column, updated_at or doc', view_name, col_name;
            END IF;
            IF coalesce(col ->> 'pointer', '') !~ '^(/[^/]*)+$' THEN
                RAISE EXCEPTION 'view %: column % needs a "pointer" such as /status or /customer/id', view_name, col_name;
            END IF;
            IF ingest.view_column_expression(col ->> 'type', col ->> 'pointer') IS NULL THEN
                RAISE EXCEPTION 'view %: column % has type %, expected one of text, jsonb, numeric, integer, bigint, double, boolean, timestamptz, date, uuid',
                    view_name, col_name, coalesce(col ->> 'type', '(missing)');
            END IF;
            known := known || col_name;
            select_list := select_list || format('%s AS %I, ', ingest.view_column_expression(col ->> 'type', col ->> 'pointer'), col_name);
        END LOOP;
    RETURN select_list || CASE WHEN keep_document THEN 'doc, ' ELSE '' END || 'updated_at';
END;
$$;

DROP FUNCTION ingest.build_view_relation(text, text, ingest.stream, jsonb, jsonb, boolean, boolean);

-- Creates the view relation views.<relname> for a declaration, with its indexes: a materialized view (full) or a
-- table (incremental). Used by declare_view (relname = the view's name) and replace_view (a temporary name, swapped in
-- afterwards). An incremental view filled here (with_data) is filled by the same statement that records its snapshot,
-- so its first refresh applies exactly the changes that statement did not see. Casts of timestamps without an offset
-- read them as UTC, whoever runs this (the worker's refreshes do the same).
CREATE FUNCTION ingest.build_view_relation(relname text, view_name text, stream ingest.stream, columns jsonb,
                                           indexes jsonb, keep_document boolean, with_data boolean, refresh_mode text)
    RETURNS void
    LANGUAGE plpgsql
    SET TimeZone = 'UTC'
AS
$$
DECLARE
    key_names   text[];
    known       text[];
    select_list text := ingest.view_select_list(view_name, stream, columns, keep_document);
    idx         jsonb;
    idx_columns text[];
    idx_method  text;
    idx_number  integer := 0;
BEGIN
    SELECT array_agg(column_name ORDER BY position) INTO key_names FROM ingest.stream_key_column k WHERE k.stream = stream.name;
    known := key_names || ARRAY ['updated_at'] || CASE WHEN keep_document THEN ARRAY ['doc'] ELSE ARRAY []::text[] END
                 || ARRAY(SELECT c ->> 'name' FROM jsonb_array_elements(columns) c);

    IF refresh_mode = 'full' THEN
        EXECUTE format('CREATE MATERIALIZED VIEW views.%I AS SELECT %s FROM %I.%I WITH %s',
                       relname, select_list, stream.table_schema, stream.table_name,
                       CASE WHEN with_data THEN 'DATA' ELSE 'NO DATA' END);
        EXECUTE format('COMMENT ON MATERIALIZED VIEW views.%I IS %L', relname,
                       format('View %s over stream %s, refreshed by ingest-worker. See views.view_freshness.', view_name, stream.name));
    ELSIF refresh_mode = 'incremental' THEN
        EXECUTE format('CREATE TABLE views.%I WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05) '
                           || 'AS SELECT %s FROM %I.%I WITH NO DATA',
                       relname, select_list, stream.table_schema, stream.table_name);
        EXECUTE format('COMMENT ON TABLE views.%I IS %L', relname,
                       format('View %s over stream %s, kept up to date incrementally by ingest-worker. See views.view_freshness.',
                              view_name, stream.name));
        IF with_data THEN
            EXECUTE format('WITH seen AS MATERIALIZED (SELECT pg_current_snapshot() AS snapshot, statement_timestamp() AS at), '
                               || 'filled AS (INSERT INTO views.%I SELECT %s FROM %I.%I RETURNING updated_at) '
                               || 'UPDATE ingest.view_state SET snapshot = (SELECT snapshot FROM seen), as_of = (SELECT at FROM seen), '
                               || 'last_started_at = (SELECT at FROM seen), last_success_at = clock_timestamp(), last_outcome = ''ok'', '
                               || 'last_error = NULL, row_count = (SELECT count(*) FROM filled), '
                               || 'newest_data_at = (SELECT max(updated_at) FROM filled), '
                               || 'rebuild_seen = (SELECT max(id) FROM ingest.stream_rebuild WHERE stream = %L AND state = ''done'') '
                               || 'WHERE view = %L',
                           relname, select_list, stream.table_schema, stream.table_name, stream.name, view_name);
        ELSE
            UPDATE ingest.view_state SET snapshot = NULL WHERE view = view_name;
        END IF;
    ELSE
        RAISE EXCEPTION 'view %: refresh_mode must be ''incremental'' or ''full'', got %', view_name, coalesce(refresh_mode, '(null)');
    END IF;

    -- The stream's key identifies a row: REFRESH ... CONCURRENTLY needs a unique index on plain columns covering every
    -- row, and incremental refreshes upsert on it.
    EXECUTE format('CREATE UNIQUE INDEX %I ON views.%I (%s)', relname || '_key', relname,
                   (SELECT string_agg(format('%I', k), ', ') FROM unnest(key_names) k));
    EXECUTE format('CREATE INDEX %I ON views.%I (updated_at)', relname || '_updated_at', relname);

    IF jsonb_typeof(coalesce(indexes, '[]')) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'view %: indexes must be a JSON array of {"columns": [...], "method": "btree"|"gin"|"brin"|"hash"}', view_name;
    END IF;
    FOR idx IN SELECT value FROM jsonb_array_elements(coalesce(indexes, '[]'))
        LOOP
            idx_number := idx_number + 1;
            idx_method := coalesce(idx ->> 'method', 'btree');
            IF idx_method NOT IN ('btree', 'gin', 'brin', 'hash') THEN
                RAISE EXCEPTION 'view %: index % has method %, expected btree, gin, brin or hash', view_name, idx_number, idx_method;
            END IF;
            SELECT array_agg(value ORDER BY n) INTO idx_columns FROM jsonb_array_elements_text(idx -> 'columns') WITH ORDINALITY AS c(value, n);
            IF idx_columns IS NULL OR NOT idx_columns <@ known THEN
                RAISE EXCEPTION 'view %: index % must list columns of the view (known: %)', view_name, idx_number, array_to_string(known, ', ');
            END IF;
            EXECUTE format('CREATE INDEX %I ON views.%I USING %s (%s)',
                           left(relname || '_' || array_to_string(idx_columns, '_'), 55) || '_i' || idx_number,
                           relname, idx_method, (SELECT string_agg(format('%I', c), ', ') FROM unnest(idx_columns) c));
        END LOOP;

    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_analyst') THEN
        EXECUTE format('GRANT SELECT ON views.%I TO ingest_analyst', relname);
    END IF;
END;
$$;

-- The view's projection as a plain view in the control schema: what an incremental refresh reads for the changed keys,
-- what a reconcile and the checker compare the view with. Replaced with the declaration.
CREATE FUNCTION ingest.build_projection_view(view_name text, stream ingest.stream, columns jsonb, keep_document boolean)
    RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    EXECUTE format('DROP VIEW IF EXISTS ingest.%I', ingest.projection_view(view_name));
    EXECUTE format('CREATE VIEW ingest.%I AS SELECT %s FROM %I.%I', ingest.projection_view(view_name),
                   ingest.view_select_list(view_name, stream, columns, keep_document), stream.table_schema, stream.table_name);
    EXECUTE format('COMMENT ON VIEW ingest.%I IS %L', ingest.projection_view(view_name),
                   format('What view %s shows, computed from the stream table now (refreshes and ingest.check_view read it).', view_name));
END;
$$;

DROP FUNCTION ingest.declare_view(text, text, jsonb, jsonb, interval, boolean, boolean);

-- Declares a view over a stream. Call it from a Flyway migration:
--
--   SELECT ingest.declare_view(
--       view_name   => 'orders_by_status',
--       stream_name => 'orders',
--       columns     => '[{"name": "status", "type": "text",    "pointer": "/status"},
--                        {"name": "total",  "type": "numeric", "pointer": "/total"}]',
--       indexes     => '[{"columns": ["status"]}]');
--
-- refresh_mode 'incremental' (default) keeps the view up to date by applying the changed rows, every refresh_interval
-- (default 1 second); 'full' recomputes it with REFRESH MATERIALIZED VIEW CONCURRENTLY (default every 10 seconds).
-- The view holds the stream's key columns, the declared columns, doc (if keep_document) and updated_at. A value that
-- does not cast to its column's type becomes NULL. populate => false leaves it empty for the worker's first refresh
-- (useful when the table is large and the migration should be quick). An incremental view's change capture holds new
-- writes to the stream table until the migration commits: over a large, busy stream, prefer populate => false.
CREATE FUNCTION ingest.declare_view(
    view_name        text,
    stream_name      text,
    columns          jsonb,
    indexes          jsonb    DEFAULT '[]',
    refresh_interval interval DEFAULT NULL,
    keep_document    boolean  DEFAULT false,
    populate         boolean  DEFAULT true,
    refresh_mode     text     DEFAULT 'incremental'
) RETURNS regclass
    LANGUAGE plpgsql
AS
$$
DECLARE
    s ingest.stream%ROWTYPE;
BEGIN
    SELECT * INTO s FROM ingest.stream WHERE name = stream_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'view %: there is no stream %', view_name, stream_name;
    END IF;
    IF refresh_mode IS NULL OR refresh_mode NOT IN ('incremental', 'full') THEN
        RAISE EXCEPTION 'view %: refresh_mode must be ''incremental'' or ''full'', got %', view_name, coalesce(refresh_mode, '(null)');
    END IF;
    INSERT INTO ingest.view (name, stream, refresh_interval, definition, refresh_mode)
    VALUES (view_name, stream_name,
            coalesce(refresh_interval, CASE refresh_mode WHEN 'incremental' THEN interval '1 second' ELSE interval '10 seconds' END),
            jsonb_build_object('columns', columns, 'indexes', coalesce(indexes, '[]'), 'keep_document', keep_document),
            refresh_mode);
    INSERT INTO ingest.view_state (view) VALUES (view_name);
    IF refresh_mode = 'incremental' THEN
        PERFORM ingest.enable_change_capture(stream_name);
    END IF;
    PERFORM ingest.build_view_relation(view_name, view_name, s, columns, indexes, keep_document, populate, refresh_mode);
    PERFORM ingest.build_projection_view(view_name, s, columns, keep_document);
    RETURN format('views.%I', view_name)::regclass;
END;
$$;

-- Takes the refresher's lock of a view (its row in ingest.worker_lock, V6) for the calling transaction, waiting for a
-- refresh in progress: what replace_view and drop_view do first.
CREATE FUNCTION ingest.lock_view_refresh(view_name text) RETURNS void
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO ingest.worker_lock (scope, name) VALUES ('view_refresh', view_name) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM ingest.worker_lock WHERE scope = 'view_refresh' AND name = view_name FOR UPDATE;
END;
$$;

DROP FUNCTION ingest.replace_view(text, jsonb, jsonb, interval, boolean, interval);

-- Changes a view without downtime for readers: builds the new version beside the old one (readers keep querying the
-- old one meanwhile), then swaps them by rename and drops the old one, all in the migration's transaction. The swap
-- needs a brief exclusive lock on the old view; lock_timeout bounds how long it may wait for running queries. It
-- waits for a refresh of the view in progress, and refreshes wait for it. refresh_mode NULL keeps the view's mode.
CREATE FUNCTION ingest.replace_view(
    view_name        text,
    columns          jsonb,
    indexes          jsonb    DEFAULT '[]',
    refresh_interval interval DEFAULT NULL,
    keep_document    boolean  DEFAULT false,
    lock_timeout     interval DEFAULT '30 seconds',
    refresh_mode     text     DEFAULT NULL
) RETURNS regclass
    LANGUAGE plpgsql
AS
$$
DECLARE
    v             ingest.view%ROWTYPE;
    s             ingest.stream%ROWTYPE;
    new_mode      text;
    old_kind      text;
    next_name     text := view_name || '__next';
    old_name      text := view_name || '__old';
    index_name    text;
    saved_timeout text := current_setting('lock_timeout');
BEGIN
    SELECT * INTO v FROM ingest.view WHERE name = view_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no view %', view_name;
    END IF;
    -- The refresher's lock (V6): a refresh in progress finishes first, and none starts until this commits. Taken
    -- before any relation lock, so a refresh (which holds it, then locks relations) and this never wait for each other.
    PERFORM ingest.lock_view_refresh(view_name);
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = v.stream;
    new_mode := coalesce(replace_view.refresh_mode, v.refresh_mode);
    IF new_mode NOT IN ('incremental', 'full') THEN
        RAISE EXCEPTION 'view %: refresh_mode must be ''incremental'' or ''full'', got %', view_name, new_mode;
    END IF;
    old_kind := CASE (SELECT c.relkind FROM pg_class c WHERE c.oid = format('views.%I', view_name)::regclass)
                    WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END;

    IF new_mode = 'incremental' THEN
        PERFORM ingest.enable_change_capture(s.name);
    END IF;
    PERFORM ingest.build_view_relation(next_name, view_name, s, columns, indexes, keep_document, true, new_mode);

    PERFORM set_config('lock_timeout', (extract(epoch FROM lock_timeout) * 1000)::bigint::text, true);
    EXECUTE format('ALTER %s views.%I RENAME TO %I', old_kind, view_name, old_name);
    EXECUTE format('ALTER %s views.%I RENAME TO %I', CASE new_mode WHEN 'full' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                   next_name, view_name);
    EXECUTE format('DROP %s views.%I', old_kind, old_name);
    PERFORM set_config('lock_timeout', saved_timeout, true);
    FOR index_name IN SELECT c.relname
                      FROM pg_index i
                               JOIN pg_class c ON c.oid = i.indexrelid
                      WHERE i.indrelid = format('views.%I', view_name)::regclass
        LOOP
            EXECUTE format('ALTER INDEX views.%I RENAME TO %I', index_name,
                           view_name || substr(index_name, length(next_name) + 1));
        END LOOP;
    PERFORM ingest.build_projection_view(view_name, s, columns, keep_document);

    UPDATE ingest.view
    SET definition       = jsonb_build_object('columns', columns, 'indexes', coalesce(indexes, '[]'), 'keep_document', keep_document),
        refresh_interval = coalesce(replace_view.refresh_interval,
                                    CASE WHEN new_mode = v.refresh_mode THEN v.refresh_interval
                                         WHEN new_mode = 'incremental' THEN interval '1 second'
                                         ELSE interval '10 seconds' END),
        refresh_mode     = new_mode,
        replaced_at      = now()
    WHERE name = view_name;
    IF new_mode = 'full' THEN
        -- The new view holds the data as of this migration; the next refresh brings it up to date.
        UPDATE ingest.view_state SET change_counter = NULL, snapshot = NULL WHERE view = view_name;
        IF NOT EXISTS (SELECT FROM ingest.view other WHERE other.stream = s.name AND other.refresh_mode = 'incremental') THEN
            PERFORM ingest.disable_change_capture(s.name);
        END IF;
    END IF;
    RETURN format('views.%I', view_name)::regclass;
END;
$$;

CREATE OR REPLACE FUNCTION ingest.drop_view(view_name text) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    v ingest.view%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v FROM ingest.view WHERE name = view_name FOR UPDATE;
    PERFORM ingest.lock_view_refresh(view_name);
    IF v.refresh_mode = 'full' THEN
        EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', v.view_schema, v.name);
    ELSE
        EXECUTE format('DROP TABLE IF EXISTS %I.%I', v.view_schema, v.name);
    END IF;
    EXECUTE format('DROP VIEW IF EXISTS ingest.%I', ingest.projection_view(view_name));
    DELETE FROM ingest.view WHERE name = view_name;
    IF v.refresh_mode = 'incremental'
        AND NOT EXISTS (SELECT FROM ingest.view other WHERE other.stream = v.stream AND other.refresh_mode = 'incremental') THEN
        PERFORM ingest.disable_change_capture(v.stream);
    END IF;
END;
$$;

CREATE OR REPLACE FUNCTION ingest.drop_stream(stream_name text) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    s         ingest.stream%ROWTYPE;
    view_name text;
BEGIN
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = stream_name;
    FOR view_name IN SELECT name FROM ingest.view WHERE stream = stream_name
        LOOP
            PERFORM ingest.drop_view(view_name);
        END LOOP;
    PERFORM ingest.disable_change_capture(stream_name);
    EXECUTE format('DROP TABLE IF EXISTS %I.%I', s.table_schema, s.table_name);
    DELETE FROM ingest.stream WHERE name = stream_name;
END;
$$;

-- The change table follows its stream table's durability.
CREATE OR REPLACE FUNCTION ingest.set_stream_durability(stream_name text, new_durability text) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    s ingest.stream%ROWTYPE;
BEGIN
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = stream_name;
    UPDATE ingest.stream SET durability = new_durability WHERE name = stream_name;
    EXECUTE format('ALTER TABLE %I.%I SET %s', s.table_schema, s.table_name,
                   CASE new_durability WHEN 'unlogged' THEN 'UNLOGGED' ELSE 'LOGGED' END);
    IF to_regclass(format('ingest.%I', ingest.change_table(stream_name))) IS NOT NULL THEN
        EXECUTE format('ALTER TABLE ingest.%I SET %s', ingest.change_table(stream_name),
                       CASE new_durability WHEN 'unlogged' THEN 'UNLOGGED' ELSE 'LOGGED' END);
    END IF;
END;
$$;

-- Existing views are full and keep working; their projections are added so the checker can compare them too.
DO
$$
    DECLARE
        v ingest.view%ROWTYPE;
        s ingest.stream%ROWTYPE;
    BEGIN
        FOR v IN SELECT * FROM ingest.view
            LOOP
                SELECT * INTO STRICT s FROM ingest.stream WHERE name = v.stream;
                PERFORM ingest.build_projection_view(v.name, s, v.definition -> 'columns',
                                                     coalesce((v.definition ->> 'keep_document')::boolean, false));
            END LOOP;
    END
$$;

-- The differential checker: compares a view with its projection computed from the stream table now, in one snapshot,
-- and returns every row that differs: 'missing' (a key the view lacks), 'extra' (a key the stream no longer has) or
-- 'different' (other values). For an incremental view, keys with changes its last refresh did not see yet are left
-- out: they are due at the next refresh, not wrong. A full view is compared as it is, so run it right after a refresh
-- of a quiet stream. Keys are returned as JSON: the value of a one-column key, an array in key order otherwise.
--   SELECT * FROM ingest.check_view('orders_view');            -- no rows: the view is exact
CREATE FUNCTION ingest.check_view(view_name text, max_rows integer DEFAULT 100)
    RETURNS TABLE (key jsonb, difference text)
    LANGUAGE plpgsql
    STABLE
    SET TimeZone = 'UTC'
AS
$$
DECLARE
    v         ingest.view%ROWTYPE;
    keys      text[];
    on_keys   text;
    key_json  text;
    pending   text := 'SELECT NULL::int WHERE false';
    unpending text := 'true';
BEGIN
    SELECT * INTO v FROM ingest.view WHERE name = view_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no view %', view_name;
    END IF;
    SELECT array_agg(column_name ORDER BY position) INTO keys FROM ingest.stream_key_column WHERE stream = v.stream;
    on_keys := (SELECT string_agg(format('p.%1$I = w.%1$I', k), ' AND ') FROM unnest(keys) k);
    key_json := CASE WHEN array_length(keys, 1) = 1
                         THEN format('to_jsonb(coalesce(p.%1$I, w.%1$I))', keys[1])
                     ELSE format('jsonb_build_array(%s)', (SELECT string_agg(format('coalesce(p.%1$I, w.%1$I)', k), ', ') FROM unnest(keys) k))
        END;
    IF v.refresh_mode = 'incremental' AND to_regclass(format('ingest.%I', ingest.change_table(v.stream))) IS NOT NULL THEN
        pending := format('SELECT %s FROM ingest.%I c CROSS JOIN LATERAL unnest(%s) AS u(%s), ingest.view_state st '
                              || 'WHERE st.view = %L AND (st.snapshot IS NULL OR (c.txid >= pg_snapshot_xmin(st.snapshot) '
                              || 'AND NOT pg_visible_in_snapshot(c.txid, st.snapshot)))',
                          (SELECT string_agg(format('u.%I', k), ', ') FROM unnest(keys) k),
                          ingest.change_table(v.stream),
                          (SELECT string_agg(format('c.%I', k), ', ') FROM unnest(keys) k),
                          (SELECT string_agg(format('%I', k), ', ') FROM unnest(keys) k),
                          view_name);
        unpending := format('(%s) NOT IN (SELECT * FROM pending)',
                            (SELECT string_agg(format('coalesce(p.%1$I, w.%1$I)', k), ', ') FROM unnest(keys) k));
    END IF;
    RETURN QUERY EXECUTE format(
            'WITH pending AS MATERIALIZED (%s) '
                || 'SELECT %s, CASE WHEN w.%I IS NULL THEN ''missing'' WHEN p.%I IS NULL THEN ''extra'' ELSE ''different'' END '
                || 'FROM ingest.%I p FULL JOIN views.%I w ON %s '
                || 'WHERE row(p.*) IS DISTINCT FROM row(w.*) AND %s LIMIT %s',
            pending, key_json, keys[1], keys[1], ingest.projection_view(view_name), view_name, on_keys, unpending, max_rows);
END;
$$;
COMMENT ON FUNCTION ingest.check_view IS
    'Differential checker: rows where the view differs from its projection of the stream table (pending changes of incremental views left out).';

-- How many change-table rows an incremental view has yet to apply (each row is one writing statement's keys); 0 for a
-- full view. 0 means the view shows every change committed before its last refresh's snapshot was taken, and none since.
CREATE FUNCTION ingest.view_pending_changes(view_name text) RETURNS bigint
    LANGUAGE plpgsql
    STABLE
AS
$$
DECLARE
    v       ingest.view%ROWTYPE;
    pending bigint;
BEGIN
    SELECT * INTO v FROM ingest.view WHERE name = view_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no view %', view_name;
    END IF;
    IF v.refresh_mode <> 'incremental' OR to_regclass(format('ingest.%I', ingest.change_table(v.stream))) IS NULL THEN
        RETURN 0;
    END IF;
    EXECUTE format('SELECT count(*) FROM ingest.%I c, ingest.view_state st WHERE st.view = $1 AND (st.snapshot IS NULL '
                       || 'OR (c.txid >= pg_snapshot_xmin(st.snapshot) AND NOT pg_visible_in_snapshot(c.txid, st.snapshot)))',
                   ingest.change_table(v.stream))
        INTO pending USING view_name;
    RETURN pending;
END;
$$;

-- How fresh each view is, for anyone who may read the views; now with each view's refresh mode.
CREATE OR REPLACE VIEW views.view_freshness AS
SELECT v.name                     AS view,
       v.stream,
       v.refresh_interval,
       s.last_success_at          AS refreshed_at,
       s.as_of,
       s.newest_data_at,
       now() - s.newest_data_at   AS staleness,
       s.row_count,
       s.last_outcome,
       s.last_error,
       v.refresh_mode
FROM ingest.view v
         LEFT JOIN ingest.view_state s ON s.view = v.name;
