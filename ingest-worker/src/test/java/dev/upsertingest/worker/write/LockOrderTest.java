package dev.upsertingest.worker.write;

import dev.upsertingest.core.event.EventKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class LockOrderTest {

    @Test
    void theOrderDependsOnTheKeysOnlyNotOnTheOrderTheyArrivedIn() {
        List<EventKey> keys = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            keys.add(EventKey.of("order-" + i, (long) i % 7, UUID.nameUUIDFromBytes(new byte[]{(byte) i})));
        }
        List<EventKey> first = LockOrder.sort(keys, k -> k);
        Collections.shuffle(keys, new Random(1));
        assertThat(LockOrder.sort(keys, k -> k)).containsExactlyElementsOf(first);
        assertThat(first).hasSize(5_000).doesNotHaveDuplicates();
    }

    @Test
    void keysWithEqualHashesAreOrderedByValue() {
        // "Aa" and "BB" have the same String hash code, so their single-value lists do too.
        assertThat(List.of("Aa").hashCode()).isEqualTo(List.of("BB").hashCode());
        List<EventKey> keys = List.of(EventKey.of("BB"), EventKey.of("x"), EventKey.of("Aa"));
        List<EventKey> sorted = LockOrder.sort(keys, k -> k);
        assertThat(sorted.indexOf(EventKey.of("Aa"))).isEqualTo(sorted.indexOf(EventKey.of("BB")) - 1);
        assertThat(LockOrder.sort(List.of(EventKey.of("Aa"), EventKey.of("x"), EventKey.of("BB")), k -> k)).isEqualTo(sorted);
    }

    @Test
    void theOrderIsTheSameOnEveryJvm() {
        // List.hashCode and String.hashCode are specified, so this order is fixed; a change here would let replicas on
        // different versions lock rows in different orders.
        assertThat(LockOrder.sort(List.of(EventKey.of("b"), EventKey.of("c"), EventKey.of("a")), k -> k))
                .containsExactly(EventKey.of("a"), EventKey.of("b"), EventKey.of("c"));
        assertThat(LockOrder.sort(List.of(EventKey.of(-1L), EventKey.of(5L), EventKey.of(0L)), k -> k))
                .containsExactly(EventKey.of(-1L), EventKey.of(0L), EventKey.of(5L)); // -1 and 0 hash alike: by value
    }
}
