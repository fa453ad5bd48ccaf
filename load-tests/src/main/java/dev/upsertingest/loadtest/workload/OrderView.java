package dev.upsertingest.loadtest.workload;

/**
 * The view the benchmarks index the generated orders with: seven typed columns, each with an index, plus the
 * updated_at index every view has: eight secondary indexes, and the unique key.
 */
public final class OrderView {

    public static final String COLUMNS = """
            [{"name": "status", "type": "text", "pointer": "/status"},
             {"name": "customer_id", "type": "bigint", "pointer": "/customer_id"},
             {"name": "total", "type": "numeric", "pointer": "/total"},
             {"name": "currency", "type": "text", "pointer": "/currency"},
             {"name": "region", "type": "text", "pointer": "/region"},
             {"name": "created_at", "type": "timestamptz", "pointer": "/created_at"},
             {"name": "items", "type": "integer", "pointer": "/items"}]""";

    public static final String INDEXES = """
            [{"columns": ["status"]}, {"columns": ["customer_id"]}, {"columns": ["total"]}, {"columns": ["currency"]},
             {"columns": ["region"]}, {"columns": ["created_at"]}, {"columns": ["items"]}]""";

    private OrderView() {
    }
}
