-- Control schema: the registry of streams and the functions that declare them.
--
-- A stream is one Kafka topic feeding one table. Stream tables hold only the primary key, the jsonb document and
-- the bookkeeping the design needs (the version used to refuse stale writes, the time the row last changed).
-- Secondary indexes never go on these tables: they live on materialized views over them, off the write path.

CREATE SCHEMA IF NOT EXISTS ingest;
CREATE SCHEMA IF NOT EXISTS streams;

COMMENT ON SCHEMA ingest IS 'Upsert Ingest control schema: stream registry and bookkeeping.';
COMMENT ON SCHEMA streams IS 'Upsert Ingest stream tables: primary key + jsonb document, written by ingest-worker only.';

CREATE TABLE ingest.stream (
    name            text        PRIMARY KEY
                                CONSTRAINT stream_name_is_an_identifier CHECK (name ~ '^[a-z][a-z0-9_]{0,47}$'),
    topic           text        NOT NULL UNIQUE
                                CONSTRAINT stream_topic_is_a_kafka_topic CHECK (topic ~ '^[A-Za-z0-9._-]{1,240}$'),
    table_schema    text        NOT NULL DEFAULT 'streams',
    table_name      text        NOT NULL,
    key_source      text        NOT NULL DEFAULT 'value'
                                CONSTRAINT stream_key_source_is_known CHECK (key_source IN ('value', 'record_key')),
    version_pointer text        CONSTRAINT stream_version_pointer_is_a_json_pointer CHECK (version_pointer ~ '^(/[^/]*)+$'),
    merge_mode      text        NOT NULL DEFAULT 'replace'
                                CONSTRAINT stream_merge_mode_is_known CHECK (merge_mode IN ('replace', 'merge')),
    durability      text        NOT NULL DEFAULT 'unlogged'
                                CONSTRAINT stream_durability_is_known CHECK (durability IN ('unlogged', 'logged')),
    fillfactor      integer     NOT NULL DEFAULT 70
                                CONSTRAINT stream_fillfactor_in_range CHECK (fillfactor BETWEEN 10 AND 100),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (table_schema, table_name)
);

COMMENT ON TABLE ingest.stream IS 'One row per stream: the topic it consumes and the table it writes. Declare with ingest.declare_stream().';
COMMENT ON COLUMN ingest.stream.key_source IS 'value: key fields are read from the event JSON by pointer; record_key: from the Kafka record key.';
COMMENT ON COLUMN ingest.stream.version_pointer IS 'JSON pointer to an integer version in the event; when set, an older version never overwrites a newer row.';
COMMENT ON COLUMN ingest.stream.merge_mode IS 'replace: the newest event is the document; merge: events are merged into the document with jsonb || (top-level keys).';
COMMENT ON COLUMN ingest.stream.durability IS 'unlogged (default, fast, emptied by crash recovery and rebuilt from Kafka) or logged.';

CREATE TABLE ingest.stream_key_column (
    stream       text     NOT NULL REFERENCES ingest.stream (name) ON DELETE CASCADE,
    position     smallint NOT NULL CONSTRAINT key_column_position_positive CHECK (position >= 1),
    column_name  text     NOT NULL
                          CONSTRAINT key_column_name_is_an_identifier CHECK (column_name ~ '^[a-z][a-z0-9_]{0,62}$')
                          CONSTRAINT key_column_name_not_reserved CHECK (column_name NOT IN ('doc', 'version', 'updated_at')),
    column_type  text     NOT NULL
                          CONSTRAINT key_column_type_is_supported CHECK (column_type IN ('text', 'bigint', 'integer', 'uuid')),
    json_pointer text     CONSTRAINT key_column_pointer_is_a_json_pointer CHECK (json_pointer ~ '^(/[^/]*)+$'),
    PRIMARY KEY (stream, position),
    UNIQUE (stream, column_name)
);

COMMENT ON TABLE ingest.stream_key_column IS 'The primary key columns of a stream table, in key order.';
COMMENT ON COLUMN ingest.stream_key_column.json_pointer IS
    'Where the key value is found: a pointer into the event (key_source value) or into a JSON record key (key_source record_key); NULL with record_key means the whole record key.';

