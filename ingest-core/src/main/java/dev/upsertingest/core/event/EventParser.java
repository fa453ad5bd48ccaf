package dev.upsertingest.core.event;

import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns one Kafka record into what it means for its stream's table, enforcing every rule an event must pass: a JSON
 * object within the size limit, in well-formed UTF-8 without a byte order mark, free of what jsonb refuses, with a key
 * of the declared types within the key size limit, and an integer version when the stream is versioned. The worker
 * and the HTTP API both use it, so an event the API accepts is one the worker can write, and the document written is
 * the very bytes that came.
 *
 * <p>The byte-level rules come first, then the grammar (numbers included: none beyond the range of PostgreSQL's
 * {@code numeric}, see {@link PostgresNumbers}), then the key and version, so each event gets one answer
 * whichever path reads it: {@link DocumentScanner} for replace-mode streams (which only ever accepts or declines),
 * Jackson for the rest and for whatever the scanner declined.
 *
 * <p>Thread-safe.
 */
public final class EventParser {

    private static final int MAX_DETAIL_LENGTH = 300;

    private final EventLimits limits;
    private final JsonMapper mapper;
    /** Per stream, what {@link DocumentScanner} looks for. */
    private final Map<StreamDefinition, DocumentScanner.Pointers> pointers = new ConcurrentHashMap<>();

    public EventParser(EventLimits limits) {
        this.limits = limits;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(limits.maxDocumentSize().toBytes())
                        // Jackson's defaults (50,000 characters for a name, 20 or 100 million for a string) would
                        // refuse what DocumentScanner accepts and jsonb stores: within the document limit, names and
                        // strings are as long as they like, on either path
                        .maxNameLength(Math.toIntExact(limits.maxDocumentSize().toBytes()))
                        .maxStringLength(Math.toIntExact(limits.maxDocumentSize().toBytes()))
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Merged documents are written back from the tree: keep numbers exactly as sent.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
    }

    public EventLimits limits() {
        return limits;
    }

