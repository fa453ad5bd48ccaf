package dev.upsertingest.worker.config;

import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamCatalogRepository;
import dev.upsertingest.worker.consume.BatchIngester;
import dev.upsertingest.worker.consume.BatchTracing;
import dev.upsertingest.worker.consume.CommittedOffsetLag;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.ConsumerSettings;
import dev.upsertingest.worker.consume.DatabaseCircuit;
import dev.upsertingest.worker.consume.StreamBatchListener;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.consume.StreamConsumersHealthIndicator;
import dev.upsertingest.worker.consume.TopicProvisioner;
import dev.upsertingest.worker.consume.TopicSettings;
import dev.upsertingest.worker.consume.WriterSlots;
import dev.upsertingest.worker.errors.BatchRetries;
import dev.upsertingest.worker.errors.DeadLetterLimits;
import dev.upsertingest.worker.errors.DeadLetterPublisher;
import dev.upsertingest.worker.errors.ErrorSettings;
import dev.upsertingest.worker.errors.FailingBatches;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import dev.upsertingest.worker.write.WriteSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jooq.DSLContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.ProducerListener;
import org.springframework.kafka.listener.CommonErrorHandler;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.Map;

/** Wires the worker: catalog, event rules, write path, dead letters, consumers. */
@Configuration(proxyBeanMethods = false)
public class WorkerConfiguration {

    public WorkerConfiguration(Environment environment) {
        RenamedProperties.check(environment);
    }

    /** The registry as it stands once Flyway has run; a stream declared later needs a worker restart. */
    @Bean
    StreamCatalog streamCatalog(DSLContext dsl) {
        return new StreamCatalogRepository(dsl).load();
    }

    @Bean
    EventParser eventParser(EventLimits limits) {
        return new EventParser(limits);
    }

    @Bean
    UpsertBatchWriter upsertBatchWriter(DataSource dataSource, WriteSettings settings, EventParser parser) {
        return new UpsertBatchWriter(dataSource, settings, parser::toJson);
    }

    @Bean
    IngestMetrics ingestMetrics(MeterRegistry registry) {
        return new IngestMetrics(registry);
    }

    @Bean
    DeadLetterPublisher deadLetterPublisher(KafkaTemplate<byte[], byte[]> template, ErrorSettings settings) {
        return new DeadLetterPublisher(template, settings.deadLetterTimeout(), Clock.systemUTC());
    }

    @Bean
    KafkaTemplate<byte[], byte[]> deadLetterTemplate(ProducerFactory<byte[], byte[]> producerFactory) {
        KafkaTemplate<byte[], byte[]> template = new KafkaTemplate<>(producerFactory);
        // The publisher handles and logs failed sends itself (a letter too large is sent again without its value),
        // so the template's own ERROR line for each would only mislead.
        template.setProducerListener(new ProducerListener<>() {
        });
        return template;
    }

    /** At most {@code ingest.consumer.writers} batch transactions at once, whatever the number of consumer threads. */
    @Bean
    WriterSlots writerSlots(ConsumerSettings settings, IngestMetrics metrics) {
        WriterSlots slots = new WriterSlots(settings.effectiveWriters(), System::nanoTime);
        metrics.registerWriterSlots(slots::busy, slots::waiting);
        return slots;
    }

    @Bean
    BatchIngester batchIngester(StreamCatalog catalog, EventParser parser, UpsertBatchWriter writer,
                                DeadLetterPublisher deadLetters, WriterSlots slots, IngestMetrics metrics) {
        return new BatchIngester(catalog, parser, writer, deadLetters, slots, metrics);
    }

    @Bean
    FailingBatches failingBatches(ErrorSettings settings, IngestMetrics metrics) {
        FailingBatches failing = new FailingBatches(settings.stuckAfter(), System::nanoTime);
        metrics.registerBatchFailing(failing::failingFor);
        return failing;
    }

    @Bean
    StreamBatchListener streamBatchListener(BatchIngester ingester, IngestMetrics metrics, DatabaseCircuit database,
                                            FailingBatches failing, ObjectProvider<BatchTracing> tracing) {
        return new StreamBatchListener(ingester, metrics, database, failing, tracing.getIfAvailable(() -> BatchTracing.OFF));
    }

