package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.worker.errors.DeadLetterLimits;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TopicProvisionerTest {

    private static final TopicSettings SETTINGS = new TopicSettings(true, 6, (short) 0, "compact", 1, Duration.ofDays(14), Duration.ofSeconds(30));

    @Test
    void aCreatedStreamTopicTakesTheLargestRecordAnAcceptedEventMakes() {
        assertThat(new TopicProvisioner(null, null, SETTINGS, EventLimits.defaults(), DeadLetterLimits.forConsumer(4 << 20, EventLimits.defaults().maxRecordSize())).streamTopicConfig())
                .containsEntry("cleanup.policy", "compact")
                .containsEntry("max.message.bytes", "1068032");
        EventLimits larger = new EventLimits(DataSize.ofMegabytes(8), DataSize.ofBytes(512));
        assertThat(new TopicProvisioner(null, null, SETTINGS, larger, DeadLetterLimits.forConsumer(4 << 20, larger.maxRecordSize())).streamTopicConfig())
                .containsEntry("max.message.bytes", Long.toString(larger.maxRecordSize()));
    }
}
