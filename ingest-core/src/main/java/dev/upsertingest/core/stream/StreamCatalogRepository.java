package dev.upsertingest.core.stream;

import dev.upsertingest.schema.tables.records.StreamKeyColumnRecord;
import dev.upsertingest.schema.tables.records.StreamRecord;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.Result;
import tools.jackson.core.JsonPointer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static dev.upsertingest.schema.Tables.STREAM;
import static dev.upsertingest.schema.Tables.STREAM_KEY_COLUMN;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

/**
 * Reads the stream registry and checks each registered table against the database catalog, so that every identifier
 * the write path renders into SQL comes from the catalog and names a column that really exists with the right type.
 */
public final class StreamCatalogRepository {

    private final DSLContext dsl;

    public StreamCatalogRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Loads all streams; fails with every problem found when a table does not match its registration. */
    public StreamCatalog load() {
        Map<String, Result<StreamKeyColumnRecord>> keyColumns = dsl.selectFrom(STREAM_KEY_COLUMN)
                .orderBy(STREAM_KEY_COLUMN.STREAM, STREAM_KEY_COLUMN.POSITION)
                .fetchGroups(STREAM_KEY_COLUMN.STREAM);
        List<StreamDefinition> streams = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (StreamRecord row : dsl.selectFrom(STREAM).orderBy(STREAM.NAME).fetch()) {
            StreamDefinition stream = toDefinition(row, keyColumns.containsKey(row.getName()) ? keyColumns.get(row.getName()) : List.of());
            problems.addAll(tableProblems(stream));
            streams.add(stream);
        }
        if (!problems.isEmpty()) {
            throw new StreamCatalogException("The stream registry does not match the database:\n  - "
                    + String.join("\n  - ", problems));
        }
        return new StreamCatalog(streams);
    }

    private static StreamDefinition toDefinition(StreamRecord row, List<StreamKeyColumnRecord> keyRows) {
        List<KeyColumn> keys = keyRows.stream()
                .map(k -> new KeyColumn(k.getColumnName(), KeyType.fromSqlName(k.getColumnType()),
                        k.getJsonPointer() == null ? null : JsonPointer.compile(k.getJsonPointer())))
                .toList();
        return new StreamDefinition(
                row.getName(),
                row.getTopic(),
                row.getTableSchema(),
                row.getTableName(),
                KeySource.valueOf(row.getKeySource().toUpperCase(Locale.ROOT)),
                keys,
                row.getVersionPointer() == null ? null : JsonPointer.compile(row.getVersionPointer()),
                MergeMode.valueOf(row.getMergeMode().toUpperCase(Locale.ROOT)),
                Durability.valueOf(row.getDurability().toUpperCase(Locale.ROOT)));
    }

    private List<String> tableProblems(StreamDefinition stream) {
        Result<Record2<String, String>> columns = dsl
                .select(field(name("a", "attname"), String.class),
                        field("format_type(a.atttypid, a.atttypmod)", String.class))
                .from(table(name("pg_catalog", "pg_class")).as("c"))
                .join(table(name("pg_catalog", "pg_namespace")).as("n"))
                .on(field(name("n", "oid")).eq(field(name("c", "relnamespace"))))
                .join(table(name("pg_catalog", "pg_attribute")).as("a"))
                .on(field(name("a", "attrelid")).eq(field(name("c", "oid")))
                        .and(field(name("a", "attnum"), Integer.class).gt(0))
                        .and(field(name("a", "attisdropped"), Boolean.class).isFalse()))
                .where(field(name("n", "nspname"), String.class).eq(stream.tableSchema())
                        .and(field(name("c", "relname"), String.class).eq(stream.tableName())))
                .fetch();
        String table = stream.tableSchema() + "." + stream.tableName();
        if (columns.isEmpty()) {
            return List.of("stream " + stream.name() + ": table " + table + " does not exist");
        }
        Map<String, String> actual = new LinkedHashMap<>();
        columns.forEach(c -> actual.put(c.value1(), c.value2()));
        Map<String, String> expected = new LinkedHashMap<>();
        stream.keyColumns().forEach(k -> expected.put(k.name(), k.type().sqlName()));
        expected.put("doc", "jsonb");
        expected.put("updated_at", "timestamp with time zone");
        if (stream.versioned()) {
            expected.put("version", "bigint");
        }
        List<String> problems = new ArrayList<>();
        expected.forEach((column, type) -> {
            String found = actual.get(column);
            if (found == null) {
                problems.add("stream " + stream.name() + ": table " + table + " has no column " + column);
            } else if (!found.equals(type)) {
                problems.add("stream " + stream.name() + ": " + table + "." + column + " is " + found + ", expected " + type);
            }
        });
        return problems;
    }
}
