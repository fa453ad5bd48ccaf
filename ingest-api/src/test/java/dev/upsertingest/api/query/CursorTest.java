package dev.upsertingest.api.query;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorTest {

    @Test
    void roundTripsIncludingNullSortValuesAndCompositeKeys() {
        for (Cursor cursor : List.of(new Cursor("-total", "12.50", List.of("o-1")), new Cursor("", null, List.of("acme", "2")),
                new Cursor("created_at", null, Arrays.asList("a\"b", "é")))) {
            String encoded = cursor.encode();
            assertThat(encoded).matches("[A-Za-z0-9_-]+");
            assertThat(Cursor.decode(encoded)).isEqualTo(cursor);
        }
    }

    @Test
    void anythingElseIsABadQuery() {
        for (String bad : List.of("garbage!", "e30", "bm90IGpzb24")) {
            assertThatThrownBy(() -> Cursor.decode(bad)).isInstanceOf(BadQueryException.class);
        }
    }
}
