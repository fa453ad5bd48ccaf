package dev.upsertingest.api.config;

import dev.upsertingest.api.metrics.ApiMetrics;
import dev.upsertingest.api.publish.EventPublisher;
import dev.upsertingest.api.publish.PublishSettings;
import dev.upsertingest.api.publish.PublishTracing;
import dev.upsertingest.api.publish.StreamRegistry;
import dev.upsertingest.api.publish.TopicLimits;
import dev.upsertingest.api.query.QuerySettings;
import dev.upsertingest.api.query.ReadOnlyQueries;
import dev.upsertingest.api.query.ViewCatalog;
import dev.upsertingest.api.query.ViewService;
import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.event.EventParser;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jooq.DSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

import javax.sql.DataSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Wires the API: event rules and publishing, view queries, metrics, the OpenAPI description. */
@Configuration(proxyBeanMethods = false)
public class ApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ApiMetrics apiMetrics(MeterRegistry registry) {
        return new ApiMetrics(registry);
    }

    @Bean
    EventParser eventParser(EventLimits limits) {
        return new EventParser(limits);
    }

    @Bean
    StreamRegistry streamRegistry(DSLContext dsl, PublishSettings settings, Clock clock) {
        return new StreamRegistry(dsl, settings, clock);
    }

    /**
     * Nothing accepted may be lost, and waiting for a broker that is down must be short: acks from all in-sync
     * replicas, idempotence (retries cannot duplicate or reorder), and bounded blocking and delivery times, so that a
     * request fails in seconds (503) rather than hanging.
     */
    @Bean
    DefaultKafkaProducerFactoryCustomizer publisherProducerSettings(PublishSettings settings, EventLimits limits) {
        return factory -> {
            @SuppressWarnings("unchecked")
            var bytes = (DefaultKafkaProducerFactory<byte[], byte[]>) factory;
            bytes.setKeySerializer(new ByteArraySerializer());
            bytes.setValueSerializer(new ByteArraySerializer());
            long ack = settings.ackTimeout().toMillis();
            bytes.updateConfigs(Map.of(
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(ack, 3000L),
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(ack, 5000L),
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(ack, 5000L + 20),
                    ProducerConfig.LINGER_MS_CONFIG, 5));
            bytes.updateConfigs(recordSizeSettings(limits, bytes.getConfigurationProperties()));
        };
    }

    /**
     * The producer must send every record an accepted event makes: {@code max.request.size} (1 MiB by default, with
     * the record's framing counted) from the one size rule, {@link EventLimits#maxRecordSize()}, whatever the
     * configuration says, and a buffer that holds such a record. Compressed (lz4 unless
     * {@code spring.kafka.producer.compression-type} says otherwise, zstd say), because the broker counts the
     * compressed batch against a topic's {@code max.message.bytes} and JSON shrinks well: a near-limit document
     * then fits a topic left at the broker's default.
     */
    static Map<String, Object> recordSizeSettings(EventLimits limits, Map<String, Object> configured) {
        long largest = limits.maxRecordSize();
        Map<String, Object> sizes = new java.util.HashMap<>();
        sizes.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) largest);
        Object buffer = configured.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        long bufferBytes = buffer == null ? 32L << 20 : Long.parseLong(buffer.toString()); // the client's default, 32 MiB
        sizes.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(bufferBytes, 2 * largest));
        if (configured.get(ProducerConfig.COMPRESSION_TYPE_CONFIG) == null) {
            sizes.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        }
        return sizes;
    }

    @Bean
    KafkaTemplate<byte[], byte[]> publishTemplate(ProducerFactory<byte[], byte[]> producerFactory) {
        return new KafkaTemplate<>(producerFactory);
    }

    @Bean(destroyMethod = "close")
    TopicLimits topicLimits(KafkaAdmin kafkaAdmin, Clock clock) {
        return new TopicLimits(() -> Admin.create(kafkaAdmin.getConfigurationProperties()), clock);
    }

    @Bean
    EventPublisher eventPublisher(KafkaTemplate<byte[], byte[]> template, CircuitBreakerRegistry breakers,
                                  PublishSettings settings, TopicLimits topicLimits,
                                  ObjectProvider<PublishTracing> tracing) {
        Bulkhead bulkhead = Bulkhead.of("kafka-publish", BulkheadConfig.custom()
                .maxConcurrentCalls(settings.maxConcurrent()).maxWaitDuration(Duration.ZERO).build());
        return new EventPublisher(template, breakers.circuitBreaker("kafka-publish"), bulkhead, settings.ackTimeout(),
                topicLimits, tracing.getIfAvailable(() -> PublishTracing.OFF));
    }

    @Bean
    ReadOnlyQueries readOnlyQueries(DataSource dataSource, QuerySettings settings) {
        return new ReadOnlyQueries(dataSource, settings);
    }

    @Bean
    ViewCatalog viewCatalog(ReadOnlyQueries queries, QuerySettings settings, Clock clock) {
        return new ViewCatalog(queries, settings, clock);
    }

    @Bean
    ViewService viewService(ViewCatalog catalog, ReadOnlyQueries queries, QuerySettings settings, ApiMetrics metrics) {
        return new ViewService(catalog, queries, settings, metrics);
    }

    @Bean
    OpenAPI openApi() {
        return new OpenAPI()
                .info(new Info().title("Upsert Ingest API").version("v1").description(
                        "Publish JSON events to streams; read the materialized views over them. Errors are RFC 9457 problem details."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("Authorization: Bearer <API key>"))
                        .addSecuritySchemes("apiKey", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key"))
                        .addSecuritySchemes("basic", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
                                .description("user: the client's name, password: its API key")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .addSecurityItem(new SecurityRequirement().addList("apiKey"))
                .addSecurityItem(new SecurityRequirement().addList("basic"));
    }
}
