-- Materialized views over stream tables: where the secondary indexes live, off the write path.
--
-- A view projects typed columns out of the stream's jsonb documents, carries the stream's key (unique index, which
-- REFRESH ... CONCURRENTLY requires) and updated_at (index, for freshness), and has the indexes analysts query by.
-- ingest-worker refreshes each view on its interval, only when the table changed, one replica at a time.

CREATE SCHEMA IF NOT EXISTS views;
COMMENT ON SCHEMA views IS 'Upsert Ingest materialized views: typed, indexed projections of the stream tables, for analysts.';

CREATE TABLE ingest.view (
    name             text        PRIMARY KEY
                                 CONSTRAINT view_name_is_an_identifier CHECK (name ~ '^[a-z][a-z0-9_]{0,47}$'),
    stream           text        NOT NULL REFERENCES ingest.stream (name),
    view_schema      text        NOT NULL DEFAULT 'views',
    refresh_interval interval    NOT NULL DEFAULT '10 seconds'
                                 CONSTRAINT view_refresh_interval_at_least_a_second CHECK (refresh_interval >= interval '1 second'),
    definition       jsonb       NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    replaced_at      timestamptz
);
COMMENT ON TABLE ingest.view IS 'One row per materialized view over a stream. Declare with ingest.declare_view(), change with ingest.replace_view().';
COMMENT ON COLUMN ingest.view.definition IS 'The declaration: {"columns": [...], "indexes": [...], "keep_document": bool}.';

-- Shared by all worker replicas: what the last refresh saw, so no replica refreshes an unchanged table again.
CREATE TABLE ingest.view_state (
    view            text        PRIMARY KEY REFERENCES ingest.view (name) ON DELETE CASCADE,
    last_started_at timestamptz,
    last_success_at timestamptz,
    as_of           timestamptz,
    last_outcome    text,
    last_error      text,
    change_counter  bigint,
    newest_data_at  timestamptz,
    row_count       bigint
);
COMMENT ON COLUMN ingest.view_state.change_counter IS
    'Inserts + updates + deletes of the stream table (pg_stat_user_tables) read before the last successful refresh.';
COMMENT ON COLUMN ingest.view_state.newest_data_at IS 'max(updated_at) in the view after the last successful refresh.';
COMMENT ON COLUMN ingest.view_state.as_of IS
    'When the last successful refresh started, i.e. the moment the view''s contents show: nothing newer is in it.';

CREATE TABLE ingest.view_refresh (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    view         text        NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    duration_ms  bigint      NOT NULL,
    mode         text        NOT NULL CONSTRAINT view_refresh_mode_is_known CHECK (mode IN ('populate', 'concurrent')),
    outcome      text        NOT NULL CONSTRAINT view_refresh_outcome_is_known CHECK (outcome IN ('ok', 'failed')),
    row_count    bigint,
    error        text,
    refreshed_by text        NOT NULL
);
CREATE INDEX view_refresh_by_view ON ingest.view_refresh (view, started_at DESC);
COMMENT ON TABLE ingest.view_refresh IS 'Refresh history: one row per refresh attempt, kept after the view is dropped.';

