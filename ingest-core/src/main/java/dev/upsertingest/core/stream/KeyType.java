package dev.upsertingest.core.stream;

import tools.jackson.databind.JsonNode;

import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL types a stream's key column may have, and how a key value of each type is read from JSON or from a
 * Kafka record key. Reading is strict: a key of the wrong JSON type is an error, never silently converted.
 */
public enum KeyType {
    TEXT("text", "text", "a JSON string"),
    BIGINT("bigint", "int8", "a JSON integer in the bigint range"),
    INTEGER("integer", "int4", "a JSON integer in the integer range"),
    UUID("uuid", "uuid", "a JSON string holding a UUID");

    private final String sqlName;
    private final String arrayElementType;
    private final String expectation;

    KeyType(String sqlName, String arrayElementType, String expectation) {
        this.sqlName = sqlName;
        this.arrayElementType = arrayElementType;
        this.expectation = expectation;
    }

    public static KeyType fromSqlName(String sqlName) {
        return valueOf(sqlName.toUpperCase(Locale.ROOT));
    }

    /** The type name in DDL and casts. */
    public String sqlName() {
        return sqlName;
    }

    /** The element type name pgjdbc's {@code createArrayOf} expects. */
    public String arrayElementType() {
        return arrayElementType;
    }

    /** What a valid value looks like, for error messages. */
    public String expectation() {
        return expectation;
    }

    /** The Java type key values of this type have ({@link String}, {@link Long}, {@link Integer}, {@link UUID}). */
    public Class<?> javaType() {
        return switch (this) {
            case TEXT -> String.class;
            case BIGINT -> Long.class;
            case INTEGER -> Integer.class;
            case UUID -> java.util.UUID.class;
        };
    }

    /** Reads a key value from a JSON node, or returns {@code null} when the node does not hold this type. */
    public Object fromJson(JsonNode node) {
        return switch (this) {
            case TEXT -> node.isString() ? node.stringValue() : null;
            case BIGINT -> node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
            case INTEGER -> node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
            case UUID -> node.isString() ? parseUuidOrNull(node.stringValue()) : null;
        };
    }

    /** Reads a key value from its text form (a plain Kafka record key), or returns {@code null} when it does not parse. */
    public Object fromText(String text) {
        try {
            return switch (this) {
                case TEXT -> text;
                case BIGINT -> Long.parseLong(text);
                case INTEGER -> Integer.parseInt(text);
                case UUID -> parseUuidOrNull(text);
            };
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static UUID parseUuidOrNull(String text) {
        // UUID.fromString accepts short forms like "1-2-3-4-5"; only the canonical 36-character form is a key.
        if (text.length() != 36) {
            return null;
        }
        try {
            return java.util.UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
