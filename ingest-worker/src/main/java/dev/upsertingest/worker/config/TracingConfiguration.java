package dev.upsertingest.worker.config;

import dev.upsertingest.worker.consume.BatchTracing;
import dev.upsertingest.worker.tracing.BatchSpans;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing, off by default ({@code management.tracing.export.enabled: false} in application.yml). Turned on, every
 * batch attempt gets a span in the trace its records carry (see {@link BatchSpans}). Off, the listener uses
 * {@link BatchTracing#OFF} and reads no header.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(TracingConfiguration.ENABLED)
public class TracingConfiguration {

    /** Spring Boot's own switch for tracing (spans and propagation); the one property that turns it all on. */
    public static final String ENABLED = "management.tracing.export.enabled";

    @Bean
    BatchTracing batchTracing(OpenTelemetry openTelemetry) {
        return new BatchSpans(openTelemetry.getTracer("dev.upsertingest.worker"),
                openTelemetry.getPropagators().getTextMapPropagator());
    }
}
