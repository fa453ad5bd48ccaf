package dev.upsertingest.api.admin;

import dev.upsertingest.ops.DirectOperations;
import dev.upsertingest.ops.OpsDatabase;
import dev.upsertingest.ops.OpsKafka;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

import javax.sql.DataSource;

/**
 * The operations behind the admin endpoints: the same code {@code bin/ingest} runs, on the API's pool (each
 * transaction as {@code ingest_admin}) and its Kafka settings.
 */
@Configuration(proxyBeanMethods = false)
public class AdminConfiguration {

    @Bean(destroyMethod = "close")
    DirectOperations operations(DataSource dataSource, KafkaAdmin kafkaAdmin, AdminSettings settings) {
        OpsKafka kafka = new OpsKafka(kafkaAdmin.getConfigurationProperties(), settings.workerGroupId(), settings.kafkaTimeout());
        return new DirectOperations(new OpsDatabase(dataSource, settings.role()), kafka, true);
    }
}
