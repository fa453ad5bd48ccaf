package dev.upsertingest.core.stream;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The registered streams, looked up by name or by topic. Immutable: a snapshot of the registry. */
public final class StreamCatalog {

    private final Map<String, StreamDefinition> byName;
    private final Map<String, StreamDefinition> byTopic;

    public StreamCatalog(Collection<StreamDefinition> streams) {
        this.byName = index(streams, StreamDefinition::name);
        this.byTopic = index(streams, StreamDefinition::topic);
    }

    private static Map<String, StreamDefinition> index(Collection<StreamDefinition> streams,
                                                       Function<StreamDefinition, String> key) {
        return streams.stream().collect(Collectors.toMap(key, Function.identity(), (a, b) -> {
            throw new IllegalArgumentException("two streams share " + key.apply(a));
        }, LinkedHashMap::new));
    }

    public Optional<StreamDefinition> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<StreamDefinition> byTopic(String topic) {
        return Optional.ofNullable(byTopic.get(topic));
    }

    public List<StreamDefinition> streams() {
        return List.copyOf(byName.values());
    }

    public List<String> topics() {
        return List.copyOf(byTopic.keySet());
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }
}
