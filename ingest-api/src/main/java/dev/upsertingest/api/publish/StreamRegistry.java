package dev.upsertingest.api.publish;

import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamCatalogRepository;
import dev.upsertingest.core.stream.StreamDefinition;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * The registered streams, reread when a request names one it does not know (at most once per refresh period), so
 * that a stream declared by a migration is served without restarting the API, and unknown names cannot hammer the
 * database.
 */
public class StreamRegistry {

    private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);

    private final StreamCatalogRepository repository;
    private final PublishSettings settings;
    private final Clock clock;
    private volatile StreamCatalog catalog;
    private volatile Instant loadedAt;

    public StreamRegistry(DSLContext dsl, PublishSettings settings, Clock clock) {
        this.repository = new StreamCatalogRepository(dsl);
        this.settings = settings;
        this.clock = clock;
        reload();
    }

    public Optional<StreamDefinition> byName(String name) {
        Optional<StreamDefinition> stream = catalog.byName(name);
        if (stream.isEmpty() && clock.instant().isAfter(loadedAt.plus(settings.catalogRefresh()))) {
            reload();
            stream = catalog.byName(name);
        }
        return stream;
    }

    private synchronized void reload() {
        if (loadedAt != null && !clock.instant().isAfter(loadedAt.plus(settings.catalogRefresh()))) {
            return;
        }
        catalog = repository.load();
        loadedAt = clock.instant();
        log.debug("Stream registry loaded: {}", catalog.streams().stream().map(StreamDefinition::name).toList());
    }
}
