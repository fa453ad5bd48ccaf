package dev.upsertingest.worker.config;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

import java.util.List;
import java.util.Map;

/**
 * Refuses to start with a property that was renamed: bound by nothing any more, it would be ignored without a word,
 * and the operator's setting silently replaced by the default.
 */
final class RenamedProperties {

    /** Old name to new name. */
    static final Map<String, String> RENAMED = Map.of(
            "ingest.consumer.retry-initial-interval", "ingest.errors.retry-initial-interval",
            "ingest.consumer.retry-max-interval", "ingest.errors.retry-max-interval",
            "ingest.consumer.dead-letter-timeout", "ingest.errors.dead-letter-timeout",
            "ingest.consumer.stuck-after", "ingest.errors.stuck-after",
            "ingest.refresh.instance-id", "ingest.instance-id");

    private RenamedProperties() {
    }

    static void check(Environment environment) {
        Binder binder = Binder.get(environment);
        List<String> found = RENAMED.keySet().stream().sorted()
                .filter(old -> binder.bind(old, String.class).isBound())
                .map(old -> old + " is now " + RENAMED.get(old)).toList();
        if (!found.isEmpty()) {
            throw new IllegalStateException("Renamed configuration properties are set, and would be ignored: "
                    + String.join("; ", found));
        }
    }
}
