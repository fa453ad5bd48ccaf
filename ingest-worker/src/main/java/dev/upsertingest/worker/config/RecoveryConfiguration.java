package dev.upsertingest.worker.config;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.worker.consume.ConsumerControl;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.recovery.RebuildScheduler;
import dev.upsertingest.worker.recovery.RecoverySettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import javax.sql.DataSource;

/** Detection of unlogged tables emptied by a PostgreSQL crash, and their rebuild from Kafka. */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfiguration {

    @Bean
    RebuildScheduler rebuildScheduler(DataSource dataSource, StreamCatalog catalog, ConsumerControl consumers,
                                      KafkaAdmin kafkaAdmin, RecoverySettings settings, IngestMetrics metrics,
                                      InstanceSettings instance) {
        return RebuildScheduler.create(dataSource, catalog, consumers, kafkaAdmin.getConfigurationProperties(), settings,
                metrics, instance.instanceId());
    }
}
