package dev.upsertingest.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** ingest-api: producers publish events over HTTP; analysts query the materialized views. */
@SpringBootApplication
@ConfigurationPropertiesScan(basePackages = {"dev.upsertingest.api", "dev.upsertingest.core"})
public class IngestApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestApiApplication.class, args);
    }
}
