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

    @Test
    void replaceCountsEveryEventButTheLastOfItsKeyAsSuperseded() {
        TableBatch batch = batch(stream(MergeMode.REPLACE, false),
                "{\"id\":\"a\",\"n\":1}", "{\"id\":\"a\",\"n\":2}", "{\"id\":\"b\"}", "-b", "-c", "{\"id\":\"c\"}");
        // a: 1 superseded by 2; b: the upsert superseded by its tombstone; c: the tombstone superseded by the upsert.
        assertThat(batch.rows()).isEqualTo(3);
        assertThat(batch.supersededEvents()).isEqualTo(3);
        assertThat(batch.mergedEvents()).isZero();
        assertThat(batch.isBalanced()).isTrue();
    }

    @Test
    void mergeCountsFoldedEventsAsMergedUntilATombstoneSupersedesThemAll() {
        TableBatch merged = batch(stream(MergeMode.MERGE, false), "{\"id\":\"a\",\"x\":1}", "{\"id\":\"a\",\"y\":2}",
                "{\"id\":\"a\",\"z\":3}");
        assertThat(merged.mergedEvents()).isEqualTo(2);
        assertThat(merged.supersededEvents()).isZero();

        // Two upserts merged, then a tombstone drops both, then the row starts over.
        TableBatch dropped = batch(stream(MergeMode.MERGE, false), "{\"id\":\"a\",\"x\":1}", "{\"id\":\"a\",\"y\":2}",
                "-a", "{\"id\":\"a\",\"z\":3}");
        assertThat(dropped.mergedEvents()).isZero();
        assertThat(dropped.supersededEvents()).as("both upserts and the tombstone").isEqualTo(3);
        assertThat(dropped.rows()).isEqualTo(1);

        // A tombstone first, then two upserts merged after it, then another tombstone.
        TableBatch again = batch(stream(MergeMode.MERGE, false), "-a", "{\"id\":\"a\",\"x\":1}",
                "{\"id\":\"a\",\"y\":2}", "-a");
        assertThat(again.mergedEvents()).isZero();
        assertThat(again.supersededEvents()).isEqualTo(3);
        assertThat(again.deletes()).containsExactly(EventKey.of("a"));
        assertThat(List.of(merged, dropped, again)).allMatch(TableBatch::isBalanced);
    }

    @Test
    void staleEventsAreCountedApartFromSupersededOnes() {
        TableBatch batch = batch(stream(MergeMode.MERGE, true),
                "{\"id\":\"a\",\"v\":2}", "{\"id\":\"a\",\"v\":1}", "{\"id\":\"a\",\"v\":3}", "-a", "{\"id\":\"a\",\"v\":1}");
        // v1 is stale after v2; v2 and v3 merge, the tombstone supersedes both, the last v1 starts the row over.
        assertThat(batch.staleEvents()).isEqualTo(1);
        assertThat(batch.supersededEvents()).isEqualTo(3);
        assertThat(batch.mergedEvents()).isZero();
        assertThat(batch.rows()).isEqualTo(1);
        assertThat(batch.isBalanced()).isTrue();
    }

    /** Whatever the sequence, every event is a row's change, superseded, merged or stale: exactly one of them. */
    @Test
    void everyRandomSequenceOfEventsIsAccountedForExactlyOnce() {
        java.util.Random random = new java.util.Random(13);
        for (MergeMode mode : MergeMode.values()) {
            for (boolean versioned : new boolean[]{false, true}) {
                StreamDefinition stream = stream(mode, versioned);
                for (int round = 0; round < 300; round++) {
                    int length = 1 + random.nextInt(12);
                    String[] events = new String[length];
                    for (int i = 0; i < length; i++) {
                        String key = "k" + random.nextInt(3);
                        events[i] = random.nextInt(4) == 0 ? "-" + key
                                : "{\"id\":\"" + key + "\",\"v\":" + random.nextInt(4) + ",\"f" + random.nextInt(3) + "\":1}";
                    }
                    TableBatch batch = batch(stream, events);
                    assertThat(batch.isBalanced()).as("%s versioned=%s %s", mode, versioned, List.of(events)).isTrue();
                    assertThat(batch.supersededEvents()).isNotNegative();
                    assertThat(batch.mergedEvents()).isNotNegative();
                    if (mode == MergeMode.REPLACE) {
                        assertThat(batch.mergedEvents()).isZero();
                    }
                }
            }
        }
    }
}