    /**
     * Resilience4j circuit breaker {@code database}, tuned under resilience4j.circuitbreaker.instances.database. The
     * consumers it pauses are injected lazily: they reach this circuit themselves, through their listener.
     */
    @Bean
    DatabaseCircuit databaseCircuit(CircuitBreakerRegistry breakers, IngestMetrics metrics,
                                    @Lazy ConsumerControl consumers, ApplicationEventPublisher events) {
        return new DatabaseCircuit(breakers.circuitBreaker("database"), metrics, consumers, events);
    }

    /** Sized so that the dead letter of any record the consumers can fetch fits (see {@link DeadLetterLimits}). */
    @Bean
    DeadLetterLimits deadLetterLimits(ConsumerSettings settings, EventLimits limits) {
        return DeadLetterLimits.forConsumer(settings.maxPartitionFetchSize().toBytes(), limits.maxRecordSize());
    }

    @Bean
    TopicProvisioner topicProvisioner(KafkaAdmin kafkaAdmin, StreamCatalog catalog, TopicSettings settings,
                                      EventLimits limits, DeadLetterLimits deadLetterLimits) {
        return new TopicProvisioner(kafkaAdmin, catalog, settings, limits, deadLetterLimits);
    }

    /** See {@link BatchRetries}: retried until it goes through, never skipped. */
    @Bean
    CommonErrorHandler batchErrorHandler(ErrorSettings settings) {
        return BatchRetries.errorHandler(settings);
    }

    @Bean
    StreamConsumers streamConsumers(ConsumerFactory<byte[], byte[]> consumerFactory, StreamCatalog catalog,
                                    StreamBatchListener listener, ConsumerSettings settings,
                                    CommonErrorHandler batchErrorHandler, ApplicationEventPublisher events,
                                    FailingBatches failing) {
        return new StreamConsumers(consumerFactory, catalog, listener, settings, batchErrorHandler, events, failing);
    }

    @Bean
    CommittedOffsetLag committedOffsetLag(StreamCatalog catalog, ConsumerSettings settings, KafkaAdmin kafkaAdmin,
                                          TopicSettings topics, IngestMetrics metrics) {
        return new CommittedOffsetLag(catalog, settings.groupId(), kafkaAdmin.getConfigurationProperties(),
                settings.lagInterval(), topics.adminTimeout(), metrics);
    }

    @Bean
    StreamConsumersHealthIndicator streamConsumersHealthIndicator(StreamConsumers consumers, DatabaseCircuit database,
                                                                  FailingBatches failing) {
        return new StreamConsumersHealthIndicator(consumers, database, failing);
    }

    /** Consumer settings the worker's correctness depends on are set here, not left to configuration. */
    @Bean
    DefaultKafkaConsumerFactoryCustomizer workerConsumerSettings(ConsumerSettings settings) {
        return factory -> {
            @SuppressWarnings("unchecked")
            var bytes = (org.springframework.kafka.core.DefaultKafkaConsumerFactory<byte[], byte[]>) factory;
            bytes.setKeyDeserializer(new ByteArrayDeserializer());
            bytes.setValueDeserializer(new ByteArrayDeserializer());
            bytes.updateConfigs(Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords(),
                    ConsumerConfig.FETCH_MIN_BYTES_CONFIG, (int) settings.fetchMinSize().toBytes(),
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) settings.fetchMaxWait().toMillis(),
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, (int) settings.maxPartitionFetchSize().toBytes(),
                    ConsumerConfig.FETCH_MAX_BYTES_CONFIG, (int) settings.fetchMaxSize().toBytes()));
        };
    }

    /**
     * Dead letters must not be lost: every broker in sync acknowledges, and retries cannot duplicate or reorder. And
     * they must fit: the producer takes the letter of the largest record the consumers can fetch, compressed.
     */
    @Bean
    DefaultKafkaProducerFactoryCustomizer deadLetterProducerSettings(DeadLetterLimits limits) {
        return factory -> {
            @SuppressWarnings("unchecked")
            var bytes = (org.springframework.kafka.core.DefaultKafkaProducerFactory<byte[], byte[]>) factory;
            bytes.setKeySerializer(new ByteArraySerializer());
            bytes.setValueSerializer(new ByteArraySerializer());
            Map<String, Object> config = new java.util.HashMap<>(limits.producerConfig());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            bytes.updateConfigs(config);
        };
    }
}
