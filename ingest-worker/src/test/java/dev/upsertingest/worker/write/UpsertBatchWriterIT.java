package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamCatalogRepository;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every write method against a real PostgreSQL: same rows, whatever the method. */
class UpsertBatchWriterIT {

    private final EventParser parser = new EventParser(EventLimits.defaults());

    private record Fixture(TestDatabase db, StreamCatalog catalog, UpsertBatchWriter writer) {
        StreamDefinition stream(String name) {
            return catalog.byName(name).orElseThrow();
        }

        Map<String, String> docs(String table, String keyColumn) {
            Map<String, String> docs = new LinkedHashMap<>();
            db.query("select " + keyColumn + "::text as k, doc::text as d from streams." + table + " order by 1")
                    .forEach(row -> docs.put((String) row.get("k"), (String) row.get("d")));
            return docs;
        }
    }

    private Fixture fixture(WriteMethod method) {
        TestDatabase db = TestInfrastructure.migratedDatabase("writer_" + method.name());
        db.execute("""
                select ingest.declare_stream('plain', 'plain', '[{"name": "id", "type": "text", "pointer": "/id"}]');
                select ingest.declare_stream('versioned', 'versioned', '[{"name": "id", "type": "bigint", "pointer": "/id"}]',
                                             version_pointer => '/v');
                select ingest.declare_stream('merged', 'merged',
                    '[{"name": "tenant", "type": "uuid", "pointer": "/tenant"}, {"name": "n", "type": "integer", "pointer": "/n"}]',
                    merge_mode => 'merge', durability => 'logged');
                """);
        StreamCatalog catalog = new StreamCatalogRepository(DSL.using(db.dataSource(), SQLDialect.POSTGRES)).load();
        PGSimpleDataSource dataSource = (PGSimpleDataSource) db.dataSource();
        dataSource.setReWriteBatchedInserts(true);
        UpsertBatchWriter writer = new UpsertBatchWriter(dataSource,
                new WriteSettings(method, WriteSettings.SynchronousCommit.OFF, WriteSettings.SynchronousCommit.OFF, Duration.ofSeconds(30)), parser::toJson);
        return new Fixture(db, catalog, writer);
    }

