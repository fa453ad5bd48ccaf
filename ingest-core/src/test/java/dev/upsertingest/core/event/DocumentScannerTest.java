package dev.upsertingest.core.event;

import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JsonPointer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanner may decline anything, but what it accepts must be exactly what the full Jackson parse makes of it. The
 * randomized test compares the two paths (replace mode takes the scanner, merge mode always parses the tree) on
 * generated documents and on broken variants of them.
 */
class DocumentScannerTest {

    private static final DocumentScanner.Pointers ID_AND_VERSION =
            new DocumentScanner.Pointers(List.of(JsonPointer.compile("/id"), JsonPointer.compile("/v")));

    private static Object[] scan(String json) {
        return DocumentScanner.scan(json.getBytes(StandardCharsets.UTF_8), ID_AND_VERSION);
    }

    @Test
    void readsTheScalarsAtThePointers() {
        assertThat(scan("{\"id\": \"a-1\", \"v\": 42, \"x\": [1, 2.5e-3, {\"id\": \"no\"}], \"n\": null, \"t\": true}"))
                .containsExactly("a-1", 42L);
        assertThat(scan(" {\"v\":-9223372036854775808,\"id\":\"\u00e9\u20ac\ud83d\ude00\"}\n")).containsExactly("\u00e9\u20ac\ud83d\ude00", Long.MIN_VALUE);
        assertThat(scan("{\"id\": \"a\", \"v\": -0, \"s\": \"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\"}"))
                .containsExactly("a", 0L);
    }

    @Test
    void followsNestedPointersAndArrayIndexes() {
        DocumentScanner.Pointers nested = new DocumentScanner.Pointers(List.of(JsonPointer.compile("/a/1/b"), JsonPointer.compile("/a/0")));
        assertThat(DocumentScanner.scan("{\"a\": [7, {\"b\": \"x\"}]}".getBytes(StandardCharsets.UTF_8), nested)).containsExactly("x", 7L);
        DocumentScanner.Pointers property = new DocumentScanner.Pointers(List.of(JsonPointer.compile("/a/0")));
        assertThat(DocumentScanner.scan("{\"a\": {\"0\": 5}}".getBytes(StandardCharsets.UTF_8), property)).containsExactly(5L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"id\": \"a\"}",                                    // the version is missing
            "{\"id\": \"a\", \"v\": 1.5}",                        // not an integer
            "{\"id\": \"a\", \"v\": 1e2}",
            "{\"id\": \"a\", \"v\": 9223372036854775808}",        // out of the bigint range
            "{\"id\": \"a\", \"v\": 1, \"x\": 1e12345}",      // an exponent beyond what it vouches for
            "{\"id\": \"a\", \"v\": null}",
            "{\"id\": {\"x\": 1}, \"v\": 1}",
            "{\"id\": \"a\\u0062\", \"v\": 1}",                   // an escape in a value pointed at
            "{\"i\\u0064\": \"a\", \"v\": 1}",                    // an escape in a name on the way
            "{\"id\": \"a\", \"id\": \"b\", \"v\": 1}",           // a duplicate on the way
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\u0000\"}",      // what jsonb refuses
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\ud800\"}",
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\udc00\\ud800\"}",
            "{\"id\": \"a\", \"v\": 1, \"x\": \"\\q\"}",          // invalid JSON from here on
            "{\"id\": \"a\", \"v\": 01}",
            "{\"id\": \"a\", \"v\": 1,}",
            "{\"id\": \"a\", \"v\": 1} x",
            "{\"id\": \"a\", \"v\": 1",
            "{\"id\": \"a\" \"v\": 1}",
            "{\"id\": \"a\", \"v\": 1, \"x\": tru}",
            "{\"id\": \"a\", \"v\": 1, \"x\": [1 2]}",
            "{\"id\": \"a\", \"v\": 1, \"x\": -}",
            "{\"id\": \"a\", \"v\": 1, \"x\": 1.}",
            "{\"id\": \"a\", \"v\": 1, \"x\": .5}",
            "{\"id\": \"a\", \"v\": 1, \"x\": NaN}",
            "{'id': 'a', 'v': 1}",
            "[{\"id\": \"a\", \"v\": 1}]",
            "\"{\\\"id\\\": \\\"a\\\"}\"",
            "",
    })
    void declinesWhatItDoesNotHandleOrWhatIsWrong(String json) {
        assertThat(scan(json)).isNull();
    }

