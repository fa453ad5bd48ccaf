package dev.upsertingest.worker.write;

import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.InsertOnDuplicateStep;
import org.jooq.InsertValuesStepN;
import org.jooq.JSONB;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.table;
import static org.jooq.impl.DSL.val;

/**
 * All SQL that writes one stream table, rendered once per stream with jOOQ. Identifiers come from the stream catalog
 * (checked against the database at startup); values are always bind parameters, in the order the columns are listed:
 * key columns in key order, then {@code doc}, then {@code version} when the stream is versioned.
 *
 * <p>Every upsert ends in the same conflict clause: on a key that exists, replace the document (or merge into it
 * with {@code ||} in merge mode), but only if that changes it (no dead tuple, no WAL, for a replayed event) and only
 * if the stored version is not newer.
 */
public final class UpsertStatements {

    /** PostgreSQL's limit on bind parameters in one statement (the protocol counts them in 16 bits). */
    public static final int MAX_BIND_PARAMETERS = 32_767;

    private static final DSLContext DSL_CONTEXT = DSL.using(SQLDialect.POSTGRES,
            new Settings().withRenderFormatted(false).withExecuteLogging(false));
    private static final Name TARGET = name("t");
    private static final Name SOURCE = name("u");

    private final StreamDefinition stream;
    private final Table<Record> table;
    private final List<Field<Object>> columns = new ArrayList<>();
    private final List<Field<Object>> keyColumns = new ArrayList<>();
    private final List<DataType<?>> columnTypes = new ArrayList<>();
    private final Field<JSONB> doc = field(name("doc"), SQLDataType.JSONB);
    private final Field<Long> version = field(name("version"), SQLDataType.BIGINT);

    private final String unnestUpsert;
    private final String jsonbArrayUpsert;
    private final String deleteByKeys;
    private final String createStagingTable;
    private final String copyIntoStaging;
    private final String upsertFromStaging;

    public UpsertStatements(StreamDefinition stream) {
        this.stream = stream;
        this.table = table(name(stream.tableSchema(), stream.tableName()));
        for (KeyColumn key : stream.keyColumns()) {
            Field<Object> column = field(name(key.name()));
            columns.add(column);
            keyColumns.add(column);
            columnTypes.add(dataType(key.type()));
        }
        columns.add(field(name("doc")));
        columnTypes.add(SQLDataType.JSONB);
        if (stream.versioned()) {
            columns.add(field(name("version")));
            columnTypes.add(SQLDataType.BIGINT);
        }
        this.unnestUpsert = renderUnnestUpsert();
        this.jsonbArrayUpsert = renderJsonbArrayUpsert();
        this.deleteByKeys = renderDeleteByKeys();
        this.createStagingTable = renderCreateStagingTable();
        this.copyIntoStaging = renderCopyIntoStaging();
        this.upsertFromStaging = renderUpsertFromStaging();
    }

    public StreamDefinition stream() {
        return stream;
    }

    /** Bind parameters per row: the key columns, the document, and the version if any. */
    public int parametersPerRow() {
        return columns.size();
    }

    /** The most rows one multi-row statement may carry. */
    public int maxRowsPerStatement() {
        return MAX_BIND_PARAMETERS / parametersPerRow();
    }

    /**
     * {@code INSERT ... SELECT ... FROM unnest(...)}: one array parameter per column (the documents as {@code text[]},
     * cast to jsonb per row). The same statement, and plan, whatever the number of rows.
     */
    public String unnestUpsert() {
        return unnestUpsert;
    }

    /**
     * Like {@link #unnestUpsert()}, but the documents travel as one jsonb array ({@code [doc, doc, ...]}), which
     * needs no array-literal escaping on the client, and are split again with {@code jsonb_array_elements}.
     */
    public String jsonbArrayUpsert() {
        return jsonbArrayUpsert;
    }

    /** {@code INSERT ... VALUES (...), (...)} with {@code rows} rows of bind parameters. */
    public String valuesUpsert(int rows) {
        if (rows < 1 || rows > maxRowsPerStatement()) {
            throw new IllegalArgumentException("rows must be in 1.." + maxRowsPerStatement() + ", got " + rows);
        }
        InsertValuesStepN<Record> insert = DSL_CONTEXT.insertInto(table.as(TARGET), columns);
        for (int row = 0; row < rows; row++) {
            List<Field<?>> values = new ArrayList<>(columns.size());
            for (DataType<?> type : columnTypes) {
                values.add(type == SQLDataType.JSONB ? val(null, SQLDataType.CLOB).cast(SQLDataType.JSONB) : val(null, type));
            }
            insert = insert.values(values);
        }
        return DSL_CONTEXT.render(onConflict(insert));
    }

    /** {@code DELETE ... USING unnest(...)}: one array parameter per key column. */
    public String deleteByKeys() {
        return deleteByKeys;
    }

    /** Creates, once per session, the temporary table COPY loads; its rows disappear at commit. */
    public String createStagingTable() {
        return createStagingTable;
    }

    /** {@code COPY ... FROM STDIN} into the staging table, text format, columns in the usual order. */
    public String copyIntoStaging() {
        return copyIntoStaging;
    }

    /** Upserts everything staged by {@link #copyIntoStaging()}. */
    public String upsertFromStaging() {
        return upsertFromStaging;
    }

