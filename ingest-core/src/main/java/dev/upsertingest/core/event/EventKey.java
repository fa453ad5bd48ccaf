package dev.upsertingest.core.event;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

import java.util.List;
import java.util.UUID;

/**
 * The primary key of one row: the key column values in key order ({@link String}, {@link Long}, {@link Integer} or
 * {@link UUID}). Equal keys address the same row, which is what in-batch collapsing relies on.
 *
 * <p>Its {@linkplain #canonical() canonical text} is the Kafka record key producers should use: the value itself for
 * a single-column key, a JSON array of the values for a composite key. Tombstones of streams keyed by the event value
 * carry their key this way, since they have no value to read it from.
 */
public record EventKey(List<Object> values) {

    private static final JsonMapper JSON = JsonMapper.shared();

    public EventKey {
        values = List.copyOf(values);
    }

    public static EventKey of(Object... values) {
        return new EventKey(List.of(values));
    }

    public Object get(int index) {
        return values.get(index);
    }

    public int size() {
        return values.size();
    }

    public String canonical() {
        if (values.size() == 1) {
            return String.valueOf(values.getFirst());
        }
        ArrayNode array = JSON.createArrayNode();
        for (Object value : values) {
            switch (value) {
                case Long l -> array.add(l);
                case Integer i -> array.add(i);
                default -> array.add(value.toString());
            }
        }
        return JSON.writeValueAsString(array);
    }

    @Override
    public String toString() {
        return canonical();
    }
}
