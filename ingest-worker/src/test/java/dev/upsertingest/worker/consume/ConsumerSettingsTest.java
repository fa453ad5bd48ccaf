package dev.upsertingest.worker.consume;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsumerSettingsTest {

    private static ConsumerSettings bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("ingest.consumer", ConsumerSettings.class);
    }

    @Test
    void aBatchIsStuckAfterAMinuteByDefault() {
        assertThat(bind(Map.of()).stuckAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void stuckAfterMustBeLongerThanTheLongestWaitBetweenRetries() {
        assertThatThrownBy(() -> bind(Map.of("ingest.consumer.stuck-after", "5s")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("stuck-after must be longer than retry-max-interval");
        assertThat(bind(Map.of("ingest.consumer.stuck-after", "3s", "ingest.consumer.retry-max-interval", "1s")).stuckAfter())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void fourConsumerThreadsShareTwoWriterSlotsByDefault() {
        ConsumerSettings defaults = bind(Map.of());
        assertThat(defaults.concurrency()).isEqualTo(2);
        assertThat(defaults.writers()).isEqualTo(2);
        assertThat(defaults.effectiveWriters()).isEqualTo(2);
    }

    @Test
    void noMoreWriterSlotsThanConsumerThreadsToFillThem() {
        assertThat(bind(Map.of("ingest.consumer.concurrency", "1")).effectiveWriters()).isEqualTo(1);
        assertThat(bind(Map.of("ingest.consumer.concurrency", "8", "ingest.consumer.writers", "3")).effectiveWriters())
                .isEqualTo(3);
    }
}
