package dev.upsertingest.core.event;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.JsonPointer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EventParserTest {

    private final EventParser parser = new EventParser(new EventLimits(DataSize.ofBytes(200), DataSize.ofBytes(16)));

    private static StreamDefinition stream(KeySource source, String versionPointer, KeyColumn... keys) {
        return new StreamDefinition("s", "t", "streams", "s", source, List.of(keys),
                versionPointer == null ? null : JsonPointer.compile(versionPointer), MergeMode.REPLACE, Durability.UNLOGGED);
    }

    private static KeyColumn key(String name, KeyType type, String pointer) {
        return new KeyColumn(name, type, pointer == null ? null : JsonPointer.compile(pointer));
    }

    private static final StreamDefinition BY_ID = stream(KeySource.VALUE, null, key("id", KeyType.TEXT, "/id"));

    private ParsedEvent parse(StreamDefinition stream, String key, String value) {
        return parser.parse(stream, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private RejectReason rejection(StreamDefinition stream, String value) {
        return rejection(stream, null, value);
    }

    private RejectReason rejection(StreamDefinition stream, String key, String value) {
        ParsedEvent event = parse(stream, key, value);
        assertThat(event).isInstanceOf(ParsedEvent.Rejected.class);
        return ((ParsedEvent.Rejected) event).reason();
    }

    @Test
    void anObjectWithItsKeyIsAnUpsertCarryingTheOriginalText() {
        String json = "{\"id\": \"a-1\", \"n\": 1.10}";
        ParsedEvent event = parse(BY_ID, null, json);
        assertThat(event).isInstanceOf(ParsedEvent.Upsert.class);
        ParsedEvent.Upsert upsert = (ParsedEvent.Upsert) event;
        assertThat(upsert.key()).isEqualTo(EventKey.of("a-1"));
        assertThat(upsert.json().asString()).isEqualTo(json);
        assertThat(upsert.version()).isNull();
        assertThat(upsert.document()).as("replace mode writes the text: no tree is built").isNull();
    }

    @Test
    void inMergeModeTheTreeKeepsNumbersAsSent() {
        StreamDefinition merging = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
                List.of(key("id", KeyType.TEXT, "/id")), null, MergeMode.MERGE, Durability.UNLOGGED);
        ParsedEvent.Upsert upsert = (ParsedEvent.Upsert) parse(merging, null, "{\"id\": \"a-1\", \"n\": 1.10}");
        assertThat(parser.toJson(upsert.document()).asString()).isEqualTo("{\"id\":\"a-1\",\"n\":1.10}");
    }

    /**
     * Replace mode reads key and version with a streaming scan, merge mode from the full tree: the two must agree on
     * every event, rejections and their details included.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"id\": \"a\", \"v\": 1}",
            "{\"v\": 1, \"pad\": [1, {\"id\": \"no\"}], \"id\": \"a\"}",
            "{\"id\": \"first\", \"v\": 1, \"id\": \"last\"}",
            "{\"id\": \"a\", \"v\": 1, \"v\": 2}",
            "{\"id\": \"a\", \"v\": 9223372036854775808}",
            "{\"id\": \"a\", \"v\": 1e3}",
            "{\"id\": \"a\", \"v\": null}",
            "{\"id\": [\"a\"], \"v\": 1}",
            "{\"id\": {\"x\": 1}, \"v\": 1}",
            "{\"id\": true, \"v\": 1}",
            "{\"id\": \"a\", \"v\": 1",
            "{\"id\": \"a\", \"v\": 1} {}",
            "{\"id\": \"a\", \"v\": 1}]",
            "[{\"id\": \"a\", \"v\": 1}]",
            "{\"id\": \"a\" \"v\": 1}",
            "{\"id\": \"a\", \"v\": 01}",
            "{\"id\": \"a\", \"v\": 1, \"x\": NaN}",
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\u0000\"}",
            "{\"id\": \"a\\u0000\", \"v\": 1}",
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\q\"}",
            "{\"id\": \"a\", \"v\": 1, \"deep\": [[[[{\"a\": [1, 2, {\"b\": null}]}]]]]}",
            "{\"id\": \"\\u00e9t\\u00e9\", \"v\": -3}",
            "{\"id\": \"0123456789abcdefg\", \"v\": 1}",
            "`  {\"id\": \"a\", \"v\": 1}  `",
            "{}",
    })
    void theStreamingScanAgreesWithTheTree(String value) {
        StreamDefinition replacing = stream(KeySource.VALUE, "/v", key("id", KeyType.TEXT, "/id"));
        StreamDefinition merging = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
                List.of(key("id", KeyType.TEXT, "/id")), JsonPointer.compile("/v"), MergeMode.MERGE, Durability.UNLOGGED);
        assertThat(comparable(parse(replacing, null, value))).isEqualTo(comparable(parse(merging, null, value)));
    }

    @Test
    void theStreamingScanFollowsNestedPointersAndArrayIndexes() {
        StreamDefinition nested = stream(KeySource.VALUE, "/meta/v",
                key("tenant", KeyType.TEXT, "/ids/0"), key("seq", KeyType.BIGINT, "/a/b/seq"));
        StreamDefinition nestedMerging = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
                nested.keyColumns(), nested.versionPointer(), MergeMode.MERGE, Durability.UNLOGGED);
        EventParser parser = new EventParser(EventLimits.defaults());
        for (String value : List.of(
                "{\"ids\": [\"t\", \"u\"], \"a\": {\"x\": [1], \"b\": {\"seq\": 5}}, \"meta\": {\"v\": 2}}",
                "{\"ids\": {\"0\": \"t\"}, \"a\": {\"b\": {\"seq\": 5}}, \"meta\": {\"v\": 2}}",
                "{\"ids\": [], \"a\": {\"b\": {\"seq\": 5}}, \"meta\": {\"v\": 2}}",
                "{\"ids\": [\"t\"], \"a\": {\"b\": 5}, \"meta\": {\"v\": 2}}",
                "{\"ids\": [\"t\"], \"a\": {\"b\": {\"seq\": 5}}, \"a\": {}, \"meta\": {\"v\": 2}}",
                "{\"meta\": [{\"v\": 2}], \"ids\": [\"t\"], \"a\": {\"b\": {\"seq\": 5}}}")) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            assertThat(comparable(parser.parse(nested, null, bytes)))
                    .as(value).isEqualTo(comparable(parser.parse(nestedMerging, null, bytes)));
        }
        assertThat(parser.parse(nested, null,
                "{\"ids\": [\"t\"], \"a\": {\"b\": {\"seq\": 5}}, \"meta\": {\"v\": 2}}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ParsedEvent.Upsert.class, u -> {
                    assertThat(u.key()).isEqualTo(EventKey.of("t", 5L));
                    assertThat(u.version()).isEqualTo(2L);
                });
    }

    /** What must be equal between the two paths: the outcome without the tree (which only merge mode keeps). */
    private static Object comparable(ParsedEvent event) {
        return event instanceof ParsedEvent.Upsert u ? List.of(u.key(), u.json(), String.valueOf(u.version())) : event;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"id\": \"a\"                      | INVALID_JSON",
            "{\"id\": \"a\"} trailing              | INVALID_JSON",
            "not json                              | INVALID_JSON",
            "[1, 2]                                | NOT_AN_OBJECT",
            "\"just a string\"                     | NOT_AN_OBJECT",
            "42                                    | NOT_AN_OBJECT",
            "null                                  | NOT_AN_OBJECT",
            "{\"other\": 1}                        | MISSING_KEY",
            "{\"id\": null}                        | MISSING_KEY",
            "{\"id\": 17}                          | WRONG_KEY_TYPE",
            "{\"id\": {\"nested\": 1}}             | WRONG_KEY_TYPE",
            "{\"id\": \"0123456789abcdefg\"}       | KEY_TOO_LONG",
            "{\"id\": \"a\", \"x\": \"nul \\u0000\"} | NUL_CHARACTER",
            "{\"id\": \"a\", \"x\\u0000\": 1}      | NUL_CHARACTER",
            "{\"id\": \"a\", \"x\": \"\\ud800 lone\"} | INVALID_UNICODE",
            "{\"id\": \"a\", \"x\": \"\\udc00\"}   | INVALID_UNICODE",
    })
    void eachBrokenRuleHasItsReason(String value, RejectReason expected) {
        assertThat(rejection(BY_ID, value)).isEqualTo(expected);
    }

    @Test
    void aNumberNoDecimalCanHoldIsInvalidJsonNotACrash() {
        StreamDefinition merging = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
                List.of(key("id", KeyType.TEXT, "/id")), null, MergeMode.MERGE, Durability.UNLOGGED);
        for (StreamDefinition stream : List.of(BY_ID, merging)) {
            ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parse(stream, null, "{\"id\": \"a\", \"x\": 9e2036854775808}");
            assertThat(rejected.reason()).isEqualTo(RejectReason.INVALID_JSON);
            assertThat(rejected.detail()).doesNotContain("2036854775808");
        }
    }

    @Test
    void anEscapedBackslashBeforeU0000IsNotANul() {
        assertThat(parse(BY_ID, null, "{\"id\": \"a\", \"path\": \"C:\\\\u0000\"}")).isInstanceOf(ParsedEvent.Upsert.class);
    }

    @Test
    void aSurrogatePairIsFine() {
        assertThat(parse(BY_ID, null, "{\"id\": \"a\", \"smile\": \"\\ud83d\\ude00\"}")).isInstanceOf(ParsedEvent.Upsert.class);
    }

    /** {@code {"id": "a", "x": "<bad>"}} with {@code bad} as raw bytes inside the string. */
    private static byte[] withRawBytes(int... bad) {
        byte[] prefix = "{\"id\": \"a\", \"x\": \"".getBytes(StandardCharsets.UTF_8);
        byte[] json = new byte[prefix.length + bad.length + 2];
        System.arraycopy(prefix, 0, json, 0, prefix.length);
        for (int i = 0; i < bad.length; i++) {
            json[prefix.length + i] = (byte) bad[i];
        }
        json[json.length - 2] = '"';
        json[json.length - 1] = '}';
        return json;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "C3 28       | a sequence cut short",
            "C3          | a sequence cut short",
            "E2 82       | a sequence cut short",
            "F0 9F 98    | a sequence cut short",
            "C0 AF       | an overlong encoding",
            "C1 BF       | an overlong encoding",
            "E0 80 AF    | an overlong encoding",
            "E0 9F BF    | an overlong encoding",
            "F0 80 80 AF | an overlong encoding",
            "F0 8F BF BF | an overlong encoding",
            "ED A0 80    | a UTF-16 surrogate encoded directly",
            "ED BF BF    | a UTF-16 surrogate encoded directly",
            "F4 90 80 80 | a code point above U+10FFFF",
            "F5 80 80 80 | a code point above U+10FFFF",
            "80          | a continuation byte",
            "BF          | a continuation byte",
            "FF          | a byte that never occurs in UTF-8",
            "F8 88 80 80 80 | a byte that never occurs in UTF-8",
    })
    void malformedUtf8IsInvalidUnicodeWithWhatAndWhere(String hex, String what) {
        int[] bytes = java.util.Arrays.stream(hex.trim().split(" ")).mapToInt(h -> Integer.parseInt(h, 16)).toArray();
        for (StreamDefinition stream : List.of(BY_ID, merging(BY_ID))) {
            ParsedEvent event = parser.parse(stream, null, withRawBytes(bytes));
            assertThat(event).as(hex).isInstanceOfSatisfying(ParsedEvent.Rejected.class, r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.INVALID_UNICODE);
                assertThat(r.detail()).startsWith("the value is not well-formed UTF-8: " + what).endsWith("at byte 18");
            });
        }
    }

    @Test
    void malformedUtf8InANameOrOutsideStringsIsInvalidUnicodeToo() {
        byte[] inName = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', ',', '"', 'i', 'd', '"', ':', '"', 'a', '"', '}'};
        byte[] outside = {'{', '"', 'i', 'd', '"', ':', '"', 'a', '"', '}', ' ', (byte) 0xE2, (byte) 0x82};
        for (byte[] value : List.of(inName, outside)) {
            assertThat(parser.parse(BY_ID, null, value)).isInstanceOfSatisfying(ParsedEvent.Rejected.class,
                    r -> assertThat(r.reason()).isEqualTo(RejectReason.INVALID_UNICODE));
        }
    }

    @Test
    void wellFormedUtf8IsStoredAsTheVeryBytesSentOnBothPaths() {
        String text = "{\"id\": \"a\", \"x\": \"\u00e9\u0800\uffff\ud800\udc00\udbff\udfff \u20ac\"}";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (StreamDefinition stream : List.of(BY_ID, merging(BY_ID))) {
            ParsedEvent.Upsert upsert = (ParsedEvent.Upsert) parser.parse(stream, null, bytes);
            assertThat(upsert.json().utf8()).isEqualTo(bytes);
        }
    }

    @Test
    void aByteOrderMarkBeforeTheValueIsInvalidJsonAndSaysSo() {
        byte[] json = "{\"id\": \"a\"}".getBytes(StandardCharsets.UTF_8);
        for (byte[] value : List.of(concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, json),
                concat(new byte[]{' ', '\n', (byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, json))) {
            for (StreamDefinition stream : List.of(BY_ID, merging(BY_ID))) {
                ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parser.parse(stream, null, value);
                assertThat(rejected.reason()).isEqualTo(RejectReason.INVALID_JSON);
                assertThat(rejected.detail()).contains("byte order mark", "RFC 8259");
            }
        }
    }

    @Test
    void aValueOfOnlyWhitespaceIsInvalidJsonNotANonObject() {
        for (String blank : List.of(" ", "\n", "  \t\r\n ")) {
            for (StreamDefinition stream : List.of(BY_ID, merging(BY_ID))) {
                ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parse(stream, null, blank);
                assertThat(rejected.reason()).isEqualTo(RejectReason.INVALID_JSON);
                assertThat(rejected.detail()).isEqualTo("the value holds only whitespace, no JSON value");
            }
        }
    }

    @Test
    void aBrokenSurrogateEscapeIsInvalidUnicodeInANameAsInAValue() {
        for (String value : List.of("{\"id\": \"a\", \"\\ud800\": 1}", "{\"id\": \"a\", \"\\ud800x\": 1}",
                "{\"id\": \"a\", \"\\udc00\\ud800\": 1}", "{\"id\": \"a\", \"x\": \"\\ud800\"}",
                "{\"id\": \"a\", \"x\": \"\\ud83d\\u0041\"}")) {
            for (StreamDefinition stream : List.of(BY_ID, merging(BY_ID))) {
                assertThat(rejection(stream, value)).as(value).isEqualTo(RejectReason.INVALID_UNICODE);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    private static StreamDefinition merging(StreamDefinition stream) {
        return new StreamDefinition(stream.name(), stream.topic(), stream.tableSchema(), stream.tableName(), stream.keySource(),
                stream.keyColumns(), stream.versionPointer(), MergeMode.MERGE, stream.durability());
    }

    @Test
    void anOversizedDocumentIsRejectedBeforeParsing() {
        String big = "{\"id\": \"a\", \"pad\": \"" + "x".repeat(300) + "\"}";
        ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parse(BY_ID, null, big);
        assertThat(rejected.reason()).isEqualTo(RejectReason.DOCUMENT_TOO_LARGE);
        assertThat(rejected.detail()).contains("limit is 200");
    }

    @Test
    void anEmptyValueIsNotATombstone() {
        assertThat(rejection(BY_ID, "")).isEqualTo(RejectReason.INVALID_JSON);
    }

    @Test
    void rejectionDetailsNameTheKeyAndWhatWasExpected() {
        ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parse(BY_ID, null, "{\"id\": 17}");
        assertThat(rejected.detail()).isEqualTo("key id at /id must be a JSON string, got an integer");
    }

    @Test
    void typedAndCompositeKeysFromTheValue() {
        EventParser parser = new EventParser(EventLimits.defaults());
        StreamDefinition composite = stream(KeySource.VALUE, null,
                key("tenant", KeyType.UUID, "/tenant"), key("seq", KeyType.BIGINT, "/a/seq"), key("n", KeyType.INTEGER, "/n"));
        UUID tenant = UUID.randomUUID();
        java.util.function.Function<String, ParsedEvent> parse =
                value -> parser.parse(composite, null, value.getBytes(StandardCharsets.UTF_8));
        ParsedEvent event = parse.apply("{\"tenant\": \"" + tenant + "\", \"a\": {\"seq\": 9000000000}, \"n\": 3}");
        assertThat(((ParsedEvent.Upsert) event).key()).isEqualTo(EventKey.of(tenant, 9_000_000_000L, 3));

        assertThat(parse.apply("{\"tenant\": \"not-a-uuid\", \"a\": {\"seq\": 1}, \"n\": 3}"))
                .extracting(e -> ((ParsedEvent.Rejected) e).reason()).isEqualTo(RejectReason.WRONG_KEY_TYPE);
        assertThat(parse.apply("{\"tenant\": \"" + tenant + "\", \"a\": {\"seq\": 1.5}, \"n\": 3}"))
                .extracting(e -> ((ParsedEvent.Rejected) e).reason()).isEqualTo(RejectReason.WRONG_KEY_TYPE);
        assertThat(parse.apply("{\"tenant\": \"" + tenant + "\", \"a\": {\"seq\": 1}, \"n\": 3000000000}"))
                .extracting(e -> ((ParsedEvent.Rejected) e).reason()).isEqualTo(RejectReason.WRONG_KEY_TYPE);
        assertThat(parse.apply("{\"tenant\": \"" + tenant + "\", \"n\": 3}"))
                .extracting(e -> ((ParsedEvent.Rejected) e).reason()).isEqualTo(RejectReason.MISSING_KEY);
    }

    @Test
    void versionsMustBeIntegers() {
        StreamDefinition versioned = stream(KeySource.VALUE, "/v", key("id", KeyType.TEXT, "/id"));
        assertThat(((ParsedEvent.Upsert) parse(versioned, null, "{\"id\": \"a\", \"v\": 7}")).version()).isEqualTo(7L);
        assertThat(rejection(versioned, "{\"id\": \"a\"}")).isEqualTo(RejectReason.MISSING_VERSION);
        assertThat(rejection(versioned, "{\"id\": \"a\", \"v\": \"7\"}")).isEqualTo(RejectReason.INVALID_VERSION);
        assertThat(rejection(versioned, "{\"id\": \"a\", \"v\": 7.5}")).isEqualTo(RejectReason.INVALID_VERSION);
    }

    @Test
    void tombstonesTakeTheirKeyFromTheRecordKey() {
        assertThat(parse(BY_ID, "a-1", null)).isEqualTo(new ParsedEvent.Delete(EventKey.of("a-1")));
        assertThat(rejection(BY_ID, null, null)).isEqualTo(RejectReason.MISSING_KEY);

        StreamDefinition composite = stream(KeySource.VALUE, null, key("a", KeyType.TEXT, "/a"), key("b", KeyType.BIGINT, "/b"));
        assertThat(parse(composite, "[\"x\", 5]", null)).isEqualTo(new ParsedEvent.Delete(EventKey.of("x", 5L)));
        assertThat(rejection(composite, "[\"x\"]", null)).isEqualTo(RejectReason.WRONG_KEY_TYPE);
        assertThat(rejection(composite, "x", null)).isEqualTo(RejectReason.INVALID_JSON);
    }

    @Test
    void theCanonicalKeyIsWhatTombstonesCarry() {
        StreamDefinition composite = stream(KeySource.VALUE, null, key("a", KeyType.TEXT, "/a"), key("b", KeyType.BIGINT, "/b"));
        EventKey key = ((ParsedEvent.Upsert) parse(composite, null, "{\"a\": \"x\\\"y\", \"b\": 5}")).key();
        assertThat(parse(composite, key.canonical(), null)).isEqualTo(new ParsedEvent.Delete(key));
    }

    @Test
    void keysFromTheRecordKey() {
        StreamDefinition plain = stream(KeySource.RECORD_KEY, null, key("id", KeyType.BIGINT, null));
        assertThat(((ParsedEvent.Upsert) parse(plain, "42", "{\"any\": 1}")).key()).isEqualTo(EventKey.of(42L));
        assertThat(rejection(plain, "forty-two", "{\"any\": 1}")).isEqualTo(RejectReason.WRONG_KEY_TYPE);
        assertThat(rejection(plain, null, "{\"any\": 1}")).isEqualTo(RejectReason.MISSING_KEY);
        assertThat(rejection(plain, "4\u00002", "{\"any\": 1}")).isEqualTo(RejectReason.NUL_CHARACTER);

        StreamDefinition json = stream(KeySource.RECORD_KEY, null, key("a", KeyType.TEXT, "/a"), key("b", KeyType.INTEGER, "/b"));
        assertThat(((ParsedEvent.Upsert) parse(json, "{\"a\": \"x\", \"b\": 2}", "{}")).key()).isEqualTo(EventKey.of("x", 2));
        assertThat(parse(json, "{\"a\": \"x\", \"b\": 2}", null)).isEqualTo(new ParsedEvent.Delete(EventKey.of("x", 2)));
        assertThat(rejection(json, "{\"a\": \"x\"}", "{}")).isEqualTo(RejectReason.MISSING_KEY);
    }

    @Test
    void keySizeCountsUtf8Bytes() {
        // 6 characters, 18 bytes in UTF-8: over the 16-byte limit.
        assertThat(rejection(BY_ID, "{\"id\": \"\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\"}")).isEqualTo(RejectReason.KEY_TOO_LONG);
        assertThat(parse(BY_ID, null, "{\"id\": \"\u20ac\u20ac\u20ac\u20ac\u20ac\"}")).isInstanceOf(ParsedEvent.Upsert.class);
    }

    // Found by FuzzIT (issue 13, item 8): each of these got different answers on the two paths, or from the API and
    // the database.

    private static final StreamDefinition MERGING = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
            List.of(key("id", KeyType.TEXT, "/id")), null, MergeMode.MERGE, Durability.UNLOGGED);
    private final EventParser roomy = new EventParser(new EventLimits(DataSize.ofKilobytes(128), DataSize.ofBytes(16)));

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1e131072", "-1E+131072", "0e200000", "1e-16384", "1.5e-16383", "0.1e-16383",
            "1e999999999", "0.000e-99999"})
    void aNumberBeyondPostgresNumericIsInvalidJsonOnBothPaths(String number) {
        for (StreamDefinition stream : List.of(BY_ID, MERGING)) {
            ParsedEvent event = parser.parse(stream, null, ("{\"id\": \"a\", \"n\": " + number + "}").getBytes(StandardCharsets.UTF_8));
            assertThat(event).as(number).isInstanceOf(ParsedEvent.Rejected.class);
            assertThat(((ParsedEvent.Rejected) event).reason()).isEqualTo(RejectReason.INVALID_JSON);
            assertThat(((ParsedEvent.Rejected) event).detail()).contains("numeric");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1e131071", "-1E-9999", "1e-16383", "0e99999", "0.0e-16382", "12345e4"})
    void aNumberPostgresNumericHoldsIsAccepted(String number) {
        for (StreamDefinition stream : List.of(BY_ID, MERGING)) {
            assertThat(parser.parse(stream, null, ("{\"id\": \"a\", \"n\": " + number + "}").getBytes(StandardCharsets.UTF_8)))
                    .as(number).isInstanceOf(ParsedEvent.Upsert.class);
        }
    }

    @Test
    void aNameLongerThanJacksonsDefaultGetsOneAnswerOnEitherPath() {
        String name = "n".repeat(60_000);
        for (String id : List.of("\"a\"", "\"\\u0061\"")) { // an escaped key sends a replace-mode event through the full parse
            for (StreamDefinition stream : List.of(BY_ID, MERGING)) {
                String json = "{\"id\": " + id + ", \"" + name + "\": 1}";
                assertThat(roomy.parse(stream, null, json.getBytes(StandardCharsets.UTF_8)))
                        .as("%s, key %s", stream.mergeMode(), id).isInstanceOf(ParsedEvent.Upsert.class);
            }
        }
    }

    @Test
    void anUnrecognizedTokenIsNotQuotedInTheDetail() {
        for (StreamDefinition stream : List.of(BY_ID, MERGING)) {
            ParsedEvent.Rejected rejected = (ParsedEvent.Rejected) parse(stream, null, "{\"id\": \"a\", \"x\": secretValue}");
            assertThat(rejected.reason()).isEqualTo(RejectReason.INVALID_JSON);
            assertThat(rejected.detail()).contains("Unrecognized token").doesNotContain("secretValue");
        }
    }
}
