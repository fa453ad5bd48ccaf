-- Analysts cannot interfere with the worker.
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

CREATE TABLE ingest.worker_lock (
    scope text NOT NULL CONSTRAINT worker_lock_scope_is_known CHECK (scope IN ('view_refresh', 'stream_rebuild')),
    name  text NOT NULL,
    PRIMARY KEY (scope, name)
);
COMMENT ON TABLE ingest.worker_lock IS 'Rows the worker locks (SELECT ... FOR UPDATE) so that one replica at a time refreshes a view (view_refresh) or detects and rewinds a lost stream table (stream_rebuild). No other role has any privilege on it.';
REVOKE ALL ON ingest.worker_lock FROM PUBLIC;
