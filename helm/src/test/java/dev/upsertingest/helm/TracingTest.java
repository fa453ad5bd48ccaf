package dev.upsertingest.helm;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** tracing.*: one switch for both applications, off by default, with the sampling and the collector it names. */
class TracingTest {

    private static final Map<String, Object> ENVIRONMENT = Map.of("INGEST_DB_USERNAME", "u", "INGEST_DB_PASSWORD", "p");

    @Test
    void tracingIsOffUnlessTurnedOn() {
        Rendered rendered = Chart.render();
        for (String component : new String[]{"worker", "api"}) {
            Rendered.ConfigBinder config = rendered.binder(component, ENVIRONMENT);
            assertThat(config.value("management.tracing.export.enabled", Boolean.class)).as(component).isFalse();
            assertThat(config.binder().bind("management.tracing.sampling.probability", Double.class).isBound())
                    .as(component).isFalse();
            assertThat(config.binder().bind("management.opentelemetry.tracing.export.otlp.endpoint", String.class)
                    .isBound()).as(component).isFalse();
        }
    }

    @Test
    void turnedOnBothApplicationsSampleAndExportToTheCollector() {
        Rendered rendered = Chart.render("ci/tracing-values.yaml");
        for (String component : new String[]{"worker", "api"}) {
            Rendered.ConfigBinder config = rendered.binder(component, ENVIRONMENT);
            assertThat(config.value("management.tracing.export.enabled", Boolean.class)).as(component).isTrue();
            assertThat(config.value("management.tracing.sampling.probability", Double.class)).as(component).isEqualTo(1.0);
            assertThat(config.value("management.opentelemetry.tracing.export.otlp.endpoint", String.class)).as(component)
                    .isEqualTo("http://otel-collector.observability:4318/v1/traces");
        }
    }

    @Test
    void withoutAnEndpointSpansAreMadeButNotExported() {
        Rendered.ConfigBinder config = Chart.render("tracing.enabled=true").binder("worker", ENVIRONMENT);
        assertThat(config.value("management.tracing.export.enabled", Boolean.class)).isTrue();
        assertThat(config.value("management.tracing.sampling.probability", Double.class)).isEqualTo(0.1);
        assertThat(config.binder().bind("management.opentelemetry.tracing.export.otlp.endpoint", String.class).isBound())
                .isFalse();
    }

    @Test
    void theSchemaRefusesAProbabilityAboveOneAndAnEndpointThatIsNoUrl() {
        assertThat(Chart.renderFailure("tracing.samplingProbability=2")).contains("samplingProbability");
        assertThat(Chart.renderFailure("tracing.otlpEndpoint=otel-collector:4318")).contains("otlpEndpoint");
    }
}
