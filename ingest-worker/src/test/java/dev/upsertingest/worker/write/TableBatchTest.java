package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonPointer;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableBatchTest {

    private final EventParser parser = new EventParser(EventLimits.defaults());

    private static StreamDefinition stream(MergeMode mode, boolean versioned) {
        return new StreamDefinition("s", "s", "streams", "s", KeySource.VALUE,
                List.of(new KeyColumn("id", KeyType.TEXT, JsonPointer.compile("/id"))),
                versioned ? JsonPointer.compile("/v") : null, mode, Durability.UNLOGGED);
    }

    private TableBatch batch(StreamDefinition stream, String... events) {
        TableBatch batch = TableBatch.forStream(stream);
        for (int i = 0; i < events.length; i++) {
            if (events[i].startsWith("-")) {
                batch.delete(EventKey.of(events[i].substring(1)), i);
            } else {
                batch.add((ParsedEvent.Upsert) parser.parse(stream, null, events[i].getBytes(StandardCharsets.UTF_8)), i);
            }
        }
        return batch;
    }

    private List<String> upserts(TableBatch batch) {
        return batch.upserts(parser::toJson).stream().map(change -> change.json().asString()).toList();
    }

    @Test
    void replaceKeepsTheLastEventPerKeyInLockOrder() {
        TableBatch batch = batch(stream(MergeMode.REPLACE, false),
                "{\"id\":\"b\",\"n\":1}", "{\"id\":\"a\",\"n\":2}", "{\"id\":\"b\",\"n\":3}");
        assertThat(batch).isInstanceOf(LastWriteWinsBatch.class);
        assertThat(upserts(batch)).containsExactly("{\"id\":\"a\",\"n\":2}", "{\"id\":\"b\",\"n\":3}");
        assertThat(batch.events()).isEqualTo(3);
        assertThat(batch.collapsedEvents()).isEqualTo(1);
        assertThat(batch.deletes()).isEmpty();
    }

    @Test
    void aTombstoneLastDeletesAndAnUpsertAfterItReplaces() {
        TableBatch unversioned = batch(stream(MergeMode.REPLACE, false),
                "{\"id\":\"a\"}", "-a", "-b", "{\"id\":\"b\",\"back\":true}");
        assertThat(unversioned.deletes()).containsExactly(EventKey.of("a"));
        assertThat(upserts(unversioned)).containsExactly("{\"id\":\"b\",\"back\":true}");

        TableBatch versioned = batch(stream(MergeMode.REPLACE, true), "-b", "{\"id\":\"b\",\"v\":1}");
        assertThat(versioned.deletes()).as("the stored row's newer version must not block the re-created row")
                .containsExactly(EventKey.of("b"));
        assertThat(upserts(versioned)).containsExactly("{\"id\":\"b\",\"v\":1}");
    }

    @Test
    void olderVersionsInTheBatchAreDroppedAndTiesGoToTheLaterEvent() {
        TableBatch batch = batch(stream(MergeMode.REPLACE, true),
                "{\"id\":\"a\",\"v\":5}", "{\"id\":\"a\",\"v\":4}", "{\"id\":\"a\",\"v\":5,\"tie\":1}");
        assertThat(upserts(batch)).containsExactly("{\"id\":\"a\",\"v\":5,\"tie\":1}");
        assertThat(batch.staleEvents()).isEqualTo(1);
        assertThat(batch.collapsedEvents()).isEqualTo(1);
    }

    @Test
    void mergeFoldsEventsInOrderWithJsonbConcatenationSemantics() {
        TableBatch batch = batch(stream(MergeMode.MERGE, false),
                "{\"id\":\"a\",\"x\":1,\"o\":{\"p\":1,\"q\":1}}", "{\"id\":\"a\",\"o\":{\"p\":2},\"y\":null}", "{\"id\":\"a\",\"x\":3}");
        assertThat(batch).isInstanceOf(MergingBatch.class);
        assertThat(upserts(batch)).containsExactly("{\"id\":\"a\",\"x\":3,\"o\":{\"p\":2},\"y\":null}");
        RowChange change = batch.changes().getFirst();
        assertThat(change.sources()).containsExactly(0, 1, 2);
        assertThat(change.deleteFirst()).isFalse();
    }

    @Test
    void mergeAfterATombstoneStartsFromNothing() {
        TableBatch batch = batch(stream(MergeMode.MERGE, false), "{\"id\":\"a\",\"x\":1}", "-a", "{\"id\":\"a\",\"y\":2}");
        assertThat(batch.deletes()).containsExactly(EventKey.of("a"));
        assertThat(upserts(batch)).containsExactly("{\"id\":\"a\",\"y\":2}");
    }

    @Test
    void versionedMergeCarriesTheNewestVersion() {
        TableBatch batch = batch(stream(MergeMode.MERGE, true),
                "{\"id\":\"a\",\"v\":2,\"x\":1}", "{\"id\":\"a\",\"v\":1,\"old\":true}", "{\"id\":\"a\",\"v\":3,\"y\":1}");
        RowChange change = batch.upserts(parser::toJson).getFirst();
        assertThat(change.version()).isEqualTo(3L);
        assertThat(change.json().asString()).isEqualTo("{\"id\":\"a\",\"v\":3,\"x\":1,\"y\":1}");
        assertThat(batch.staleEvents()).isEqualTo(1);
    }
}
