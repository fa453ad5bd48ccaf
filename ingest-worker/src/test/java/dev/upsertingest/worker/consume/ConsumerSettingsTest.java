package dev.upsertingest.worker.consume;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerSettingsTest {

    private static ConsumerSettings bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("ingest.consumer", ConsumerSettings.class);
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
