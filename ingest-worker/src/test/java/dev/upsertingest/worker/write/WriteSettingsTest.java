package dev.upsertingest.worker.write;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonPointer;

import java.time.Duration;
import java.util.List;

import static dev.upsertingest.worker.write.WriteSettings.SynchronousCommit.OFF;
import static dev.upsertingest.worker.write.WriteSettings.SynchronousCommit.ON;
import static org.assertj.core.api.Assertions.assertThat;

class WriteSettingsTest {

    private static final WriteSettings DEFAULTS = new WriteSettings(WriteMethod.UNNEST, OFF, ON, Duration.ofSeconds(60));

    @Test
    void batchesOfUnloggedTablesOnlyDoNotWaitForTheFlush() {
        assertThat(DEFAULTS.synchronousCommitFor(List.of(stream("a", Durability.UNLOGGED), stream("b", Durability.UNLOGGED))))
                .isEqualTo(OFF);
    }

    @Test
    void aBatchThatWritesALoggedTableWaitsForTheFlush() {
        // A logged table is never rebuilt from Kafka: a commit lost after its offsets were committed would be lost for good.
        assertThat(DEFAULTS.synchronousCommitFor(List.of(stream("a", Durability.UNLOGGED), stream("b", Durability.LOGGED))))
                .isEqualTo(ON);
    }

    private static StreamDefinition stream(String name, Durability durability) {
        return new StreamDefinition(name, name, "streams", name, KeySource.VALUE,
                List.of(new KeyColumn("id", KeyType.TEXT, JsonPointer.compile("/id"))), null, MergeMode.REPLACE, durability);
    }
}
