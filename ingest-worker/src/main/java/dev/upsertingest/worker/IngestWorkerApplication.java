package dev.upsertingest.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** ingest-worker: consumes the registered streams' topics and upserts their events into the stream tables. */
@SpringBootApplication
@ConfigurationPropertiesScan(basePackages = {"dev.upsertingest.worker", "dev.upsertingest.core"})
public class IngestWorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(IngestWorkerApplication.class, args);
    }
}