    @Test
    void declinesMalformedUtf8AndControlCharacters() {
        for (byte[] bad : List.of(new byte[]{(byte) 0xC3, 0x28}, new byte[]{(byte) 0xC0, (byte) 0xAF},
                new byte[]{(byte) 0xC1, (byte) 0xBF}, new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                new byte[]{(byte) 0xE0, (byte) 0x9F, (byte) 0xBF}, new byte[]{(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},
                new byte[]{(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[]{(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
                new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[]{(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                new byte[]{(byte) 0xE2, (byte) 0x82}, new byte[]{(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, new byte[]{(byte) 0x80},
                new byte[]{(byte) 0xBF}, new byte[]{(byte) 0xFF}, new byte[]{0x01}, new byte[]{'\n'})) {
            byte[] prefix = "{\"id\": \"a\", \"v\": 1, \"x\": \"".getBytes(StandardCharsets.UTF_8);
            byte[] json = new byte[prefix.length + bad.length + 2];
            System.arraycopy(prefix, 0, json, 0, prefix.length);
            System.arraycopy(bad, 0, json, prefix.length, bad.length);
            json[json.length - 2] = '"';
            json[json.length - 1] = '}';
            assertThat(DocumentScanner.scan(json, ID_AND_VERSION)).isNull();
        }
    }

    /**
     * Every lead byte with every second byte (and continuations after them) inside a string: the scanner accepts
     * exactly what the JDK's strict decoder accepts, and the full parse rejects exactly the rest as invalid_unicode.
     */
    @Test
    void acceptsExactlyWellFormedUtf8AndTheFullParseRejectsTheRest() {
        EventParser parser = new EventParser(EventLimits.defaults());
        byte[] prefix = "{\"id\": \"a\", \"v\": 1, \"x\": \"".getBytes(StandardCharsets.UTF_8);
        List<String> wrong = new java.util.ArrayList<>();
        for (int lead = 0x20; lead < 256; lead++) {
            for (int second = 0x20; second < 256; second++) {
                byte[] sequence = {(byte) lead, (byte) second, (byte) 0x80, (byte) 0x80};
                if (lead == '"' || lead == '\\' || second == '"' || second == '\\' || lead == 0x7F || second == 0x7F) {
                    continue;
                }
                byte[] json = new byte[prefix.length + sequence.length + 2];
                System.arraycopy(prefix, 0, json, 0, prefix.length);
                System.arraycopy(sequence, 0, json, prefix.length, sequence.length);
                json[json.length - 2] = '"';
                json[json.length - 1] = '}';
                boolean wellFormed = wellFormed(sequence);
                boolean scanned = DocumentScanner.scan(json, ID_AND_VERSION) != null;
                for (StreamDefinition stream : List.of(REPLACING_BY_ID, MERGING_BY_ID)) {
                    ParsedEvent event = parser.parse(stream, null, json);
                    boolean right = wellFormed ? event instanceof ParsedEvent.Upsert
                            : event instanceof ParsedEvent.Rejected r && r.reason() == RejectReason.INVALID_UNICODE;
                    if (!right || scanned != wellFormed) {
                        wrong.add(String.format("%02X %02X 80 80 (%s): scanned %s, %s", lead, second, stream.mergeMode(), scanned, event));
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static boolean wellFormed(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static final StreamDefinition REPLACING_BY_ID = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
            List.of(new KeyColumn("id", KeyType.TEXT, JsonPointer.compile("/id"))),
            JsonPointer.compile("/v"), MergeMode.REPLACE, Durability.UNLOGGED);
    private static final StreamDefinition MERGING_BY_ID = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
            REPLACING_BY_ID.keyColumns(), REPLACING_BY_ID.versionPointer(), MergeMode.MERGE, Durability.UNLOGGED);

    @Test
    void declinesAByteOrderMarkAndValuesOfOnlyWhitespace() {
        byte[] json = "{\"id\": \"a\", \"v\": 1}".getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[json.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, withBom, 3, json.length);
        assertThat(DocumentScanner.scan(withBom, ID_AND_VERSION)).isNull();
        assertThat(scan("   ")).isNull();
        assertThat(scan(" \r\n\t")).isNull();
    }

    @Test
    void declinesNestingDeeperThanItsLimit() {
        String deep = "[".repeat(DocumentScanner.MAX_DEPTH) + "]".repeat(DocumentScanner.MAX_DEPTH);
        assertThat(scan("{\"id\": \"a\", \"v\": 1, \"x\": " + deep + "}")).isNull();
        String shallow = "[".repeat(DocumentScanner.MAX_DEPTH - 2) + "]".repeat(DocumentScanner.MAX_DEPTH - 2);
        assertThat(scan("{\"id\": \"a\", \"v\": 1, \"x\": " + shallow + "}")).isNotNull();
    }

    @Test
    void marksTheFirstByteThatEndsAPlainRunInAWord() {
        for (int position = 0; position < Long.BYTES; position++) {
            for (int value = 0; value < 256; value++) {
                byte[] word = "abcdefgh".getBytes(StandardCharsets.US_ASCII);
                word[position] = (byte) value;
                boolean stop = value < 0x20 || value == '"' || value == '\\' || value >= 0x80;
                long stops = DocumentScanner.stops(java.nio.ByteBuffer.wrap(word).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
                assertThat(stops == 0 ? -1 : Long.numberOfTrailingZeros(stops) >>> 3)
                        .as("byte 0x%02x at %d", value, position).isEqualTo(stop ? position : -1);
            }
        }
    }

    @Test
    void findsTheEndOfLongStringsWhereverItFalls() {
        for (int length = 0; length < 40; length++) {
            String text = "Lorem ipsum dolor sit amet, consectetur".substring(0, length);
            assertThat(scan("{\"id\": \"" + text + "\", \"v\": 1}")).as("length %d", length).containsExactly(text, 1L);
            assertThat(scan("{\"v\": 1, \"id\": \"" + text + "\u00e9" + text + "\"}")).containsExactly(text + "\u00e9" + text, 1L);
            assertThat(scan("{\"v\": 1, \"id\": \"" + text + "\n\"}")).isNull();
        }
    }

    private static final StreamDefinition REPLACING = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
            List.of(new KeyColumn("id", KeyType.TEXT, JsonPointer.compile("/id")),
                    new KeyColumn("n", KeyType.INTEGER, JsonPointer.compile("/k/n"))),
            JsonPointer.compile("/v"), MergeMode.REPLACE, Durability.UNLOGGED);
    private static final StreamDefinition MERGING = new StreamDefinition("s", "t", "streams", "s", KeySource.VALUE,
            REPLACING.keyColumns(), REPLACING.versionPointer(), MergeMode.MERGE, Durability.UNLOGGED);

    @Test
    void agreesWithTheFullParseOnRandomDocumentsAndTheirBrokenVariants() {
        EventParser parser = new EventParser(EventLimits.defaults());
        SplittableRandom random = new SplittableRandom(20261201);
        int scanned = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] json = new RandomJson(random).document().getBytes(StandardCharsets.UTF_8);
            if (round % 2 == 1) {
                json = mutate(json, random);
            }
            if (DocumentScanner.scan(json, new DocumentScanner.Pointers(List.of(JsonPointer.compile("/id"),
                    JsonPointer.compile("/k/n"), JsonPointer.compile("/v")))) != null) {
                scanned++;
            }
            ParsedEvent fast = parser.parse(REPLACING, null, json);
            ParsedEvent full = parser.parse(MERGING, null, json);
            assertThat(comparable(fast)).as(new String(json, StandardCharsets.UTF_8)).isEqualTo(comparable(full));
        }
        assertThat(scanned).as("documents the scanner accepted").isGreaterThan(2_500);
    }

    private static Object comparable(ParsedEvent event) {
        return event instanceof ParsedEvent.Upsert u ? List.of(u.key(), u.json(), String.valueOf(u.version())) : event;
    }

    private static byte[] mutate(byte[] json, SplittableRandom random) {
        byte[] pool = "{}[]\",:\\u0aeE.-+ 9\u00e9".getBytes(StandardCharsets.UTF_8);
        int at = random.nextInt(json.length);
        return switch (random.nextInt(6)) {
            case 4 -> { // splice in a malformed (or, now and then, a well-formed) UTF-8 sequence
                byte[][] sequences = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xC1, (byte) 0x81}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF8}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
                        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}};
                byte[] sequence = sequences[random.nextInt(sequences.length)];
                byte[] longer = new byte[json.length + sequence.length];
                System.arraycopy(json, 0, longer, 0, at);
                System.arraycopy(sequence, 0, longer, at, sequence.length);
                System.arraycopy(json, at, longer, at + sequence.length, json.length - at);
                yield longer;
            }
            case 5 -> switch (random.nextInt(3)) { // what comes before the value, or instead of it
                case 0 -> {
                    byte[] bom = new byte[json.length + 3];
                    bom[0] = (byte) 0xEF;
                    bom[1] = (byte) 0xBB;
                    bom[2] = (byte) 0xBF;
                    System.arraycopy(json, 0, bom, 3, json.length);
                    yield bom;
                }
                case 1 -> " \n\t\r".substring(0, 1 + random.nextInt(4)).getBytes(StandardCharsets.UTF_8);
                default -> { // a broken surrogate escape, in a name or a value
                    byte[] escape = (random.nextBoolean() ? "\\ud800" : "\\udc00\\ud83d").getBytes(StandardCharsets.UTF_8);
                    byte[] longer = new byte[json.length + escape.length];
                    System.arraycopy(json, 0, longer, 0, at);
                    System.arraycopy(escape, 0, longer, at, escape.length);
                    System.arraycopy(json, at, longer, at + escape.length, json.length - at);
                    yield longer;
                }
            };
            case 0 -> { // drop a byte
                byte[] shorter = new byte[json.length - 1];
                System.arraycopy(json, 0, shorter, 0, at);
                System.arraycopy(json, at + 1, shorter, at, json.length - at - 1);
                yield shorter;
            }
            case 1 -> { // insert a byte
                byte[] longer = new byte[json.length + 1];
                System.arraycopy(json, 0, longer, 0, at);
                longer[at] = random.nextBoolean() ? pool[random.nextInt(pool.length)] : (byte) random.nextInt(256);
                System.arraycopy(json, at, longer, at + 1, json.length - at);
                yield longer;
            }
            case 2 -> { // replace a byte
                byte[] copy = json.clone();
                copy[at] = random.nextBoolean() ? pool[random.nextInt(pool.length)] : (byte) random.nextInt(256);
                yield copy;
            }
            default -> java.util.Arrays.copyOf(json, at); // truncate
        };
    }

    /** Random JSON objects that usually carry /id, /k/n and /v, with every kind of value around them. */
    private record RandomJson(SplittableRandom random) {

        String document() {
            StringBuilder out = new StringBuilder("{");
            List<String> members = new java.util.ArrayList<>();
            if (random.nextInt(10) > 0) {
                members.add("\"id\": " + (random.nextInt(10) > 0 ? string() : scalar()));
            }
            if (random.nextInt(10) > 0) {
                members.add("\"k\": {\"n\": " + (random.nextInt(8) > 0 ? Integer.toString(random.nextInt(-5, 5_000_000))
                        : scalar()) + (random.nextBoolean() ? ", \"o\": " + value(2) : "") + "}");
            }
            if (random.nextInt(10) > 0) {
                members.add("\"v\": " + (random.nextInt(8) > 0 ? Long.toString(random.nextLong()) : scalar()));
            }
            for (int i = random.nextInt(4); i > 0; i--) {
                members.add(string() + ": " + value(3));
            }
            java.util.Collections.shuffle(members, new java.util.Random(random.nextLong()));
            out.append(String.join(random.nextBoolean() ? "," : ", ", members));
            return out.append(random.nextInt(5) == 0 ? " }\n" : "}").toString();
        }

        String value(int depth) {
            int kind = random.nextInt(depth > 0 ? 7 : 5);
            return switch (kind) {
                case 5 -> {
                    StringBuilder array = new StringBuilder("[");
                    for (int i = random.nextInt(4); i > 0; i--) {
                        array.append(value(depth - 1)).append(i > 1 ? "," : "");
                    }
                    yield array.append(']').toString();
                }
                case 6 -> {
                    StringBuilder object = new StringBuilder("{");
                    for (int i = random.nextInt(4); i > 0; i--) {
                        object.append(string()).append(':').append(value(depth - 1)).append(i > 1 ? "," : "");
                    }
                    yield object.append('}').toString();
                }
                default -> scalar();
            };
        }

        String scalar() {
            return switch (random.nextInt(9)) {
                case 0 -> "true";
                case 1 -> "false";
                case 2 -> "null";
                case 3 -> Long.toString(random.nextLong());
                case 4 -> Double.toString(random.nextDouble() * 1e6);
                case 5 -> random.nextInt(1000) + "e" + (random.nextBoolean() ? "-" : "+") + random.nextInt(30);
                case 6 -> "9223372036854775808";
                default -> string();
            };
        }

        String string() {
            // the first seven are plain ASCII; the long one makes runs the scanner reads eight bytes at a time
            String[] pieces = {"a", "id", "v", "k", "n", "x y", "Lorem ipsum dolor sit amet, consectetur", "\u00e9", "\u20ac", "\ud83d\ude00", "\\\"", "\\\\", "\\n",
                    "\\u00e9", "\\ud83d\\ude00", "\\u0000", "\\ud800", "\\/", "0"};
            StringBuilder s = new StringBuilder("\"");
            for (int i = random.nextInt(5); i > 0; i--) {
                s.append(pieces[random.nextInt(random.nextInt(4) == 0 ? pieces.length : 7)]);
            }
            return s.append('"').toString();
        }
    }
}
