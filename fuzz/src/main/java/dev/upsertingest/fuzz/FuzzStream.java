package dev.upsertingest.fuzz;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import tools.jackson.core.JsonPointer;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One stream the fuzz writes to: its key columns (each read from a top-level property of the event), whether it is
 * versioned or merges, and whether its topic is the worker's own (compacted, sized by the rules) or one made smaller
 * than the rules allow.
 *
 * @param name            stream (and table) name
 * @param topic           its topic
 * @param keys            key columns in key order
 * @param versionProperty the top-level property holding the version, or {@code null}
 * @param merge           merge mode rather than replace
 * @param smallTopic      the topic is created by the fuzz with {@code cleanup.policy=delete} (so records without a
 *                        key reach it) and {@link FuzzLimits#smallTopicMaxMessageBytes()}; otherwise the worker
 *                        creates it (compacted, {@code max.message.bytes} by the rules)
 */
public record FuzzStream(String name, String topic, List<Key> keys, String versionProperty, boolean merge,
                         boolean smallTopic) {

    /** A key column, read from {@code /<property>}. */
    public record Key(String property, KeyType type) {
    }

    public FuzzStream {
        keys = List.copyOf(keys);
    }

    public boolean versioned() {
        return versionProperty != null;
    }

    public String deadLetterTopic() {
        return topic + ".dlt";
    }

    /** The stream as the worker and the API see it once declared. */
    public StreamDefinition definition() {
        List<KeyColumn> columns = keys.stream()
                .map(k -> new KeyColumn(k.property(), k.type(), JsonPointer.compile("/" + k.property()))).toList();
        return new StreamDefinition(name, topic, "streams", name, KeySource.VALUE, columns,
                versioned() ? JsonPointer.compile("/" + versionProperty) : null, merge ? MergeMode.MERGE : MergeMode.REPLACE,
                Durability.UNLOGGED);
    }

    /** The {@code ingest.declare_stream} call that declares it (names are the fuzz's own: plain identifiers). */
    public String declaration() {
        String columns = keys.stream().map(k -> "{\"name\": \"" + k.property() + "\", \"type\": \"" + k.type().sqlName()
                + "\", \"pointer\": \"/" + k.property() + "\"}").collect(Collectors.joining(", ", "[", "]"));
        return "select ingest.declare_stream(stream_name => '" + name + "', topic => '" + topic + "', key_columns => '"
                + columns + "'" + (versioned() ? ", version_pointer => '/" + versionProperty + "'" : "")
                + (merge ? ", merge_mode => 'merge'" : "") + ")";
    }
}
