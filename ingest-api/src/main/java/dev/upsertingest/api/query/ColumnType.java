package dev.upsertingest.api.query;

import org.jooq.DataType;
import org.jooq.JSONB;
import org.jooq.impl.SQLDataType;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL types a view column can have, how a request's text becomes a bound value of that type, and how a
 * value is written in a response. A value that does not parse is a 400, never SQL.
 */
enum ColumnType {
    TEXT(SQLDataType.CLOB, true),
    NUMERIC(SQLDataType.NUMERIC, true),
    BIGINT(SQLDataType.BIGINT, true),
    INTEGER(SQLDataType.INTEGER, true),
    SMALLINT(SQLDataType.SMALLINT, true),
    DOUBLE(SQLDataType.DOUBLE, true),
    REAL(SQLDataType.REAL, true),
    BOOLEAN(SQLDataType.BOOLEAN, true),
    TIMESTAMPTZ(SQLDataType.TIMESTAMPWITHTIMEZONE, true),
    TIMESTAMP(SQLDataType.LOCALDATETIME, true),
    DATE(SQLDataType.LOCALDATE, true),
    UUID(SQLDataType.UUID, true),
    JSONB(SQLDataType.JSONB, false),
    /** Anything else is returned as text and cannot be filtered or sorted on. */
    OTHER(SQLDataType.CLOB, false);

    private static final JsonMapper JSON = JsonMapper.shared();

    private final DataType<?> dataType;
    private final boolean comparable;

    ColumnType(DataType<?> dataType, boolean comparable) {
        this.dataType = dataType;
        this.comparable = comparable;
    }

    /** From {@code format_type(atttypid, atttypmod)}. */
    static ColumnType fromSqlType(String sqlType) {
        String t = sqlType.toLowerCase(Locale.ROOT);
        if (t.startsWith("numeric")) {
            return NUMERIC;
        }
        if (t.startsWith("character varying") || t.startsWith("character(") || t.equals("text")) {
            return TEXT;
        }
        return switch (t) {
            case "bigint" -> BIGINT;
            case "integer" -> INTEGER;
            case "smallint" -> SMALLINT;
            case "double precision" -> DOUBLE;
            case "real" -> REAL;
            case "boolean" -> BOOLEAN;
            case "timestamp with time zone" -> TIMESTAMPTZ;
            case "timestamp without time zone" -> TIMESTAMP;
            case "date" -> DATE;
            case "uuid" -> UUID;
            case "jsonb", "json" -> JSONB;
            default -> OTHER;
        };
    }

    @SuppressWarnings("unchecked")
    <T> DataType<T> dataType() {
        return (DataType<T>) dataType;
    }

    /** Whether filters and sorting may use the column. */
    boolean comparable() {
        return comparable;
    }

    /** The request text as a value of this type; throws {@link IllegalArgumentException} with the expected form. */
    Object parse(String text) {
        try {
            return switch (this) {
                case TEXT -> text;
                case NUMERIC -> new BigDecimal(text.trim());
                case BIGINT -> Long.parseLong(text.trim());
                case INTEGER -> Integer.parseInt(text.trim());
                case SMALLINT -> Short.parseShort(text.trim());
                case DOUBLE -> Double.parseDouble(text.trim());
                case REAL -> Float.parseFloat(text.trim());
                case BOOLEAN -> switch (text.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException();
                };
                case TIMESTAMPTZ -> OffsetDateTime.parse(text.trim());
                case TIMESTAMP -> LocalDateTime.parse(text.trim());
                case DATE -> LocalDate.parse(text.trim());
                case UUID -> java.util.UUID.fromString(text.trim());
                case JSONB, OTHER -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) { // NumberFormatException, DateTimeParseException, ...
            throw new IllegalArgumentException(expectation(), e);
        }
    }

    String expectation() {
        return switch (this) {
            case TEXT -> "text";
            case NUMERIC, DOUBLE, REAL -> "a number";
            case BIGINT, INTEGER, SMALLINT -> "a whole number in range";
            case BOOLEAN -> "true or false";
            case TIMESTAMPTZ -> "an ISO-8601 timestamp with offset, e.g. 2026-11-20T10:15:30Z";
            case TIMESTAMP -> "an ISO-8601 local timestamp, e.g. 2026-11-20T10:15:30";
            case DATE -> "an ISO-8601 date, e.g. 2026-11-20";
            case UUID -> "a UUID";
            case JSONB, OTHER -> "(not comparable)";
        };
    }

    /** A value as it should appear in a JSON response. */
    Object toJson(Object value) {
        return switch (value) {
            case null -> null;
            case JSONB json -> JSON.readTree(json.data());
            case OffsetDateTime time -> time.toString();
            case LocalDateTime time -> time.toString();
            case LocalDate date -> date.toString();
            case java.util.UUID uuid -> uuid.toString();
            default -> value;
        };
    }

    /** A value as text for a cursor (parsed back by {@link #parse}). */
    String toText(Object value) {
        return value == null ? null : toJson(value).toString();
    }
}
