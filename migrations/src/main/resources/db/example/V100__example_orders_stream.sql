-- Example stream shipped with Upsert Ingest: order events keyed by their order_id, newest event wins.
-- Drop `classpath:db/example` from spring.flyway.locations to leave it out of a deployment.
SELECT ingest.declare_stream(
    stream_name     => 'orders',
    topic           => 'orders',
    key_columns     => '[{"name": "order_id", "type": "text", "pointer": "/order_id"}]',
    version_pointer => '/version');
