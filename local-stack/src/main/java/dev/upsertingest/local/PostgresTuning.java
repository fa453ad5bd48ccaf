package dev.upsertingest.local;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Server settings the design depends on, with the reason for each. Applied to the PostgreSQL the benchmarks start;
 * an operator applies the same to their server (see README "Performance notes").
 */
public final class PostgresTuning {

    private PostgresTuning() {
    }

    public static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        // Room for the hot part of the stream tables and their primary key indexes.
        s.put("shared_buffers", "1GB");
        // Fewer, spread-out checkpoints: each one makes the next write of every page a full-page image in the WAL.
        s.put("max_wal_size", "8GB");
        s.put("min_wal_size", "1GB");
        s.put("checkpoint_timeout", "30min");
        s.put("checkpoint_completion_target", "0.9");
        s.put("wal_buffers", "64MB");
        // Group commit for logged tables with synchronous_commit on: concurrent commits share one WAL flush.
        s.put("commit_delay", "200");
        s.put("commit_siblings", "2");
        // Upserts leave a dead tuple per changed row: vacuum sooner and faster than the defaults.
        s.put("autovacuum_naptime", "10s");
        s.put("autovacuum_vacuum_cost_limit", "2000");
        s.put("effective_io_concurrency", "200");
        s.put("max_connections", "200");
        // A query whose client went away (psql killed, a laptop closed) is ended within 5 s instead of running on:
        // without it PostgreSQL notices only when it next writes to the socket, and pg_sleep(600) runs its 10 minutes.
        s.put("client_connection_check_interval", "5s");
        return s;
    }
}
