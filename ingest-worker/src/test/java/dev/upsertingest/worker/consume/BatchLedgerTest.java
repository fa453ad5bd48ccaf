package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.worker.write.TableWriteResult;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BatchLedgerTest {

    private static BatchLedger consumed(String stream, int records) {
        BatchLedger ledger = new BatchLedger();
        for (int i = 0; i < records; i++) {
            ledger.consumed(stream);
        }
        return ledger;
    }

    @Test
    void everyEventOfABatchEndsAsExactlyOneOutcome() {
        BatchLedger ledger = consumed("orders", 9);
        ledger.deadLettered("orders", RejectReason.MISSING_KEY);
        ledger.deadLettered("orders", RejectReason.INVALID_JSON);
        // 7 written: 1 superseded, 1 stale, 1 tombstone, 4 upserts of which the table changed 3.
        ledger.written(new TableWriteResult("orders", 7, 1, 0, 1, 1, 4, 3, 0));

        BatchLedger.Tally tally = ledger.tallies().get("orders");
        assertThat(tally.outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EventOutcome.CHANGED, 3L, EventOutcome.UNCHANGED, 1L, EventOutcome.DELETED, 1L,
                EventOutcome.SUPERSEDED, 1L, EventOutcome.STALE_VERSION, 1L,
                EventOutcome.deadLettered(RejectReason.MISSING_KEY), 1L, EventOutcome.deadLettered(RejectReason.INVALID_JSON), 1L));
        assertThat(tally.count(EventOutcome.Outcome.APPLIED)).isEqualTo(4);
        assertThat(tally.count(EventOutcome.Outcome.DEAD_LETTERED)).isEqualTo(2);
        assertThat(tally.count(EventOutcome.Outcome.IGNORED)).isEqualTo(3);
        assertThat(ledger.imbalances()).isEmpty();
    }

    @Test
    void aBatchSplitOnADataErrorIsAccountedOverItsWritesAndTheRefusedEvent() {
        BatchLedger ledger = consumed("payments", 5);
        ledger.written(new TableWriteResult("payments", 2, 0, 0, 0, 0, 2, 2, 0));
        ledger.written(new TableWriteResult("payments", 1, 0, 0, 0, 0, 1, 0, 0));
        ledger.written(new TableWriteResult("payments", 1, 0, 0, 0, 0, 1, 1, 0));
        ledger.deadLettered("payments", RejectReason.DATABASE_REJECTED);

        assertThat(ledger.tallies().get("payments").outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EventOutcome.CHANGED, 3L, EventOutcome.UNCHANGED, 1L, EventOutcome.deadLettered(RejectReason.DATABASE_REJECTED), 1L));
        assertThat(ledger.imbalances()).isEmpty();
    }

    @Test
    void mergedEventsAreIgnoredAndTheirRowCarriesTheOutcome() {
        BatchLedger ledger = consumed("profiles", 4);
        ledger.written(new TableWriteResult("profiles", 4, 1, 2, 0, 0, 1, 1, 1));

        assertThat(ledger.tallies().get("profiles").outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EventOutcome.CHANGED, 1L, EventOutcome.MERGED, 2L, EventOutcome.SUPERSEDED, 1L));
        assertThat(ledger.imbalances()).isEmpty();
    }

    @Test
    void upsertsOfAWriteMethodThatCannotCountChangedRowsAreAppliedUnverified() {
        BatchLedger ledger = consumed("items", 3);
        ledger.written(new TableWriteResult("items", 3, 0, 0, 0, 1, 2, -1, 1));

        assertThat(ledger.tallies().get("items").outcomes()).containsExactlyInAnyOrderEntriesOf(Map.of(
                EventOutcome.UNVERIFIED, 2L, EventOutcome.DELETED, 1L));
        assertThat(ledger.imbalances()).isEmpty();
    }

    @Test
    void streamsAreAccountedSeparately() {
        BatchLedger ledger = consumed("a", 2);
        ledger.consumed("b");
        ledger.written(new TableWriteResult("a", 2, 1, 0, 0, 0, 1, 1, 0));
        ledger.deadLettered("b", RejectReason.NOT_AN_OBJECT);

        assertThat(ledger.tallies()).containsOnlyKeys("a", "b");
        assertThat(ledger.tallies().get("b").accounted()).isEqualTo(1);
        assertThat(ledger.imbalances()).isEmpty();
    }

    @Test
    void anEventNobodyAccountedForIsAnImbalance() {
        BatchLedger ledger = consumed("orders", 3);
        ledger.written(new TableWriteResult("orders", 2, 0, 0, 0, 0, 2, 2, 0));

        assertThat(ledger.imbalances()).singleElement().satisfies(imbalance -> {
            assertThat(imbalance.stream()).isEqualTo("orders");
            assertThat(imbalance.problem()).contains("consumed 3", "accounted 2");
        });
    }

    @Test
    void aWriteThatChangedMoreRowsThanItSentIsAnImbalance() {
        BatchLedger ledger = consumed("orders", 2);
        ledger.written(new TableWriteResult("orders", 2, 0, 0, 0, 0, 2, 3, 0));

        assertThat(ledger.imbalances()).extracting(BatchLedger.Imbalance::problem)
                .anySatisfy(p -> assertThat(p).contains("does not account for its events"))
                .anySatisfy(p -> assertThat(p).contains("negative count of ignored/unchanged"));
    }

    @Test
    void aWriteResultThatLosesAnEventIsAnImbalanceEvenIfTheTotalsHappenToMatch() {
        BatchLedger ledger = consumed("orders", 2);
        // Claims 3 events but accounts for 2 of them: the result itself is wrong.
        ledger.written(new TableWriteResult("orders", 3, 0, 0, 0, 0, 2, 2, 0));

        assertThat(ledger.imbalances()).singleElement()
                .satisfies(imbalance -> assertThat(imbalance.problem()).contains("does not account for its events"));
    }
}
