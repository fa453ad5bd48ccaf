package dev.upsertingest.fuzz;

import dev.upsertingest.core.stream.KeyType;

import java.util.List;
import java.util.Optional;

/**
 * The four streams a fuzz run writes to, between them every path an event can take through the rules: a text key
 * (the fast, tree-less path in replace mode), a topic smaller than the rules allow, a versioned bigint key, and a
 * composite key (text, integer, uuid) in merge mode (the full parse, every time).
 *
 * @param streams the streams, in a fixed order (the generator draws them by position)
 */
public record FuzzStreams(List<FuzzStream> streams) {

    public FuzzStreams {
        streams = List.copyOf(streams);
    }

    /** The four streams, named {@code <prefix>_text} and so on; their topics carry {@code topicSuffix}. */
    public static FuzzStreams standard(String prefix, String topicSuffix) {
        return new FuzzStreams(List.of(
                new FuzzStream(prefix + "_text", prefix + "_text_" + topicSuffix,
                        List.of(new FuzzStream.Key("id", KeyType.TEXT)), null, false, false),
                new FuzzStream(prefix + "_small", prefix + "_small_" + topicSuffix,
                        List.of(new FuzzStream.Key("id", KeyType.TEXT)), null, false, true),
                new FuzzStream(prefix + "_versioned", prefix + "_versioned_" + topicSuffix,
                        List.of(new FuzzStream.Key("id", KeyType.BIGINT)), "v", false, false),
                new FuzzStream(prefix + "_merged", prefix + "_merged_" + topicSuffix,
                        List.of(new FuzzStream.Key("tenant", KeyType.TEXT), new FuzzStream.Key("n", KeyType.INTEGER),
                                new FuzzStream.Key("ref", KeyType.UUID)), null, true, false)));
    }

    public FuzzStream get(int index) {
        return streams.get(index);
    }

    public int size() {
        return streams.size();
    }

    public Optional<FuzzStream> byName(String name) {
        return streams.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
