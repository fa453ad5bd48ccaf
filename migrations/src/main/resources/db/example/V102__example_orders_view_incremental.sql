-- The example view becomes incremental: the worker applies the changed orders every second instead of recomputing the
-- whole view. The same columns and indexes as V101; readers keep querying it while it is replaced.
SELECT ingest.replace_view(
    view_name        => 'orders_view',
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
    refresh_interval => '1 second',
    refresh_mode     => 'incremental');