    /**
     * @param stream    the stream the record belongs to
     * @param recordKey the Kafka record key, may be {@code null}
     * @param value     the Kafka record value; {@code null} is a tombstone
     */
    public ParsedEvent parse(StreamDefinition stream, byte[] recordKey, byte[] value) {
        if (value == null) {
            Object key = keyFromRecordKey(stream, recordKey);
            return key instanceof EventKey eventKey ? new ParsedEvent.Delete(eventKey) : (ParsedEvent.Rejected) key;
        }
        if (value.length > limits.maxDocumentSize().toBytes()) {
            return new ParsedEvent.Rejected(RejectReason.DOCUMENT_TOO_LARGE,
                    "the document is " + value.length + " bytes, the limit is " + limits.maxDocumentSize().toBytes());
        }
        if (value.length == 0) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON,
                    "the value is empty (a tombstone is a null value, not an empty one)");
        }
        if (stream.mergeMode() == MergeMode.REPLACE) {
            ParsedEvent scanned = parseWithoutTree(stream, recordKey, value);
            // the scanner does not weigh numbers: one that may be beyond numeric's range goes to the full parse
            if (scanned != null && !(scanned instanceof ParsedEvent.Upsert && PostgresNumbers.mayExceed(value))) {
                return scanned;
            }
        }
        ParsedEvent.Rejected bytes = byteRules(value);
        if (bytes != null) {
            return bytes;
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(value);
        } catch (JacksonException e) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON, "invalid JSON: " + describe(e));
        } catch (NumberFormatException | ArithmeticException e) {
            return numberOutOfRange("");
        }
        if (!(tree instanceof ObjectNode document)) {
            return new ParsedEvent.Rejected(RejectReason.NOT_AN_OBJECT,
                    "the event must be a JSON object, got " + typeName(tree));
        }
        String beyondNumeric = PostgresNumbers.mayExceed(value) ? PostgresNumbers.beyond(document) : null;
        if (beyondNumeric != null) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON, "invalid JSON for jsonb: " + beyondNumeric);
        }
        Object key = stream.keySource() == KeySource.VALUE
                ? keyFromJson(stream.keyColumns(), document, "")
                : keyFromRecordKey(stream, recordKey);
        if (key instanceof ParsedEvent.Rejected rejected) {
            return rejected;
        }
        Object version = stream.versioned() ? version(stream, document.at(stream.versionPointer())) : null;
        if (version instanceof ParsedEvent.Rejected rejected) {
            return rejected;
        }
        // byteRules checked the UTF-8: the document is written as the very bytes that came
        return new ParsedEvent.Upsert((EventKey) key, document, JsonText.ofUtf8(value), (Long) version);
    }

    /**
     * What is wrong with a value's bytes before any parser reads them, or {@code null}: nothing but whitespace, a
     * byte order mark, malformed UTF-8, or an escape jsonb refuses. The same bytes get the same answer whatever their
     * place in the document (see {@link ForbiddenCharacters}).
     */
    private static ParsedEvent.Rejected byteRules(byte[] value) {
        int first = 0;
        while (first < value.length && isWhitespace(value[first])) {
            first++;
        }
        if (first == value.length) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON, "the value holds only whitespace, no JSON value");
        }
        if (first + 2 < value.length && (value[first] & 0xFF) == 0xEF && (value[first + 1] & 0xFF) == 0xBB
                && (value[first + 2] & 0xFF) == 0xBF) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON, "the value starts with a UTF-8 byte order mark "
                    + "(EF BB BF), which JSON text must not carry (RFC 8259, section 8.1): send the JSON without it");
        }
        return ForbiddenCharacters.find(value);
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /**
     * The fast path for a replace-mode stream, which writes the document text as received: {@link DocumentScanner}
     * checks the document and reads the key and version without building a tree. Returns {@code null} when the
     * scanner declines or what it found breaks a rule: the full parse then decides, and explains any rejection.
     */
    private ParsedEvent parseWithoutTree(StreamDefinition stream, byte[] recordKey, byte[] value) {
        Object[] scalars = DocumentScanner.scan(value, pointers.computeIfAbsent(stream, EventParser::scannedPointers));
        if (scalars == null) {
            return null;
        }
        List<KeyColumn> columns = stream.keyColumns();
        boolean keyInValue = stream.keySource() == KeySource.VALUE;
        Object key;
        if (keyInValue) {
            List<Object> values = new ArrayList<>(columns.size());
            for (int i = 0; i < columns.size(); i++) {
                Object keyValue = keyValue(columns.get(i).type(), scalars[i]);
                if (keyValue == null) {
                    return null;
                }
                values.add(keyValue);
            }
            key = checkedKey(values);
        } else {
            key = keyFromRecordKey(stream, recordKey);
        }
        if (key instanceof ParsedEvent.Rejected rejected) {
            return rejected;
        }
        Long version = null;
        if (stream.versioned()) {
            if (!(scalars[scalars.length - 1] instanceof Long found)) {
                return null;
            }
            version = found;
        }
        return new ParsedEvent.Upsert((EventKey) key, null, JsonText.ofUtf8(value), version); // the scanner checked the UTF-8
    }

    /** The pointers the scanner follows for a stream: its key columns' (when the key is in the value), then the version's. */
    private static DocumentScanner.Pointers scannedPointers(StreamDefinition stream) {
        List<JsonPointer> pointers = new ArrayList<>();
        if (stream.keySource() == KeySource.VALUE) {
            stream.keyColumns().forEach(column -> pointers.add(column.pointer()));
        }
        if (stream.versioned()) {
            pointers.add(stream.versionPointer());
        }
        return new DocumentScanner.Pointers(pointers);
    }

    /** A scanned scalar as a value of a key column, or {@code null} when it is not one (the full parse says why). */
    private static Object keyValue(KeyType type, Object scalar) {
        return switch (type) {
            case TEXT -> scalar instanceof String s ? s : null;
            case UUID -> scalar instanceof String s ? type.fromText(s) : null;
            case BIGINT -> scalar instanceof Long l ? l : null;
            case INTEGER -> scalar instanceof Long l && l == l.intValue() ? l.intValue() : null;
        };
    }

    /** Returns the version ({@link Long}) held by {@code node}, or the {@link ParsedEvent.Rejected} saying why not. */
    private static Object version(StreamDefinition stream, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new ParsedEvent.Rejected(RejectReason.MISSING_VERSION,
                    "the version at " + stream.versionPointer() + " is missing");
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_VERSION,
                    "the version at " + stream.versionPointer() + " must be an integer in the bigint range, got "
                            + typeName(node));
        }
        return node.longValue();
    }

    /** Writes a (merged) document tree back to JSON text. */
    public JsonText toJson(ObjectNode document) {
        return JsonText.of(mapper.writeValueAsString(document));
    }

    /** Returns an {@link EventKey} or the {@link ParsedEvent.Rejected} that explains why there is none. */
    private Object keyFromJson(List<KeyColumn> columns, JsonNode source, String where) {
        List<Object> values = new ArrayList<>(columns.size());
        for (KeyColumn column : columns) {
            JsonPointer pointer = column.pointer();
            JsonNode node = source.at(pointer);
            if (node.isMissingNode() || node.isNull()) {
                return new ParsedEvent.Rejected(RejectReason.MISSING_KEY,
                        "key " + column.name() + " at " + pointer + where + " is missing");
            }
            Object value = column.type().fromJson(node);
            if (value == null) {
                return new ParsedEvent.Rejected(RejectReason.WRONG_KEY_TYPE, "key " + column.name() + " at " + pointer
                        + where + " must be " + column.type().expectation() + ", got " + typeName(node));
            }
            values.add(value);
        }
        return checkedKey(values);
    }

    private Object keyFromRecordKey(StreamDefinition stream, byte[] recordKey) {
        List<KeyColumn> columns = stream.keyColumns();
        if (recordKey == null) {
            return new ParsedEvent.Rejected(RejectReason.MISSING_KEY, stream.keySource() == KeySource.VALUE
                    ? "a tombstone needs the row's key as its record key"
                    : "the record has no key");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(recordKey)).toString();
        } catch (CharacterCodingException e) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_UNICODE, "the record key is not valid UTF-8");
        }
        if (text.indexOf('\0') >= 0) {
            return new ParsedEvent.Rejected(RejectReason.NUL_CHARACTER, "the record key contains a NUL character");
        }
        boolean pointers = stream.keySource() == KeySource.RECORD_KEY && columns.getFirst().pointer() != null;
        if (columns.size() == 1 && !pointers) {
            KeyColumn column = columns.getFirst();
            Object value = column.type().fromText(text);
            if (value == null) {
                return new ParsedEvent.Rejected(RejectReason.WRONG_KEY_TYPE,
                        "record key for " + column.name() + " must be a " + column.type().sqlName() + ", got '"
                                + abbreviate(text) + "'");
            }
            return checkedKey(List.of(value));
        }
        JsonNode json;
        try {
            json = mapper.readTree(text);
        } catch (JacksonException e) {
            return new ParsedEvent.Rejected(RejectReason.INVALID_JSON, "the record key is not valid JSON: " + describe(e));
        } catch (NumberFormatException | ArithmeticException e) {
            return numberOutOfRange(" in the record key");
        }
        if (pointers) {
            return keyFromJson(columns, json, " of the record key");
        }
        // A composite key in canonical form: a JSON array of the values in key order.
        if (!(json instanceof ArrayNode array) || array.size() != columns.size()) {
            return new ParsedEvent.Rejected(RejectReason.WRONG_KEY_TYPE,
                    "the record key must be a JSON array of " + columns.size() + " key values in key order");
        }
        List<Object> values = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            KeyColumn column = columns.get(i);
            Object value = column.type().fromJson(array.get(i));
            if (value == null) {
                return new ParsedEvent.Rejected(RejectReason.WRONG_KEY_TYPE, "record key element " + i + " ("
                        + column.name() + ") must be " + column.type().expectation() + ", got " + typeName(array.get(i)));
            }
            values.add(value);
        }
        return checkedKey(values);
    }

    private Object checkedKey(List<Object> values) {
        long bytes = 0;
        for (Object value : values) {
            bytes += value instanceof String s ? utf8Length(s) : value.toString().length();
        }
        if (bytes > limits.maxKeySize().toBytes()) {
            return new ParsedEvent.Rejected(RejectReason.KEY_TOO_LONG,
                    "the key is " + bytes + " bytes, the limit is " + limits.maxKeySize().toBytes());
        }
        return new EventKey(values);
    }

    private static long utf8Length(String s) {
        long length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length++;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static String typeName(JsonNode node) {
        if (node.isString()) {
            return "a string";
        } else if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? "an integer" : "an integer out of the bigint range";
        } else if (node.isNumber()) {
            return "a decimal number";
        } else if (node.isBoolean()) {
            return "a boolean";
        } else if (node.isArray()) {
            return "an array";
        } else if (node.isObject()) {
            return "an object";
        } else if (node.isNull()) {
            return "null";
        }
        return node.getNodeType().name().toLowerCase();
    }

    /**
     * Jackson throws these, not a {@link JacksonException}, for a number such as {@code 1e2147483648} whose exponent a
     * BigDecimal cannot hold; the message quotes the number, so it is not passed on.
     */
    private static ParsedEvent.Rejected numberOutOfRange(String where) {
        return new ParsedEvent.Rejected(RejectReason.INVALID_JSON,
                "invalid JSON: a number" + where + " is beyond the range of a decimal (its exponent is too large)");
    }

    private static String describe(JacksonException e) {
        String message = withoutToken(e.getOriginalMessage());
        TokenStreamLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message = "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": " + message;
        }
        return abbreviate(message.replace('\n', ' '));
    }

    /**
     * Jackson's "Unrecognized token 'what the document holds': was expecting ..." quotes up to 256 characters of the
     * document, and a detail never carries document contents (README, "Dead letters"): the token is left out.
     */
    private static String withoutToken(String message) {
        String prefix = "Unrecognized token '";
        int end = message.lastIndexOf("': was expecting");
        return message.startsWith(prefix) && end >= prefix.length() - 1
                ? "Unrecognized token" + message.substring(end + 1)
                : message;
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_DETAIL_LENGTH ? text : text.substring(0, MAX_DETAIL_LENGTH) + "...";
    }
}
