package dev.upsertingest.worker.consume;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CommittedOffsetLagTest {

    private static final TopicPartition O0 = new TopicPartition("orders", 0);
    private static final TopicPartition O1 = new TopicPartition("orders", 1);
    private static final TopicPartition I0 = new TopicPartition("items", 0);

    @Test
    void lagIsTheEndMinusTheCommittedOffsetSummedPerStream() {
        Map<String, Long> lag = CommittedOffsetLag.lag(
                Map.of("orders", List.of(O0, O1), "items", List.of(I0)),
                Map.of(O0, 100L, O1, 50L, I0, 7L),
                Map.of(O0, 90L, O1, 50L, I0, 7L),
                Map.of());

        assertThat(lag).containsExactlyInAnyOrderEntriesOf(Map.of("orders", 10L, "items", 0L));
    }

    @Test
    void aPartitionWithoutACommittedOffsetLagsFromItsBeginning() {
        Map<String, Long> lag = CommittedOffsetLag.lag(Map.of("orders", List.of(O0, O1)),
                Map.of(O0, 100L, O1, 50L), Map.of(O0, 100L), Map.of(O1, 20L));

        assertThat(lag).containsEntry("orders", 30L);
    }

    @Test
    void aCommittedOffsetPastTheEndIsNoNegativeLag() {
        // The end offsets are read after the committed ones; a partition can also have been truncated.
        assertThat(CommittedOffsetLag.lag(Map.of("orders", List.of(O0)), Map.of(O0, 10L), Map.of(O0, 12L), Map.of()))
                .containsEntry("orders", 0L);
    }
}
