package dev.upsertingest.core.stream;

import tools.jackson.core.JsonPointer;

import java.util.List;
import java.util.Objects;

/**
 * A registered stream: the topic it consumes, the table it writes, and how events map to rows.
 *
 * @param name           stream name (also the table name)
 * @param topic          Kafka topic
 * @param tableSchema    schema of the stream table
 * @param tableName      stream table
 * @param keySource      where key values are read
 * @param keyColumns     primary key columns, in key order
 * @param versionPointer pointer to an integer version in the event, or {@code null} when the stream is not versioned
 * @param mergeMode      replace or merge
 * @param durability     unlogged or logged
 */
public record StreamDefinition(
        String name,
        String topic,
        String tableSchema,
        String tableName,
        KeySource keySource,
        List<KeyColumn> keyColumns,
        JsonPointer versionPointer,
        MergeMode mergeMode,
        Durability durability) {

    public StreamDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topic, "topic");
        keyColumns = List.copyOf(keyColumns);
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("stream " + name + " has no key columns");
        }
    }

    public boolean versioned() {
        return versionPointer != null;
    }

    /** The dead-letter topic for events of this stream that cannot be written. */
    public String deadLetterTopic() {
        return topic + ".dlt";
    }
}
