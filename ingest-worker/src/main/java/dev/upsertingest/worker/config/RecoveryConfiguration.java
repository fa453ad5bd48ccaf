package dev.upsertingest.worker.config;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.worker.consume.DatabaseCircuit;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.consume.TopicProvisioner;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.recovery.RecoverySettings;
import dev.upsertingest.worker.recovery.StreamRebuilder;
import dev.upsertingest.worker.refresh.RefreshSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import javax.sql.DataSource;

/** Detection of unlogged tables emptied by a PostgreSQL crash, and their rebuild from Kafka. */
@Configuration(proxyBeanMethods = false)
public class RecoveryConfiguration {

    @Bean
    StreamRebuilder streamRebuilder(DataSource dataSource, StreamCatalog catalog, StreamConsumers consumers,
                                    TopicProvisioner topics, KafkaAdmin kafkaAdmin, RecoverySettings settings,
                                    IngestMetrics metrics, DatabaseCircuit database, RefreshSettings refreshSettings) {
        StreamRebuilder rebuilder = new StreamRebuilder(dataSource, catalog, consumers, topics,
                kafkaAdmin.getConfigurationProperties(), settings, metrics, database, refreshSettings.instanceId());
        consumers.beforeFirstStart(rebuilder::beforeConsuming);
        return rebuilder;
    }
}
