package dev.upsertingest.worker.config;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.view.ViewCatalogRepository;
import dev.upsertingest.core.view.ViewDefinition;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.refresh.RefreshScheduler;
import dev.upsertingest.worker.refresh.RefreshSettings;
import dev.upsertingest.worker.refresh.ViewFreshness;
import dev.upsertingest.worker.refresh.ViewRefresher;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.List;

/** Wires the materialized-view refresher. */
@Configuration(proxyBeanMethods = false)
public class RefreshConfiguration {

    /** The views as registered once Flyway has run. */
    @Bean
    List<ViewDefinition> viewDefinitions(DSLContext dsl, StreamCatalog streamCatalog) {
        return new ViewCatalogRepository(dsl).load();
    }

    @Bean
    ViewRefresher viewRefresher(DataSource dataSource, StreamCatalog streams, RefreshSettings settings,
                                InstanceSettings instance) {
        return new ViewRefresher(dataSource, streams, settings, instance.instanceId(), Clock.systemUTC());
    }

    @Bean
    ViewFreshness viewFreshness(DataSource dataSource) {
        return new ViewFreshness(dataSource);
    }

    @Bean
    RefreshScheduler refreshScheduler(List<ViewDefinition> viewDefinitions, DataSource dataSource, ViewRefresher refresher,
                                      ViewFreshness freshness, RefreshSettings settings, IngestMetrics metrics) {
        return new RefreshScheduler(viewDefinitions, () -> new ViewCatalogRepository(DSL.using(dataSource, SQLDialect.POSTGRES)).load(),
                refresher, freshness, settings, metrics, Clock.systemUTC());
    }
}
