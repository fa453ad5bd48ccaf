package dev.upsertingest.api.config;

import dev.upsertingest.api.publish.PublishSpans;
import dev.upsertingest.api.publish.PublishTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing, off by default ({@code management.tracing.export.enabled: false} in application.yml). Turned on, Spring Boot
 * traces the HTTP requests (continuing a caller's {@code traceparent}) and this adds the publish span whose context
 * travels to the worker in the records' headers. Off, {@link PublishTracing#OFF} is used and nothing here exists.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(TracingConfiguration.ENABLED)
public class TracingConfiguration {

    /** Spring Boot's own switch for tracing (spans and propagation); the one property that turns it all on. */
    public static final String ENABLED = "management.tracing.export.enabled";

    @Bean
    PublishTracing publishTracing(OpenTelemetry openTelemetry) {
        return new PublishSpans(openTelemetry.getTracer("dev.upsertingest.api"),
                openTelemetry.getPropagators().getTextMapPropagator());
    }
}
