-- Rebuilding unlogged stream tables after a PostgreSQL crash.
--
-- Crash recovery empties every unlogged table. The worker cannot ask PostgreSQL whether that happened, so it keeps a
-- marker row per unlogged stream in an unlogged table of its own: recovery empties the markers together with the
-- stream tables, and a missing marker means "this table no longer holds what the committed Kafka offsets say it
-- holds". The worker then replays the stream's topic from the beginning into the table (a rebuild), and marks it
-- complete again when every partition has been replayed up to where it stood when the loss was found.
--
-- While a stream has no marker, or a marker naming a running rebuild, its views are not refreshed: analysts keep the
-- last complete view rather than a half-rebuilt one.

CREATE UNLOGGED TABLE ingest.stream_table_marker (
    stream     text        PRIMARY KEY,
    -- NULL: the table is complete up to the committed offsets. Otherwise the rebuild that is refilling it.
    rebuild_id bigint,
    marked_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ingest.stream_table_marker IS
    'UNLOGGED on purpose: emptied by crash recovery together with the stream tables, which is how a reset is detected.';

CREATE TABLE ingest.stream_rebuild (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream          text        NOT NULL,
    -- rewinding: consumers are stopped and the group's offsets moved to the beginning of the topic;
    -- replaying: consumers run from the beginning; done: every partition reached its target;
    -- superseded: the table was emptied again before this rebuild finished, and a new one took over.
    state           text        NOT NULL DEFAULT 'rewinding'
                                CONSTRAINT stream_rebuild_state_is_known
                                CHECK (state IN ('rewinding', 'replaying', 'done', 'superseded')),
    reason          text        NOT NULL,
    detected_at     timestamptz NOT NULL DEFAULT now(),
    replay_started_at timestamptz,
    finished_at     timestamptz,
    detected_by     text        NOT NULL
);
CREATE INDEX stream_rebuild_by_stream ON ingest.stream_rebuild (stream, detected_at DESC);
-- At most one running rebuild per stream, whichever worker replica found the loss first.
CREATE UNIQUE INDEX stream_rebuild_one_running ON ingest.stream_rebuild (stream) WHERE state IN ('rewinding', 'replaying');
COMMENT ON TABLE ingest.stream_rebuild IS 'Rebuilds of unlogged stream tables from their topics: one row each, kept as history.';

CREATE TABLE ingest.stream_rebuild_partition (
    rebuild_id    bigint  NOT NULL REFERENCES ingest.stream_rebuild (id) ON DELETE CASCADE,
    kafka_partition integer NOT NULL,
    -- The partition's first and next offsets when the replay was started: the replay is complete once the consumer
    -- group's committed offset (committed only after the batch's transaction) reaches target_offset.
    start_offset  bigint  NOT NULL,
    target_offset bigint  NOT NULL,
    done          boolean NOT NULL,
    PRIMARY KEY (rebuild_id, kafka_partition)
);
COMMENT ON TABLE ingest.stream_rebuild_partition IS 'Per partition of a rebuild: how far the replay must go and whether it got there.';

-- Whether a stream table holds complete contents (always, for a logged table): the refresher asks this in the same
-- transaction as the refresh, so a table emptied by a crash never reaches a view.
CREATE FUNCTION ingest.stream_table_is_complete(p_stream text) RETURNS boolean
    LANGUAGE sql STABLE
AS
$$
SELECT CASE
           WHEN s.durability = 'logged' THEN true
           ELSE EXISTS (SELECT 1 FROM ingest.stream_table_marker m WHERE m.stream = s.name AND m.rebuild_id IS NULL)
           END
FROM ingest.stream s
WHERE s.name = p_stream
$$;