    /** Per-transaction settings, bound as parameters: {@code synchronous_commit}, then {@code statement_timeout}. */
    public static String transactionSettings() {
        return DSL_CONTEXT.render(select(
                DSL.function("set_config", String.class, DSL.inline("synchronous_commit"), val(null, String.class), DSL.inline(true)),
                DSL.function("set_config", String.class, DSL.inline("statement_timeout"), val(null, String.class), DSL.inline(true))));
    }

    private String renderUnnestUpsert() {
        List<Field<?>> arrays = new ArrayList<>();
        for (DataType<?> type : columnTypes) {
            arrays.add(val(null, (type == SQLDataType.JSONB ? SQLDataType.CLOB : type).getArrayDataType()));
        }
        Table<?> source = table("unnest(" + placeholders(arrays.size()) + ")", arrays.toArray()).as("u", sourceColumnNames());
        return DSL_CONTEXT.render(onConflict(DSL_CONTEXT.insertInto(table.as(TARGET), columns).select(
                select(sourceFields(true)).from(source))));
    }

    private String renderJsonbArrayUpsert() {
        List<Field<?>> functions = new ArrayList<>();
        for (DataType<?> type : columnTypes) {
            functions.add(type == SQLDataType.JSONB
                    ? DSL.function("jsonb_array_elements", SQLDataType.JSONB, val(null, SQLDataType.JSONB))
                    : DSL.function("unnest", type, val(null, type.getArrayDataType())));
        }
        Table<?> source = table("rows from (" + placeholders(functions.size()) + ")", functions.toArray())
                .as("u", sourceColumnNames());
        return DSL_CONTEXT.render(onConflict(DSL_CONTEXT.insertInto(table.as(TARGET), columns).select(
                select(sourceFields(false)).from(source))));
    }

    private String renderDeleteByKeys() {
        List<Field<?>> arrays = new ArrayList<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            arrays.add(val(null, columnTypes.get(i).getArrayDataType()));
        }
        String[] names = sourceColumnNames();
        Table<?> source = table("unnest(" + placeholders(arrays.size()) + ")", arrays.toArray())
                .as("u", List.of(names).subList(0, keyColumns.size()).toArray(String[]::new));
        Condition sameKey = DSL.noCondition();
        for (int i = 0; i < keyColumns.size(); i++) {
            sameKey = sameKey.and(field(name(TARGET.last(), keyColumns.get(i).getName()))
                    .eq(field(name(SOURCE.last(), names[i]))));
        }
        return DSL_CONTEXT.render(DSL_CONTEXT.deleteFrom(table.as(TARGET)).using(source).where(sameKey));
    }

    private Table<Record> stagingTable() {
        return table(name("pg_temp", "ingest_stage_" + stream.name()));
    }

    private String renderCreateStagingTable() {
        // LIKE copies the column types; the staging table is temporary, so it is private to the session.
        return "create temporary table if not exists " + DSL_CONTEXT.render(name("ingest_stage_" + stream.name()))
                + " (like " + DSL_CONTEXT.render(table) + " including defaults) on commit delete rows";
    }

    private String renderCopyIntoStaging() {
        List<String> names = columns.stream().map(f -> DSL_CONTEXT.render(f.getUnqualifiedName())).toList();
        return "copy " + DSL_CONTEXT.render(stagingTable()) + " (" + String.join(", ", names) + ") from stdin";
    }

    private String renderUpsertFromStaging() {
        return DSL_CONTEXT.render(onConflict(DSL_CONTEXT.insertInto(table.as(TARGET), columns)
                .select(select(columns).from(stagingTable()))));
    }

    private <R extends Record> org.jooq.Query onConflict(InsertOnDuplicateStep<R> insert) {
        Field<JSONB> stored = field(name(TARGET.last(), "doc"), SQLDataType.JSONB);
        Field<JSONB> newDoc = stream.mergeMode() == MergeMode.MERGE
                ? DSL.field("({0} || {1})", SQLDataType.JSONB, stored, excluded(doc))
                : excluded(doc);
        Map<Field<?>, Field<?>> set = new LinkedHashMap<>();
        set.put(doc, newDoc);
        Condition changes = newDoc.isDistinctFrom(stored);
        if (stream.versioned()) {
            set.put(version, excluded(version));
            changes = changes.and(field(name(TARGET.last(), "version"), SQLDataType.BIGINT).le(excluded(version)));
        }
        Field<Object> updatedAt = field(name("updated_at"));
        set.put(updatedAt, excluded(updatedAt));
        return insert.onConflict(keyColumns).doUpdate().set(set).where(changes);
    }

    private String[] sourceColumnNames() {
        String[] names = new String[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            names[i] = i < keyColumns.size() ? "k" + i : columns.get(i).getName();
        }
        return names;
    }

    private List<Field<?>> sourceFields(boolean castDocument) {
        List<Field<?>> fields = new ArrayList<>();
        String[] names = sourceColumnNames();
        for (int i = 0; i < names.length; i++) {
            Field<Object> f = field(name(SOURCE.last(), names[i]));
            fields.add(castDocument && columnTypes.get(i) == SQLDataType.JSONB ? f.cast(SQLDataType.JSONB) : f);
        }
        return fields;
    }

    private static DataType<?> dataType(KeyType type) {
        return switch (type) {
            case TEXT -> SQLDataType.CLOB; // renders as text
            case BIGINT -> SQLDataType.BIGINT;
            case INTEGER -> SQLDataType.INTEGER;
            case UUID -> SQLDataType.UUID;
        };
    }

    private static String placeholders(int count) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sql.append(i == 0 ? "" : ", ").append('{').append(i).append('}');
        }
        return sql.toString();
    }
}
