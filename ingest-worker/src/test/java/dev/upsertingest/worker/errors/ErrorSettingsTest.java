package dev.upsertingest.worker.errors;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ErrorSettingsTest {

    private static ErrorSettings bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("ingest.errors", ErrorSettings.class);
    }

    @Test
    void aBatchIsStuckAfterAMinuteByDefault() {
        assertThat(bind(Map.of()).stuckAfter()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void stuckAfterMustBeLongerThanTheLongestWaitBetweenRetries() {
        assertThatThrownBy(() -> bind(Map.of("ingest.errors.stuck-after", "5s")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("stuck-after must be longer than retry-max-interval");
        assertThat(bind(Map.of("ingest.errors.stuck-after", "3s", "ingest.errors.retry-max-interval", "1s")).stuckAfter())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void retriesNeverWaitLessAtTheEndThanAtTheStart() {
        assertThatThrownBy(() -> bind(Map.of("ingest.errors.retry-initial-interval", "10s")))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("retry-max-interval must not be shorter than retry-initial-interval");
    }
}
