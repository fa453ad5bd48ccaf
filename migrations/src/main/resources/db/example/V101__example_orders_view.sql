-- Example view over the example orders stream: what analysts query (and what the API serves), with the indexes they
-- filter and sort by. Drop `classpath:db/example` from spring.flyway.locations to leave it out.
SELECT ingest.declare_view(
    view_name        => 'orders_view',
    stream_name      => 'orders',
    columns          => '[
        {"name": "status",      "type": "text",        "pointer": "/status"},
        {"name": "customer_id", "type": "bigint",      "pointer": "/customer_id"},
        {"name": "total",       "type": "numeric",     "pointer": "/total"},
        {"name": "currency",    "type": "text",        "pointer": "/currency"},
        {"name": "items",       "type": "integer",     "pointer": "/items"},
        {"name": "region",      "type": "text",        "pointer": "/region"},
        {"name": "created_at",  "type": "timestamptz", "pointer": "/created_at"}]',
    indexes          => '[
        {"columns": ["status"]},
        {"columns": ["customer_id", "created_at"]},
        {"columns": ["region", "created_at"]},
        {"columns": ["created_at"]},
        {"columns": ["total"]}]',
    refresh_interval => '5 seconds');