    /** Parses events ("key|json", or "key|" for a tombstone) into one table batch and writes it. */
    private List<TableWriteResult> write(Fixture f, String stream, String... events) throws SQLException {
        StreamDefinition definition = f.stream(stream);
        TableBatch batch = TableBatch.forStream(definition);
        for (int i = 0; i < events.length; i++) {
            String[] parts = events[i].split("\\|", 2);
            byte[] value = parts[1].isEmpty() ? null : parts[1].getBytes(StandardCharsets.UTF_8);
            ParsedEvent event = parser.parse(definition, parts[0].getBytes(StandardCharsets.UTF_8), value);
            switch (event) {
                case ParsedEvent.Upsert upsert -> batch.add(upsert, i);
                case ParsedEvent.Delete delete -> batch.delete(delete.key(), i);
                case ParsedEvent.Rejected rejected -> throw new AssertionError(events[i] + ": " + rejected.detail());
            }
        }
        return f.writer().write(List.of(batch));
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void duplicateKeysInABatchCollapseToTheLastEvent(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add("|{\"id\": \"k" + (i % 700) + "\", \"seq\": " + i + "}");
        }
        TableWriteResult result = write(f, "plain", events.toArray(String[]::new)).getFirst();

        assertThat(result.upserts()).isEqualTo(700);
        assertThat(result.collapsed()).isEqualTo(2300);
        Map<String, String> docs = f.docs("plain", "id");
        assertThat(docs).hasSize(700);
        assertThat(docs.get("k5")).isEqualTo("{\"id\": \"k5\", \"seq\": 2805}");
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void documentsArriveIntactWhateverTheyHold(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        String tricky = "{\"id\": \"\u00e9t\u00e9 \u20ac \ud83d\ude00\", \"q\": \"a \\\"quoted\\\" \\\\ back\\\\slash\", "
                + "\"braces\": \"{,}\", \"tab\": \"\\t\", \"esc\": \"\\u00e9\"}";
        write(f, "plain", "|" + tricky, "|{\"id\": \"plain\"}");
        Map<String, String> docs = f.docs("plain", "id");
        assertThat(docs).containsOnlyKeys("\u00e9t\u00e9 \u20ac \ud83d\ude00", "plain");
        assertThat(f.db().query("select doc = ?::jsonb as same from streams.plain where id = ?",
                tricky, "\u00e9t\u00e9 \u20ac \ud83d\ude00").getFirst().get("same")).isEqualTo(true);
    }

    @org.junit.jupiter.api.Test
    void theTextFormOfAByteArrayParameterIsAValidArrayLiteral() throws SQLException {
        TestDatabase db = TestInfrastructure.migratedDatabase("writer_text_array");
        byte[][] elements = {"{\"a\": \"x \\\"y\\\" \\\\\"}".getBytes(StandardCharsets.UTF_8),
                "\u00e9,{}".getBytes(StandardCharsets.UTF_8), new byte[0]};
        Utf8TextArray array = new Utf8TextArray(elements);
        List<Map<String, Object>> rows = db.query("select e from unnest(?::text[]) with ordinality as t(e, n) order by n", array.getValue());
        assertThat(rows).extracting(row -> row.get("e")).containsExactly(
                new String(elements[0], StandardCharsets.UTF_8), new String(elements[1], StandardCharsets.UTF_8), "");
        byte[] binary = new byte[array.lengthInBytes()];
        array.toBytes(binary, 0);
        assertThat(binary).hasSize(20 + 3 * 4 + elements[0].length + elements[1].length);
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void anUnchangedDocumentIsNotRewritten(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        write(f, "plain", "|{\"id\": \"a\", \"x\": 1}", "|{\"id\": \"b\", \"x\": 1}");
        Object before = f.db().query("select xmin::text as x from streams.plain where id = 'a'").getFirst().get("x");

        TableWriteResult again = write(f, "plain", "|{\"x\": 1, \"id\": \"a\"}", "|{\"id\": \"b\", \"x\": 2}").getFirst();

        if (again.changed() >= 0) {
            assertThat(again.changed()).isEqualTo(1);
            assertThat(again.unchanged()).isEqualTo(1);
        }
        assertThat(f.db().query("select xmin::text as x from streams.plain where id = 'a'").getFirst().get("x"))
                .as("a document equal as jsonb is not written again").isEqualTo(before);
        assertThat(f.docs("plain", "id").get("b")).isEqualTo("{\"x\": 2, \"id\": \"b\"}");
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void olderVersionsNeverOverwriteNewerOnes(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        write(f, "versioned", "|{\"id\": 1, \"v\": 5}", "|{\"id\": 2, \"v\": 1}");
        TableWriteResult result = write(f, "versioned",
                "|{\"id\": 1, \"v\": 3}",                          // older than the table's: ignored
                "|{\"id\": 2, \"v\": 9}", "|{\"id\": 2, \"v\": 8}",  // newest in the batch wins
                "|{\"id\": 3, \"v\": 2}", "|{\"id\": 3, \"v\": 2, \"again\": true}").getFirst(); // a tie: the later

        assertThat(result.stale()).isEqualTo(1);
        assertThat(f.docs("versioned", "id")).containsExactly(
                Map.entry("1", "{\"v\": 5, \"id\": 1}"),
                Map.entry("2", "{\"v\": 9, \"id\": 2}"),
                Map.entry("3", "{\"v\": 2, \"id\": 3, \"again\": true}"));
        assertThat(f.db().count("select count(*) from streams.versioned where version = (doc->>'v')::bigint")).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void tombstonesDeleteAndARecreatedKeyStartsOver(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        write(f, "versioned", "|{\"id\": 1, \"v\": 5}", "|{\"id\": 2, \"v\": 5}", "|{\"id\": 3, \"v\": 5}");
        TableWriteResult result = write(f, "versioned",
                "1|",                                       // deleted
                "2|", "|{\"id\": 2, \"v\": 1}",             // deleted, then re-created at an older version
                "|{\"id\": 4, \"v\": 1}", "4|").getFirst(); // created and deleted in one batch

        assertThat(result.deleted()).isEqualTo(2);
        assertThat(f.docs("versioned", "id")).containsExactly(
                Map.entry("2", "{\"v\": 1, \"id\": 2}"),
                Map.entry("3", "{\"v\": 5, \"id\": 3}"));
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void mergeModeMergesTopLevelFieldsInOrder(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        String t = "6f1c1c6e-6c1a-4c59-9d1e-0a0b0c0d0e0f";
        write(f, "merged", "|{\"tenant\": \"" + t + "\", \"n\": 1, \"a\": 1, \"b\": {\"x\": 1, \"y\": 1}}",
                "|{\"tenant\": \"" + t + "\", \"n\": 2, \"gone\": true}");
        write(f, "merged",
                "|{\"tenant\": \"" + t + "\", \"n\": 1, \"b\": {\"x\": 2}}",
                "|{\"tenant\": \"" + t + "\", \"n\": 1, \"c\": 1.50, \"a\": null}",
                "[\"" + t + "\", 2]|",
                "|{\"tenant\": \"" + t + "\", \"n\": 2, \"fresh\": true}");

        Map<String, String> docs = new LinkedHashMap<>();
        f.db().query("select n, doc::text as d from streams.merged order by n").forEach(r -> docs.put(r.get("n").toString(), (String) r.get("d")));
        assertThat(docs).containsExactly(
                Map.entry("1", "{\"a\": null, \"b\": {\"x\": 2}, \"c\": 1.50, \"n\": 1, \"tenant\": \"" + t + "\"}"),
                Map.entry("2", "{\"n\": 2, \"fresh\": true, \"tenant\": \"" + t + "\"}"));
    }

    @ParameterizedTest
    @EnumSource(WriteMethod.class)
    void awkwardTextSurvivesEveryEncoding(WriteMethod method) throws SQLException {
        Fixture f = fixture(method);
        String json = "{\n\t\"id\": \"q\\\"uote\\\\ \\t tab\",\n  \"s\": \"line\\nbreak \\\\N \\u00e9 \u00e9 \\ud83d\\ude00 {x,y}\"\n}";
        write(f, "plain", "|" + json);

        String expected = (String) f.db().query("select '" + json.replace("'", "''") + "'::jsonb::text as d").getFirst().get("d");
        assertThat(f.db().query("select id, doc::text as d from streams.plain")).singleElement().satisfies(row -> {
            assertThat(row.get("id")).isEqualTo("q\"uote\\ \t tab");
            assertThat(row.get("d")).isEqualTo(expected);
        });
    }
}
