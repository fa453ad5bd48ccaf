package dev.upsertingest.worker.config;

import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.core.view.ViewDefinition;
import dev.upsertingest.worker.consume.ConsumerSettings;
import dev.upsertingest.worker.errors.ErrorSettings;
import dev.upsertingest.worker.errors.DeadLetterLimits;
import dev.upsertingest.worker.refresh.RefreshScheduler;
import dev.upsertingest.worker.refresh.RefreshSettings;
import dev.upsertingest.worker.consume.TopicSettings;
import dev.upsertingest.worker.write.WriteSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.stream.Collectors;

/** Logs, once at startup, the configuration the worker actually runs with; secrets never appear. */
@Component
class EffectiveConfigurationLog implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(EffectiveConfigurationLog.class);

    private final DataSourceProperties dataSource;
    private final KafkaProperties kafka;
    private final ConsumerSettings consumer;
    private final WriteSettings write;
    private final TopicSettings topics;
    private final EventLimits limits;
    private final StreamCatalog catalog;
    private final RefreshSettings refresh;
    private final List<ViewDefinition> views;
    private final RefreshScheduler scheduler;
    private final DeadLetterLimits deadLetters;
    private final ErrorSettings errors;
    private final InstanceSettings instance;

    EffectiveConfigurationLog(DataSourceProperties dataSource, KafkaProperties kafka, ConsumerSettings consumer,
                              WriteSettings write, TopicSettings topics, EventLimits limits, StreamCatalog catalog,
                              RefreshSettings refresh, List<ViewDefinition> views, RefreshScheduler scheduler,
                              DeadLetterLimits deadLetters, ErrorSettings errors, InstanceSettings instance) {
        this.errors = errors;
        this.instance = instance;
        this.dataSource = dataSource;
        this.kafka = kafka;
        this.consumer = consumer;
        this.write = write;
        this.topics = topics;
        this.limits = limits;
        this.catalog = catalog;
        this.refresh = refresh;
        this.views = views;
        this.scheduler = scheduler;
        this.deadLetters = deadLetters;
    }

    @Override
    public void run(ApplicationArguments args) {
        log.info("""
                        ingest-worker configuration ({}):
                          database   {} as {}
                          kafka      {}
                          consumer   {}
                          errors     {}
                          write      {}
                          topics     {}
                          events     {}
                          dead letters up to {} bytes whole ({}-compressed; larger ones without their value)
                          refresh    {}
                          streams    {}
                          views      {}""",
                instance.instanceId(), maskSecrets(dataSource.getUrl()), dataSource.getUsername(),
                kafka.getBootstrapServers(), consumer, errors, write,
                topics, limits, deadLetters.maxRecordSize(), DeadLetterLimits.COMPRESSION, refresh, catalog.streams().isEmpty() ? "(none registered)" : catalog.streams().stream()
                        .map(EffectiveConfigurationLog::describe).collect(Collectors.joining("\n                     ")),
                views.isEmpty() ? "(none registered)" : views.stream()
                        .map(v -> v.name() + " over " + v.stream() + ", " + v.refreshMode().sqlName() + ", every " + scheduler.interval(v))
                        .collect(Collectors.joining("\n                     ")));
    }

    static String maskSecrets(String url) {
        return url == null ? null : url.replaceAll("(?i)(password|sslpassword|secret)=[^&;]*", "$1=****");
    }

    private static String describe(StreamDefinition s) {
        String keys = s.keyColumns().stream()
                .map(k -> k.name() + " " + k.type().sqlName() + " from " + where(s, k))
                .collect(Collectors.joining(", "));
        return "%s: topic %s -> %s.%s, key (%s)%s, %s, %s".formatted(s.name(), s.topic(), s.tableSchema(), s.tableName(),
                keys, s.versioned() ? ", version at " + s.versionPointer() : "", s.mergeMode().name().toLowerCase(),
                s.durability().name().toLowerCase());
    }

    private static String where(StreamDefinition s, KeyColumn k) {
        return switch (s.keySource()) {
            case VALUE -> "value" + k.pointer();
            case RECORD_KEY -> k.pointer() == null ? "record key" : "record key" + k.pointer();
        };
    }
}