-- Turns a JSON pointer (/a/b, with ~1 for / and ~0 for ~) into the text[] path jsonb's #> and #>> take.
CREATE FUNCTION ingest.pointer_to_path(pointer text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT coalesce(array_agg(replace(replace(part, '~1', '/'), '~0', '~') ORDER BY n), '{}')
FROM unnest(string_to_array(substr(pointer, 2), '/')) WITH ORDINALITY AS p(part, n)
$$;

-- Defensive casts: ingest.try_<type>(text) returns NULL instead of failing when the text is not a valid <type>, so one
-- odd document ("total": "n/a") can never break a refresh. Each checks its input with a regular expression before
-- casting, in plain SQL: no exception handler (a subtransaction per row, and forbidden in parallel plans), the same
-- behaviour on every PostgreSQL version, and simple enough for the planner to inline. Accepted forms:
--   numeric, double   decimal or scientific notation (1, -2.50, .5, 6.02e23; exponent up to 3 digits, 2 for double)
--   integer, bigint   whole numbers in range, optionally written with a zero fraction (42, -7, 42.0)
--   boolean           what PostgreSQL accepts: true/false, t/f, yes/no, y/n, on/off, 1/0, any case
--   timestamptz, date ISO-8601 / RFC 3339: 2026-11-20, 2026-11-20T10:15:30.123Z, 2026-11-20 10:15:30+02:00 (a
--                     timestamp without offset is read in the session time zone); real calendar dates only; date
--                     takes the date alone
--   uuid              32 hex digits, hyphens between groups of four, optionally in braces
CREATE FUNCTION ingest.try_numeric(value text) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE WHEN length(value) <= 1000 AND value ~ '^\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?\s*$'
                THEN value::numeric END
$$;

CREATE FUNCTION ingest.try_double(value text) RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE WHEN length(value) <= 200 AND value ~ '^\s*[-+]?([0-9]{1,200}(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,2})?\s*$'
                THEN value::double precision END
$$;

CREATE FUNCTION ingest.try_bigint(value text) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE
           WHEN value ~ '^\s*[-+]?[0-9]{1,18}(\.0*)?\s*$' THEN value::numeric::bigint
           WHEN value !~ '^\s*[-+]?0*[0-9]{1,19}(\.0*)?\s*$' THEN NULL
           WHEN value::numeric BETWEEN -9223372036854775808 AND 9223372036854775807 THEN value::numeric::bigint
           END
$$;

CREATE FUNCTION ingest.try_integer(value text) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE
           WHEN value ~ '^\s*[-+]?[0-9]{1,9}(\.0*)?\s*$' THEN value::numeric::integer
           WHEN value !~ '^\s*[-+]?0*[0-9]{1,10}(\.0*)?\s*$' THEN NULL
           WHEN value::numeric BETWEEN -2147483648 AND 2147483647 THEN value::numeric::integer
           END
$$;

CREATE FUNCTION ingest.try_boolean(value text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE WHEN value ~* '^\s*(t|tr|tru|true|y|ye|yes|on|1|f|fa|fal|fals|false|n|no|of|off|0)\s*$' THEN value::boolean END
$$;

CREATE FUNCTION ingest.try_uuid(value text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE WHEN value ~* '^(\{[0-9a-f]{4}(-?[0-9a-f]{4}){7}\}|[0-9a-f]{4}(-?[0-9a-f]{4}){7})$' THEN value::uuid END
$$;

-- Is y-m-d a real calendar date? Checked in an order that cannot raise (CASE evaluates its branches in order).
CREATE FUNCTION ingest.is_calendar_date(y integer, m integer, d integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE
           WHEN y NOT BETWEEN 1 AND 9999 OR m NOT BETWEEN 1 AND 12 OR d NOT BETWEEN 1 AND 31 THEN false
           ELSE extract(month FROM make_date(y, m, 1) + (d - 1)) = m
           END
$$;

-- Both check the shape with one match and then read the date fields at their fixed positions: capture groups
-- (regexp_match) make PostgreSQL's regex engine about 80 times slower, and a FROM clause would stop inlining.
CREATE FUNCTION ingest.try_date(value text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT CASE
           WHEN value !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN NULL
           WHEN ingest.is_calendar_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int)
               THEN value::date
           END
$$;

CREATE FUNCTION ingest.try_timestamptz(value text) RETURNS timestamptz
    LANGUAGE sql STABLE PARALLEL SAFE
AS
$$
SELECT CASE
           WHEN value !~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?)?'
                          || '([Zz]|[-+]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$') THEN NULL
           WHEN ingest.is_calendar_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int)
               THEN value::timestamptz
           END
$$;

-- The SQL expression that projects one declared column out of doc. Types: text, jsonb, numeric, integer, bigint,
-- double, boolean, timestamptz, date, uuid.
CREATE FUNCTION ingest.view_column_expression(column_type text, pointer text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE
AS
$$
DECLARE
    path text := ingest.pointer_to_path(pointer)::text;
BEGIN
    RETURN CASE
               WHEN column_type = 'text' THEN format('doc #>> %L', path)
               WHEN column_type = 'jsonb' THEN format('doc #> %L', path)
               WHEN column_type IN ('numeric', 'integer', 'bigint', 'double', 'boolean', 'timestamptz', 'date', 'uuid')
                   THEN format('ingest.try_%s(doc #>> %L)', column_type, path)
        END;
END;
$$;

-- Creates the materialized view relation views.<relname> for a declaration, with its indexes. Used by declare_view
-- (relname = the view's name) and replace_view (a temporary name, swapped in afterwards).
CREATE FUNCTION ingest.build_view_relation(relname text, view_name text, stream ingest.stream, columns jsonb,
                                           indexes jsonb, keep_document boolean, with_data boolean) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    key_names   text[];
    known       text[];
    select_list text := '';
    col         jsonb;
    idx         jsonb;
    idx_columns text[];
    idx_method  text;
    idx_number  integer := 0;
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
    select_list := select_list || CASE WHEN keep_document THEN 'doc, ' ELSE '' END || 'updated_at';

    EXECUTE format('CREATE MATERIALIZED VIEW views.%I AS SELECT %s FROM %I.%I WITH %s',
                   relname, select_list, stream.table_schema, stream.table_name,
                   CASE WHEN with_data THEN 'DATA' ELSE 'NO DATA' END);
    EXECUTE format('COMMENT ON MATERIALIZED VIEW views.%I IS %L', relname,
                   format('View %s over stream %s, refreshed by ingest-worker. See views.view_freshness.', view_name, stream.name));
    -- REFRESH ... CONCURRENTLY needs a unique index on plain columns covering every row: the stream's key is one.
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

-- Declares a materialized view over a stream. Call it from a Flyway migration:
--
--   SELECT ingest.declare_view(
--       view_name   => 'orders_by_status',
--       stream_name => 'orders',
--       columns     => '[{"name": "status", "type": "text",    "pointer": "/status"},
--                        {"name": "total",  "type": "numeric", "pointer": "/total"}]',
--       indexes     => '[{"columns": ["status"]}]',
--       refresh_interval => '30 seconds');
--
-- The view holds the stream's key columns, the declared columns, doc (if keep_document) and updated_at. A value that
-- does not cast to its column's type becomes NULL. populate => false leaves it empty for the worker's first refresh
-- (useful when the table is large and the migration should be quick); until then it cannot be queried.
CREATE FUNCTION ingest.declare_view(
    view_name        text,
    stream_name      text,
    columns          jsonb,
    indexes          jsonb    DEFAULT '[]',
    refresh_interval interval DEFAULT '10 seconds',
    keep_document    boolean  DEFAULT false,
    populate         boolean  DEFAULT true
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
    INSERT INTO ingest.view (name, stream, refresh_interval, definition)
    VALUES (view_name, stream_name, refresh_interval,
            jsonb_build_object('columns', columns, 'indexes', coalesce(indexes, '[]'), 'keep_document', keep_document));
    INSERT INTO ingest.view_state (view) VALUES (view_name);
    PERFORM ingest.build_view_relation(view_name, view_name, s, columns, indexes, keep_document, populate);
    RETURN format('views.%I', view_name)::regclass;
END;
$$;

-- Changes a view without downtime for readers: builds the new version beside the old one (readers keep querying the
-- old one meanwhile), then swaps them by rename and drops the old one, all in the migration's transaction. The swap
-- needs a brief exclusive lock on the old view; lock_timeout bounds how long it may wait for running queries.
CREATE FUNCTION ingest.replace_view(
    view_name        text,
    columns          jsonb,
    indexes          jsonb    DEFAULT '[]',
    refresh_interval interval DEFAULT NULL,
    keep_document    boolean  DEFAULT false,
    lock_timeout     interval DEFAULT '30 seconds'
) RETURNS regclass
    LANGUAGE plpgsql
AS
$$
DECLARE
    v             ingest.view%ROWTYPE;
    s             ingest.stream%ROWTYPE;
    next_name     text := view_name || '__next';
    old_name      text := view_name || '__old';
    index_name    text;
    saved_timeout text := current_setting('lock_timeout');
BEGIN
    SELECT * INTO v FROM ingest.view WHERE name = view_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no view %', view_name;
    END IF;
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = v.stream;

    PERFORM ingest.build_view_relation(next_name, view_name, s, columns, indexes, keep_document, true);

    PERFORM set_config('lock_timeout', (extract(epoch FROM lock_timeout) * 1000)::bigint::text, true);
    EXECUTE format('ALTER MATERIALIZED VIEW views.%I RENAME TO %I', view_name, old_name);
    EXECUTE format('ALTER MATERIALIZED VIEW views.%I RENAME TO %I', next_name, view_name);
    EXECUTE format('DROP MATERIALIZED VIEW views.%I', old_name);
    PERFORM set_config('lock_timeout', saved_timeout, true);
    FOR index_name IN SELECT c.relname
                      FROM pg_index i
                               JOIN pg_class c ON c.oid = i.indexrelid
                      WHERE i.indrelid = format('views.%I', view_name)::regclass
        LOOP
            EXECUTE format('ALTER INDEX views.%I RENAME TO %I', index_name,
                           view_name || substr(index_name, length(next_name) + 1));
        END LOOP;

    UPDATE ingest.view
    SET definition       = jsonb_build_object('columns', columns, 'indexes', coalesce(indexes, '[]'), 'keep_document', keep_document),
        refresh_interval = coalesce(replace_view.refresh_interval, v.refresh_interval),
        replaced_at      = now()
    WHERE name = view_name;
    -- The new view holds the data as of this migration; the next refresh brings it up to date.
    UPDATE ingest.view_state SET change_counter = NULL WHERE view = view_name;
    RETURN format('views.%I', view_name)::regclass;
END;
$$;

CREATE FUNCTION ingest.drop_view(view_name text) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    v ingest.view%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v FROM ingest.view WHERE name = view_name;
    EXECUTE format('DROP MATERIALIZED VIEW IF EXISTS %I.%I', v.view_schema, v.name);
    DELETE FROM ingest.view WHERE name = view_name;
END;
$$;

-- A stream's views go with it.
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
    EXECUTE format('DROP TABLE IF EXISTS %I.%I', s.table_schema, s.table_name);
    DELETE FROM ingest.stream WHERE name = stream_name;
END;
$$;

-- How fresh each view is, for anyone who may read the views.
CREATE VIEW views.view_freshness AS
SELECT v.name                     AS view,
       v.stream,
       v.refresh_interval,
       s.last_success_at          AS refreshed_at,
       s.as_of,
       s.newest_data_at,
       now() - s.newest_data_at   AS staleness,
       s.row_count,
       s.last_outcome,
       s.last_error
FROM ingest.view v
         LEFT JOIN ingest.view_state s ON s.view = v.name;
COMMENT ON VIEW views.view_freshness IS
    'Per view: when it was last refreshed, the newest data it shows (max updated_at) and how old that is (staleness).';
