-- The role ingest-api's database login belongs to. It reads the stream registry (to check events before publishing
-- them) and, through ingest_analyst, the views; every query runs as ingest_analyst (SET LOCAL ROLE) in a read-only
-- transaction, so a query can never do more than an analyst could, whatever else the login may do.
--   CREATE ROLE api LOGIN PASSWORD '...' IN ROLE ingest_api;
DO
$$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_api') THEN
            CREATE ROLE ingest_api NOLOGIN;
        END IF;
    EXCEPTION
        WHEN duplicate_object THEN NULL;
        WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role ingest_api does not exist and % may not create roles', current_user
                USING HINT = 'Create it once as a superuser: CREATE ROLE ingest_api NOLOGIN; or grant CREATEROLE to the migration user.';
    END
$$;
COMMENT ON ROLE ingest_api IS 'Upsert Ingest: the API login''s group: stream registry (read) and, through ingest_analyst, the views.';

GRANT ingest_analyst TO ingest_api;
GRANT USAGE ON SCHEMA ingest TO ingest_api;
GRANT SELECT ON ingest.stream, ingest.stream_key_column TO ingest_api;
