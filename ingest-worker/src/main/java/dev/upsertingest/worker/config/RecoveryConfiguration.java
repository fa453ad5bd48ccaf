package dev.upsertingest.worker.config;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.consume.ConsumerSettings;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.recovery.RebuildScheduler;
import dev.upsertingest.worker.recovery.RecoverySettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.kafka.core.KafkaAdmin;

import javax.sql.DataSource;

/** Detection of unlogged tables emptied by a PostgreSQL crash, and their rebuild from Kafka. */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfiguration {

    /**
     * The consumers are injected lazily: Spring starts a lifecycle bean's dependencies before it, whatever their phase,
     * so a plain reference would start the consumers before the first crash-recovery check, which must come first.
     */
    @Bean
    RebuildScheduler rebuildScheduler(DataSource dataSource, StreamCatalog catalog, @Lazy ConsumerControl consumers,
                                      ConsumerSettings consumerSettings, KafkaAdmin kafkaAdmin, RecoverySettings settings,
                                      IngestMetrics metrics, InstanceSettings instance) {
        return RebuildScheduler.create(dataSource, catalog, consumers, consumerSettings.groupId(),
                kafkaAdmin.getConfigurationProperties(), settings, metrics, instance.instanceId());
    }
}
