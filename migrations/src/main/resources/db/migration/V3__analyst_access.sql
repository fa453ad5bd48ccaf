-- Analyst access: the group role ingest_analyst may read the views and their freshness, and nothing else.
-- Give people logins of their own in it:
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE ingest_analyst;
--   ALTER ROLE alice SET default_transaction_read_only = on;
--   ALTER ROLE alice SET search_path = views;
-- Roles belong to the whole PostgreSQL cluster, so the role may exist already (another database of the cluster).
DO
$$
    BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ingest_analyst') THEN
            CREATE ROLE ingest_analyst NOLOGIN;
        END IF;
    EXCEPTION
        WHEN duplicate_object THEN NULL; -- created concurrently by a migration of another database
        WHEN insufficient_privilege THEN
            RAISE EXCEPTION 'role ingest_analyst does not exist and % may not create roles', current_user
                USING HINT = 'Create it once as a superuser: CREATE ROLE ingest_analyst NOLOGIN; or grant CREATEROLE to the migration user.';
    END
$$;
COMMENT ON ROLE ingest_analyst IS 'Upsert Ingest: read-only access to the materialized views (schema views).';

GRANT USAGE ON SCHEMA views TO ingest_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA views TO ingest_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA views GRANT SELECT ON TABLES TO ingest_analyst;

-- Nobody but the owner writes or reads the control schema and the raw stream tables; nobody creates objects in public.
REVOKE ALL ON SCHEMA ingest, streams FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- count_values(text) -> jsonb: how many times each value occurs, as one JSON object: {"paid": 120, "shipped": 80}.
-- NULLs are not counted. The state is an array (appending is amortized O(1)); the counting happens once, at the end.
CREATE FUNCTION views.count_values_final(collected text[]) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS
$$
SELECT coalesce(jsonb_object_agg(value, n), '{}'::jsonb)
FROM (SELECT value, count(*) AS n FROM unnest(collected) AS value WHERE value IS NOT NULL GROUP BY value) AS counts
$$;

CREATE AGGREGATE views.count_values(text) (
    SFUNC = array_append,
    STYPE = text[],
    INITCOND = '{}',
    FINALFUNC = views.count_values_final,
    COMBINEFUNC = array_cat,
    PARALLEL = SAFE
    );
COMMENT ON AGGREGATE views.count_values(text) IS
    'Counts of each distinct non-null value as one JSON object, e.g. SELECT views.count_values(status) FROM views.orders_by_status';