-- Declares a stream: registers it and creates its table. Call it from a Flyway migration, once per stream.
--
--   SELECT ingest.declare_stream(
--       stream_name => 'orders',
--       topic       => 'orders',
--       key_columns => '[{"name": "order_id", "type": "text", "pointer": "/order_id"}]');
--
-- key_columns is a JSON array, in key order, of {"name", "type" (text|bigint|integer|uuid), "pointer"}.
CREATE FUNCTION ingest.declare_stream(
    stream_name     text,
    topic           text,
    key_columns     jsonb,
    key_source      text    DEFAULT 'value',
    version_pointer text    DEFAULT NULL,
    merge_mode      text    DEFAULT 'replace',
    durability      text    DEFAULT 'unlogged',
    fillfactor      integer DEFAULT 70
) RETURNS regclass
    LANGUAGE plpgsql
AS
$$
DECLARE
    key_column  jsonb;
    key_count   integer;
    key_position integer := 0;
    column_defs text    := '';
    key_list    text    := '';
    table_ref   regclass;
BEGIN
    IF jsonb_typeof(key_columns) IS DISTINCT FROM 'array' OR jsonb_array_length(key_columns) = 0 THEN
        RAISE EXCEPTION 'stream %: key_columns must be a non-empty JSON array of {"name", "type", "pointer"}', stream_name;
    END IF;
    key_count := jsonb_array_length(key_columns);

    INSERT INTO ingest.stream (name, topic, table_name, key_source, version_pointer, merge_mode, durability, fillfactor)
    VALUES (stream_name, topic, stream_name, key_source, version_pointer, merge_mode, durability, fillfactor);

    FOR key_column IN SELECT value FROM jsonb_array_elements(key_columns)
        LOOP
            key_position := key_position + 1;
            IF key_source = 'value' AND key_column ->> 'pointer' IS NULL THEN
                RAISE EXCEPTION 'stream %: key column % needs a "pointer" into the event', stream_name, key_column ->> 'name';
            END IF;
            IF key_source = 'record_key' AND key_column ->> 'pointer' IS NULL AND key_count > 1 THEN
                RAISE EXCEPTION 'stream %: a composite key read from the record key needs a "pointer" per column', stream_name;
            END IF;
            INSERT INTO ingest.stream_key_column (stream, position, column_name, column_type, json_pointer)
            VALUES (stream_name, key_position, key_column ->> 'name', key_column ->> 'type', key_column ->> 'pointer');
            -- Names and types were checked by the registry's constraints above; %I quotes them all the same.
            column_defs := column_defs || format('%I %s NOT NULL, ', key_column ->> 'name', key_column ->> 'type');
            key_list := key_list || CASE WHEN key_position > 1 THEN ', ' ELSE '' END || format('%I', key_column ->> 'name');
        END LOOP;

    EXECUTE format(
            'CREATE %s TABLE streams.%I (%s doc jsonb NOT NULL, %s updated_at timestamptz NOT NULL DEFAULT now(), '
                || 'CONSTRAINT %I PRIMARY KEY (%s)) '
                -- fillfactor leaves room on each page so updates stay HOT (no index maintenance, pruned in place);
                -- upserts churn rows, so vacuum and analyze earlier than the defaults.
                || 'WITH (fillfactor = %s, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05)',
            CASE durability WHEN 'unlogged' THEN 'UNLOGGED' ELSE '' END,
            stream_name,
            column_defs,
            CASE WHEN version_pointer IS NOT NULL THEN 'version bigint NOT NULL, ' ELSE '' END,
            stream_name || '_pkey',
            key_list,
            fillfactor);

    table_ref := format('streams.%I', stream_name)::regclass;
    EXECUTE format('COMMENT ON TABLE %s IS %L', table_ref,
                   format('Stream %s from topic %s. Written by ingest-worker only; query the views instead.', stream_name, topic));
    RETURN table_ref;
END;
$$;

COMMENT ON FUNCTION ingest.declare_stream IS 'Registers a stream and creates its table (UNLOGGED by default). Use from a Flyway migration.';

-- Switches a stream table between unlogged and logged. SET LOGGED rewrites the table and writes it all to WAL.
CREATE FUNCTION ingest.set_stream_durability(stream_name text, new_durability text) RETURNS void
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
END;
$$;

-- Removes a stream: its table and its registration.
CREATE FUNCTION ingest.drop_stream(stream_name text) RETURNS void
    LANGUAGE plpgsql
AS
$$
DECLARE
    s ingest.stream%ROWTYPE;
BEGIN
    SELECT * INTO STRICT s FROM ingest.stream WHERE name = stream_name;
    EXECUTE format('DROP TABLE IF EXISTS %I.%I', s.table_schema, s.table_name);
    DELETE FROM ingest.stream WHERE name = stream_name;
END;
$$;
