package dev.upsertingest.ops;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which letters a selection takes: every part given must match; ranges that select nothing are refused. */
class DeadLetterSelectionTest {

    private static DeadLetter letter(int partition, long offset, String reason, String failedAt) {
        return new DeadLetter("orders.dlt", partition, offset, Instant.EPOCH, reason, null,
                failedAt == null ? null : Instant.parse(failedAt), "k", 10, false, "orders", 0, 1L, Map.of(), null, null);
    }

    @Test
    void everyPartGivenMustMatch() {
        DeadLetterSelection selection = new DeadLetterSelection(Set.of("key_too_long"), 1, 10L, 20L,
                Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"));
        assertThat(selection.matches(letter(1, 15, "key_too_long", "2026-12-01T10:30:00Z"))).isTrue();
        assertThat(selection.matches(letter(1, 15, "invalid_json", "2026-12-01T10:30:00Z"))).as("reason").isFalse();
        assertThat(selection.matches(letter(0, 15, "key_too_long", "2026-12-01T10:30:00Z"))).as("partition").isFalse();
        assertThat(selection.matches(letter(1, 21, "key_too_long", "2026-12-01T10:30:00Z"))).as("offset").isFalse();
        assertThat(selection.matches(letter(1, 10, "key_too_long", "2026-12-01T10:00:00Z"))).as("from inclusive").isTrue();
        assertThat(selection.matches(letter(1, 20, "key_too_long", "2026-12-01T11:00:00Z"))).as("until exclusive").isFalse();
        assertThat(selection.matches(letter(1, 20, "key_too_long", null))).as("no time: not in a time range").isFalse();
        assertThat(DeadLetterSelection.all().matches(letter(3, 0, "anything", null))).isTrue();
        assertThat(DeadLetterSelection.all().isEverything()).isTrue();
    }

    @Test
    void emptyRangesAndOffsetsWithoutAPartitionAreRefused() {
        assertThatThrownBy(() -> new DeadLetterSelection(Set.of(), 0, 5L, 4L, null, null)).hasMessageContaining("offset range is empty");
        assertThatThrownBy(() -> new DeadLetterSelection(Set.of(), null, 5L, null, null, null)).hasMessageContaining("needs its partition");
        Instant t = Instant.parse("2026-12-01T10:00:00Z");
        assertThatThrownBy(() -> new DeadLetterSelection(Set.of(), null, null, null, t, t)).hasMessageContaining("time range is empty");
    }

    @Test
    void aReplayRequestSaysAllOutLoud() {
        assertThatThrownBy(() -> new ReplayRequest(null, null, null, null, null, null, false, false, null).selection())
                .hasMessageContaining("all: true");
        assertThatThrownBy(() -> new ReplayRequest(List.of("invalid_json"), null, null, null, null, null, true, false, null).selection())
                .hasMessageContaining("all means every letter");
        assertThat(new ReplayRequest(null, null, null, null, null, null, true, true, null).selection().isEverything()).isTrue();
        assertThat(new ReplayRequest(null, null, null, null, null, null, true, true, null).listLimit()).isEqualTo(20);
    }
}
