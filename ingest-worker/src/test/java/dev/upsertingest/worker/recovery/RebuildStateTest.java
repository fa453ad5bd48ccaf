package dev.upsertingest.worker.recovery;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The enum and the column's check constraint know the same states, and every word maps back to its state. */
class RebuildStateTest {

    @Test
    void theStatesAreTheOnesTheControlSchemaAllows() throws IOException {
        String migration;
        try (InputStream in = getClass().getResourceAsStream("/db/migration/V5__crash_recovery.sql")) {
            assertThat(in).as("V5__crash_recovery.sql on the class path").isNotNull();
            migration = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher allowed = Pattern.compile("CHECK \\(state IN \\(([^)]*)\\)\\)").matcher(migration);
        assertThat(allowed.find()).isTrue();
        String[] words = Arrays.stream(allowed.group(1).split(",")).map(w -> w.strip().replace("'", "")).toArray(String[]::new);

        assertThat(Arrays.stream(RebuildState.values()).map(RebuildState::column)).containsExactlyInAnyOrder(words);
        for (RebuildState state : RebuildState.values()) {
            assertThat(RebuildState.ofColumn(state.column())).isEqualTo(state);
        }
        assertThatThrownBy(() -> RebuildState.ofColumn("paused")).hasMessageContaining("unknown rebuild state");
    }

    @Test
    void aRunningRebuildIsRewindingOrReplaying() {
        assertThat(RebuildState.columns(RebuildState.RUNNING)).containsExactly("rewinding", "replaying");
    }
}
