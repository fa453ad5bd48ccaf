package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.core.stream.KeyType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

import static dev.upsertingest.fuzz.JsonDoc.ascii;
import static dev.upsertingest.fuzz.JsonDoc.octets;
import static dev.upsertingest.fuzz.JsonDoc.concat;
import static dev.upsertingest.fuzz.JsonDoc.rawString;
import static dev.upsertingest.fuzz.JsonDoc.string;
import static dev.upsertingest.fuzz.JsonDoc.utf8;

/**
 * The hostile-event generator: pure and seeded. Event {@code i} is a function of the seed and {@code i} alone (its own
 * random source is derived from both), so any event of a run can be made again from the seed and its index, without
 * making the ones before it; that is how a violation is replayed.
 *
 * <p>The first events go through every {@link Mutation} for every stream it applies to, so a run of any length
 * covers them all; after that, mutations are drawn by {@link Mutation#weight()}. About one event in 25 repeats one of
 * the 16 before it (a duplicate, for the in-batch collapsing and the unchanged-row paths).
 *
 * <p>Every document carries {@link #CANARY} in a string, so that a rejection detail that quotes a document can be
 * recognised.
 */
public final class HostileEvents {

    /** A word every generated document holds in a string; an answer that repeats it quotes the document. */
    public static final String CANARY = "ZQXcanaryJV";

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final Door door;
    private final FuzzStreams streams;
    private final FuzzLimits limits;
    /** Per stream (by position), the mutations that apply to it through this door. */
    private final List<List<Mutation>> applicable = new ArrayList<>();
    /** Every (stream, mutation) pair, in order: the first events. */
    private final List<int[]> coverage = new ArrayList<>();

    public HostileEvents(long seed, Door door, FuzzStreams streams, FuzzLimits limits) {
        this.seed = seed;
        this.door = door;
        this.streams = streams;
        this.limits = limits;
        for (int s = 0; s < streams.size(); s++) {
            List<Mutation> mutations = new ArrayList<>();
            for (Mutation mutation : Mutation.values()) {
                if (mutation.appliesTo(streams.get(s), door, limits)) {
                    mutations.add(mutation);
                }
            }
            applicable.add(List.copyOf(mutations));
        }
        for (Mutation mutation : Mutation.values()) {
            for (int s = 0; s < streams.size(); s++) {
                if (applicable.get(s).contains(mutation)) {
                    coverage.add(new int[]{s, mutation.ordinal()});
                }
            }
        }
    }

    public long seed() {
        return seed;
    }

    public FuzzLimits limits() {
        return limits;
    }

    public FuzzStreams streams() {
        return streams;
    }

    /** How many events it takes to cover every mutation of every stream once. */
    public int coverageSize() {
        return coverage.size();
    }

    /** The mutations that apply to {@code stream} through this generator's door. */
    public List<Mutation> applicable(FuzzStream stream) {
        return applicable.get(streams.streams().indexOf(stream));
    }

    /** Event {@code index} of the sequence: stream and mutation chosen by the sequence. */
    public HostileEvent event(long index) {
        if (index < coverage.size()) {
            int[] pair = coverage.get((int) index);
            return make(index, streams.get(pair[0]), Mutation.values()[pair[1]], random(index));
        }
        SplittableRandom random = random(index);
        if (index > 0 && random.nextInt(25) == 0) {
            HostileEvent earlier = event(index - 1 - random.nextInt((int) Math.min(index, 16)));
            return earlier.repeatedAt(index);
        }
        FuzzStream stream = streams.get(random.nextInt(streams.size()));
        return make(index, stream, pick(random, applicable(stream)), random);
    }

    /**
     * Event {@code index} for {@code stream} with {@code mutation} (the HTTP request builder chooses both); the same
     * arguments always give the same event.
     */
    public HostileEvent event(long index, FuzzStream stream, Mutation mutation) {
        return make(index, stream, mutation, random(index));
    }

    /** A random mutation for {@code stream}, by weight, one of {@code families} only. */
    public Mutation pick(SplittableRandom random, FuzzStream stream, Mutation.Family... families) {
        List<Mutation> candidates = applicable(stream).stream().filter(m -> Arrays.asList(families).contains(m.family())).toList();
        return pick(random, candidates);
    }

    private static Mutation pick(SplittableRandom random, List<Mutation> candidates) {
        int total = candidates.stream().mapToInt(Mutation::weight).sum();
        int draw = random.nextInt(total);
        for (Mutation candidate : candidates) {
            draw -= candidate.weight();
            if (draw < 0) {
                return candidate;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    SplittableRandom random(long index) {
        return new SplittableRandom(seed * GOLDEN + (door.ordinal() + 1) * 0xBF58476D1CE4E5B9L + index * 0x94D049BB133111EBL);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // A valid event, the base of every mutation

    /** A valid event of a stream, and what it is made of. */
    private final class Base {
        final FuzzStream stream;
        final long keyId;
        final List<Object> keyValues = new ArrayList<>();
        final JsonDoc doc = new JsonDoc();

        Base(SplittableRandom random, FuzzStream stream) {
            this.stream = stream;
            this.keyId = random.nextInt(limits.keySpace());
            boolean escape = random.nextInt(4) == 0;
            for (FuzzStream.Key key : stream.keys()) {
                Object value = keyValue(key.type(), keyId, textBudget(stream));
                keyValues.add(value);
                doc.add(key.property(), keyToken(key.type(), value, escape, random));
            }
            if (stream.versioned()) {
                doc.add(stream.versionProperty(), ascii(Integer.toString(random.nextInt(50))));
            }
            int fillers = 1 + random.nextInt(4);
            List<String> names = new ArrayList<>(List.of(FILLER_NAMES));
            for (int f = 0; f < fillers; f++) {
                String name = names.remove(random.nextInt(names.size()));
                doc.add(string(name, escape), filler(random, f == 0));
            }
            // the key first most of the time, anywhere now and then (the scanner must find it anywhere)
            if (random.nextInt(4) == 0) {
                java.util.Collections.shuffle(doc.fields, new java.util.Random(random.nextLong()));
            }
        }

        byte[] recordKey() {
            return canonical(keyValues);
        }

        /** The first text key column's property (the one the key-size mutations work on), or null. */
        FuzzStream.Key textKey() {
            return stream.keys().stream().filter(k -> k.type() == KeyType.TEXT).findFirst().orElse(null);
        }

        /** How many bytes the text key column may take so that the whole key is {@code total} bytes. */
        int textBudgetFor(int total) {
            int others = 0;
            for (int k = 0; k < stream.keys().size(); k++) {
                if (stream.keys().get(k) != textKey()) {
                    others += keyValues.get(k).toString().length();
                }
            }
            return total - others;
        }

        void replaceTextKey(String text, boolean escape) {
            FuzzStream.Key key = textKey();
            keyValues.set(stream.keys().indexOf(key), text);
            doc.set(key.property(), string(text, escape));
        }
    }

    private static final String[] FILLER_NAMES = {"note", "amount", "items", "meta", "flag", "nothing", "ünï", "名前",
            "e\u0301", "total", "lines", "when"};

    private static final String[] TEXT_PIECES = {"order", " ", "déjà vu", "Grüße", "日本語", "😀", "\u20ac", "naïve",
            "tab\there", "quote\"d", "back\\slash", "slash/", "line\nbreak", "\u0001", "zero-width\u200b", "ß"};

    private byte[] filler(SplittableRandom random, boolean withCanary) {
        return switch (random.nextInt(withCanary ? 1 : 8)) {
            case 0 -> {
                StringBuilder text = new StringBuilder(CANARY).append(' ');
                for (int i = random.nextInt(6); i > 0; i--) {
                    text.append(TEXT_PIECES[random.nextInt(TEXT_PIECES.length)]);
                }
                yield string(text.toString(), random.nextInt(3) == 0);
            }
            case 1 -> ascii(Long.toString(random.nextLong()));
            case 2 -> ascii(new String[]{"12.50", "-0.0", "1e-7", "6.02E23", "0", "-1", "3.141592653589793238462643383279"}[random.nextInt(7)]);
            case 3 -> ascii(random.nextBoolean() ? "true" : "false");
            case 4 -> ascii("null");
            case 5 -> utf8("{\"a\":" + random.nextInt(100) + ",\"b\":[1,\"x\",null,{}],\"c\":{\"d\":\"é\"}}");
            case 6 -> ascii("[" + random.nextInt(10) + "," + random.nextInt(10) + ",[],{}]");
            default -> ascii("[]");
        };
    }

    /** The value key column {@code type} takes for key number {@code keyId}: some plain, some exotic, a few at the limit. */
    private static Object keyValue(KeyType type, long keyId, int textBudget) {
        return switch (type) {
            case TEXT -> switch ((int) (keyId % 8)) {
                case 1 -> "ké€-" + keyId;
                case 2 -> "emoji-😀-" + keyId;
                case 3 -> "tab\t" + keyId;
                case 4 -> "q\"uo\\te-" + keyId;
                case 5 -> "sp ace/" + keyId;
                case 6 -> { // exactly at the key limit
                    String head = "L" + keyId + "-";
                    yield head + "x".repeat(Math.max(0, textBudget - head.length()));
                }
                default -> "k" + keyId;
            };
            case BIGINT -> switch ((int) (keyId % 6)) {
                case 0 -> -keyId;
                case 1 -> Long.MAX_VALUE - keyId;
                case 2 -> Long.MIN_VALUE + keyId;
                default -> keyId;
            };
            case INTEGER -> switch ((int) (keyId % 5)) {
                case 0 -> Integer.MAX_VALUE - (int) keyId;
                case 1 -> Integer.MIN_VALUE + (int) keyId;
                default -> (int) keyId * 7919 - 1000;
            };
            case UUID -> new UUID(0x5EED000000000000L + keyId, keyId * GOLDEN);
        };
    }

    /** The most bytes a text key column of {@code stream} may take: the key limit less the other columns. */
    private int textBudget(FuzzStream stream) {
        int budget = limits.maxKeySize();
        for (FuzzStream.Key key : stream.keys()) {
            if (key.type() == KeyType.INTEGER) {
                budget -= 11;
            } else if (key.type() == KeyType.UUID) {
                budget -= 36;
            } else if (key.type() == KeyType.BIGINT) {
                budget -= 20;
            }
        }
        return budget;
    }

    private static byte[] keyToken(KeyType type, Object value, boolean escape, SplittableRandom random) {
        return switch (type) {
            case TEXT -> string((String) value, escape);
            case BIGINT, INTEGER -> ascii(value.toString());
            case UUID -> string(random.nextBoolean() ? value.toString() : value.toString().toUpperCase(java.util.Locale.ROOT), false);
        };
    }

    private static byte[] canonical(List<Object> keyValues) {
        return new EventKey(keyValues).canonical().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The mutations

    /** What a mutation made, before it becomes a {@link HostileEvent}. */
    private static final class Made {
        String form;
        byte[] value;
        byte[] recordKey;
        List<HostileEvent.Header> headers = List.of();
        Compression compression;
        Expectation expectation = Expectation.ACCEPT;
        boolean structural;
        /** Whether the mutation chose the record key; otherwise it is the row's key, as a producer should send it. */
        boolean keyChosen;

        Made(String form, byte[] value) {
            this.form = form;
            this.value = value;
        }

        Made expect(Expectation expectation) {
            this.expectation = expectation;
            return this;
        }

        Made reject(RejectReason reason) {
            return expect(Expectation.reject(reason));
        }

        Made key(byte[] recordKey) {
            this.recordKey = recordKey;
            this.keyChosen = true;
            return this;
        }
    }

    private HostileEvent make(long index, FuzzStream stream, Mutation mutation, SplittableRandom random) {
        Base base = new Base(random, stream);
        Made made = mutate(mutation, base, random);
        byte[] recordKey = made.keyChosen ? made.recordKey : base.recordKey();
        Compression compression = made.compression != null ? made.compression
                : Compression.values()[random.nextInt(Compression.values().length)];
        Expectation expectation = made.expectation;
        if (stream.smallTopic() && made.value != null && made.value.length > limits.smallTopicMaxMessageBytes() - 1024
                && expectation instanceof Expectation.Accept) {
            expectation = Expectation.ACCEPT_UNLESS_TOPIC_REFUSES;
        }
        boolean clean = !made.structural && made.value != null && !mutation.kafkaOnly();
        return new HostileEvent(index, stream, mutation, made.form, made.value, recordKey, made.headers, compression,
                expectation, clean && !blank(made.value), clean && ndjsonLine(made.value), -1);
    }

    private static boolean blank(byte[] value) {
        for (byte b : value) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static boolean ndjsonLine(byte[] value) {
        if (value.length == 0 || blank(value) || value[value.length - 1] == '\r') {
            return false;
        }
        for (byte b : value) {
            if (b == '\n') {
                return false;
            }
        }
        return true;
    }

    private Made mutate(Mutation mutation, Base base, SplittableRandom random) {
        JsonDoc doc = base.doc;
        FuzzStream stream = base.stream;
        return switch (mutation) {
            case VALID -> new Made("plain", doc.bytes());
            case EXOTIC_TEXT -> {
                List<byte[]> pieces = new ArrayList<>();
                for (int i = 2 + random.nextInt(5); i > 0; i--) {
                    pieces.add(EXOTIC[random.nextInt(EXOTIC.length)]);
                }
                doc.add("exotic", rawString(pieces.toArray(byte[][]::new)));
                yield new Made("exotic strings", doc.bytes());
            }
            case DUPLICATE_PROPERTY -> {
                doc.add("twice", ascii("1"));
                doc.add("twice", string(CANARY + " again", false));
                yield new Made("a filler twice", doc.bytes());
            }
            case DUPLICATE_KEY -> {
                FuzzStream.Key key = stream.keys().get(random.nextInt(stream.keys().size()));
                String property = random.nextInt(3) == 0 && stream.versioned() ? stream.versionProperty() : key.property();
                byte[] decoy = new byte[][]{ascii("null"), ascii("42"), string("decoy", false), ascii("[1]")}[random.nextInt(4)];
                doc.fields.addFirst(new JsonDoc.Field(string(property, false), decoy));
                yield new Made(property + " twice, a decoy first", doc.bytes());
            }
            case WHITESPACE_AROUND -> {
                String[] around = {" ", "\t", "\n", "\r\n", "  \t", ""};
                yield new Made("whitespace around every token", concat(ascii(around[random.nextInt(around.length)]),
                        doc.bytes(random), ascii(around[random.nextInt(around.length)])));
            }
            case KEY_AT_LIMIT -> keySized(base, random, 0);
            case KEY_OVER_LIMIT -> keySized(base, random, 1).reject(RejectReason.KEY_TOO_LONG);
            case DOCUMENT_AT_LIMIT -> {
                int size = limits.maxDocumentSize() - (random.nextInt(3) == 0 ? random.nextInt(1, 4) : 0);
                boolean compressible = random.nextBoolean();
                yield new Made((compressible ? "compressible" : "incompressible") + ", " + size + " bytes",
                        padded(doc, size, compressible, random));
            }
            case NEAR_TOPIC_LIMIT -> {
                int size = limits.smallTopicMaxMessageBytes() + random.nextInt(-400, 401);
                boolean compressible = random.nextBoolean();
                yield new Made((compressible ? "compressible" : "incompressible") + ", " + size + " bytes",
                        padded(doc, size, compressible, random)).expect(Expectation.ACCEPT_UNLESS_TOPIC_REFUSES);
            }
            case NUMBERS_POSTGRES_TAKES -> {
                String number = pickNumber(random, true);
                doc.add("number", ascii(number));
                yield new Made(abbreviate(number), doc.bytes());
            }
            case NESTED_WITHIN_LIMIT -> {
                int depth = new int[]{62, 63, 64, 65, 100, 300, 498, 499}[random.nextInt(8)];
                doc.add("deep", nested(depth, random));
                yield new Made(depth + " levels in a property", doc.bytes());
            }
            case LONG_NAME -> {
                int length = new int[]{50_000, 50_001, 60_000}[random.nextInt(3)];
                boolean escapedKey = random.nextBoolean() && base.textKey() != null;
                if (escapedKey) { // an escape in the key sends a replace-mode event through the full parse
                    FuzzStream.Key key = base.textKey();
                    doc.set(key.property(), escapedText((String) base.keyValues.get(stream.keys().indexOf(key))));
                }
                doc.add(ascii("\"" + "n".repeat(length) + "\""), ascii("1"));
                yield new Made(length + "-byte name" + (escapedKey ? ", the key escaped" : ""), doc.bytes());
            }
            case TOMBSTONE -> new Made("keyed by a row's key", null).key(base.recordKey());
            case HOSTILE_RECORD_KEY -> {
                Made made = new Made("", doc.bytes());
                switch (random.nextInt(stream.smallTopic() ? 6 : 5)) {
                    case 0 -> { made.form = "random bytes"; made.key(randomBytes(random, 1 + random.nextInt(40))); }
                    case 1 -> { made.form = "overlong UTF-8"; made.key(octets(0xC0, 0xAF, 'k')); }
                    case 2 -> { made.form = "empty"; made.key(new byte[0]); }
                    case 3 -> { made.form = "a NUL"; made.key(octets('k', 0, 'k')); }
                    case 4 -> { made.form = "another row's key"; made.key(utf8("k" + (base.keyId + 1))); }
                    default -> { made.form = "no record key"; made.key(null); }
                }
                yield made;
            }
            case HEADERS -> {
                Made made = new Made("odd headers", doc.bytes());
                made.headers = List.of(new HostileEvent.Header("ingest.dlt.reason", utf8("applied")),
                        new HostileEvent.Header("x-null", null), new HostileEvent.Header("x-binary", randomBytes(random, 16)),
                        new HostileEvent.Header("", utf8("an empty name")), new HostileEvent.Header("ü-header", utf8("✓")),
                        new HostileEvent.Header("ingest.dlt.value.dropped", utf8("true")));
                yield made;
            }
            case INVALID_UTF8 -> misplaced(doc, random, INVALID_UTF8_FORMS, INVALID_UTF8_NAMES).reject(RejectReason.INVALID_UNICODE);
            case ENCODED_SURROGATE -> misplaced(doc, random, SURROGATE_FORMS, SURROGATE_NAMES).reject(RejectReason.INVALID_UNICODE);
            case NUL_ESCAPE -> inString(doc, random, ascii("\\u0000"), "\\u0000").reject(RejectReason.NUL_CHARACTER);
            case LONE_SURROGATE -> {
                int form = random.nextInt(LONE_SURROGATES.length);
                yield inString(doc, random, ascii(LONE_SURROGATES[form]), LONE_SURROGATES[form]).reject(RejectReason.INVALID_UNICODE);
            }
            case BOM_PREFIX -> {
                boolean spaced = random.nextBoolean();
                yield new Made(spaced ? "after whitespace" : "first", concat(ascii(spaced ? " \t" : ""), octets(0xEF, 0xBB, 0xBF),
                        doc.bytes())).reject(RejectReason.INVALID_JSON);
            }
            case BLANK -> {
                String[] blanks = {"", " ", "\t\n \r", "\n"};
                String blank = blanks[random.nextInt(blanks.length)];
                yield new Made(blank.isEmpty() ? "empty" : "whitespace", ascii(blank)).reject(RejectReason.INVALID_JSON);
            }
            case NOT_AN_OBJECT -> {
                byte[][] forms = {concat(ascii("["), doc.bytes(), ascii("]")), string(CANARY, false), ascii("42"),
                        ascii("true"), ascii("null"), ascii("[]"), ascii("-1.5e3"), string("{\"id\": \"k1\"}", false)};
                int form = random.nextInt(forms.length);
                yield new Made(abbreviate(new String(forms[form], StandardCharsets.UTF_8)), forms[form]).reject(RejectReason.NOT_AN_OBJECT);
            }
            case MISSING_KEY -> {
                FuzzStream.Key key = stream.keys().get(random.nextInt(stream.keys().size()));
                boolean asNull = random.nextBoolean();
                if (asNull) {
                    doc.set(key.property(), ascii("null"));
                } else {
                    doc.remove(key.property());
                }
                yield new Made(key.property() + (asNull ? " null" : " left out"), doc.bytes()).reject(RejectReason.MISSING_KEY);
            }
            case WRONG_KEY_TYPE -> {
                FuzzStream.Key key = stream.keys().get(random.nextInt(stream.keys().size()));
                String[] forms = switch (key.type()) {
                    case TEXT -> new String[]{"42", "true", "{\"a\":1}", "[\"k\"]", "1.5", "false"};
                    case BIGINT -> new String[]{"\"42\"", "1.5", "1e2", "9223372036854775808", "-9223372036854775809", "true", "[1]", "1.0"};
                    case INTEGER -> new String[]{"2147483648", "-2147483649", "\"5\"", "5.0", "1e1"};
                    case UUID -> new String[]{"\"not-a-uuid\"", "\"1-2-3-4-5\"", "123", "\"0123456789abcdef0123456789abcdef\"",
                            "\"{01234567-89ab-cdef-0123-456789abcdef}\"", "\"01234567-89ab-cdef-0123-456789abcdeg\""};
                };
                String form = forms[random.nextInt(forms.length)];
                doc.set(key.property(), ascii(form));
                yield new Made(key.property() + ": " + form, doc.bytes()).reject(RejectReason.WRONG_KEY_TYPE);
            }
            case MISSING_VERSION -> {
                boolean asNull = random.nextBoolean();
                if (asNull) {
                    doc.set(stream.versionProperty(), ascii("null"));
                } else {
                    doc.remove(stream.versionProperty());
                }
                yield new Made(asNull ? "null" : "left out", doc.bytes()).reject(RejectReason.MISSING_VERSION);
            }
            case INVALID_VERSION -> {
                String[] forms = {"\"3\"", "1.5", "1e2", "9223372036854775808", "true", "{}", "[]", "-9223372036854775809"};
                String form = forms[random.nextInt(forms.length)];
                doc.set(stream.versionProperty(), ascii(form));
                yield new Made(form, doc.bytes()).reject(RejectReason.INVALID_VERSION);
            }
            case DOCUMENT_OVER_LIMIT -> {
                int size = limits.maxDocumentSize() + 1 + (random.nextBoolean() ? 0 : random.nextInt(64));
                yield new Made(size + " bytes", padded(doc, size, random.nextBoolean(), random)).reject(RejectReason.DOCUMENT_TOO_LARGE);
            }
            case RECORD_SIZE_LIMIT -> {
                int size = (int) limits.maxRecordSize() + random.nextInt(-300, 301);
                boolean compressible = random.nextBoolean();
                yield new Made((compressible ? "compressible" : "incompressible") + ", " + size + " bytes",
                        padded(doc, size, compressible, random)).reject(RejectReason.DOCUMENT_TOO_LARGE);
            }
            case OVERSIZED_COMPRESSED -> {
                int size = 1_500_000 + random.nextInt(3_500_000);
                Made made = new Made(size + " bytes", padded(doc, size, true, random)).reject(RejectReason.DOCUMENT_TOO_LARGE);
                made.compression = compressed(random);
                made.form += ", " + made.compression.kafkaName();
                yield made;
            }
            case NUMBER_POSTGRES_REFUSES -> {
                String number = pickNumber(random, false);
                doc.add("number", ascii(number));
                yield new Made(abbreviate(number), doc.bytes()).reject(RejectReason.INVALID_JSON);
            }
            case NUMBER_TOO_LONG -> {
                int digits = 1001 + random.nextInt(200);
                String number = random.nextBoolean() ? "7" + digitsOf(random, digits - 1) : "1." + digitsOf(random, digits - 1);
                doc.add("number", ascii(number));
                yield new Made(number.length() + " characters", doc.bytes()).reject(RejectReason.INVALID_JSON);
            }
            case TOO_DEEP -> {
                // Jackson allows 500 levels and the event's own object is one: 499 in a property is the most
                int depth = new int[]{500, 501, 1000, 5000}[random.nextInt(4)];
                doc.add("deep", nested(depth, random));
                yield new Made(depth + " levels in a property", doc.bytes()).reject(RejectReason.INVALID_JSON);
            }
            case TRAILING_CONTENT -> {
                String[] forms = {" {}", "x", " 1", "null", " \"s\"", "{}"};
                String form = forms[random.nextInt(forms.length)];
                yield new Made("then '" + form.strip() + "'", concat(doc.bytes(), ascii(form))).reject(RejectReason.INVALID_JSON);
            }
            case RAW_CONTROL_CHARACTER -> {
                int[] controls = {0x00, 0x01, 0x08, 0x09, 0x0B, 0x1F};
                int control = controls[random.nextInt(controls.length)];
                doc.add("control", rawString(ascii("a"), octets(control), ascii("b")));
                yield new Made(String.format("0x%02X", control), doc.bytes()).reject(RejectReason.INVALID_JSON);
            }
            case BAD_ESCAPE -> {
                String[] forms = {"\\x41", "\\u12G4", "\\'", "\\a", "\\uZZZZ", "\\U0041", "\\u00"};
                String form = forms[random.nextInt(forms.length)];
                doc.add("escape", rawString(ascii("a"), ascii(form)));
                yield new Made(form, doc.bytes()).reject(RejectReason.INVALID_JSON);
            }
            case TOMBSTONE_BAD_KEY -> tombstoneKey(base, random);
            case HUGE_RECORD_KEY -> {
                int size = 4_300_000 + random.nextInt(1_000_000);
                boolean tombstone = base.textKey() != null && stream.keys().size() == 1 && random.nextBoolean();
                Made made = new Made(size + "-byte record key" + (tombstone ? ", a tombstone" : ""), tombstone ? null : ascii("not json"))
                        .reject(tombstone ? RejectReason.KEY_TOO_LONG : RejectReason.INVALID_JSON);
                made.key(ascii("k".repeat(size)));
                made.compression = compressed(random);
                yield made;
            }
            case HUGE_HEADERS -> {
                Made made = new Made("3 headers of 1.6 MB", ascii("[1]")).reject(RejectReason.NOT_AN_OBJECT);
                byte[] large = ascii("h".repeat(1_600_000));
                made.headers = List.of(new HostileEvent.Header("a", large), new HostileEvent.Header("b", large),
                        new HostileEvent.Header("c", large));
                made.compression = compressed(random);
                yield made;
            }
            case SPOOFED_DEAD_LETTER_HEADERS -> {
                Made made = new Made("its own ingest.dlt.* headers", ascii("[]")).reject(RejectReason.NOT_AN_OBJECT);
                made.headers = List.of(new HostileEvent.Header("ingest.dlt.reason", utf8("invalid_json")),
                        new HostileEvent.Header("ingest.dlt.value.dropped", utf8("true")),
                        new HostileEvent.Header("ingest.dlt.original.value.size", utf8("12345")),
                        new HostileEvent.Header("ingest.dlt.original.offset", utf8("123")),
                        new HostileEvent.Header("ingest.dlt.stream", utf8("someone_else")));
                yield made;
            }
            case BIT_FLIP -> {
                byte[] value = doc.bytes();
                int flips = 1 + random.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    value[random.nextInt(value.length)] ^= (byte) (1 << random.nextInt(8));
                }
                yield structural(flips + " bits", value);
            }
            case TRUNCATE -> {
                byte[] value = doc.bytes();
                int length = 1 + random.nextInt(value.length - 1);
                yield structural("first " + length + " of " + value.length + " bytes", Arrays.copyOf(value, length));
            }
            case BRACE_GAME -> {
                byte[] value = doc.bytes();
                List<Integer> structural = new ArrayList<>();
                for (int i = 0; i < value.length; i++) {
                    if ("{}[]\":,".indexOf(value[i]) >= 0) {
                        structural.add(i);
                    }
                }
                int at = structural.get(random.nextInt(structural.size()));
                boolean remove = random.nextBoolean();
                byte[] changed = remove
                        ? concat(Arrays.copyOfRange(value, 0, at), Arrays.copyOfRange(value, at + 1, value.length))
                        : concat(Arrays.copyOfRange(value, 0, at + 1), Arrays.copyOfRange(value, at, value.length));
                yield structural((remove ? "removed '" : "doubled '") + (char) value[at] + "' at " + at, changed);
            }
            case RANDOM_BYTES -> structural("", randomBytes(random, 1 + random.nextInt(300)));
            case SPLICE -> {
                byte[] first = doc.bytes();
                byte[] second = new Base(random, stream).doc.bytes();
                String[] joints = {"", ",", " ", "\n", "}{", "]["};
                String joint = joints[random.nextInt(joints.length)];
                int cut = random.nextInt(first.length);
                yield structural("joined by '" + joint + "'", random.nextBoolean()
                        ? concat(first, ascii(joint), second)
                        : concat(Arrays.copyOf(first, cut), ascii(joint), second));
            }
        };
    }

    private static Made structural(String form, byte[] value) {
        Made made = new Made(form, value).expect(Expectation.ANY);
        made.structural = true;
        return made;
    }

    private static Compression compressed(SplittableRandom random) {
        return new Compression[]{Compression.GZIP, Compression.LZ4, Compression.ZSTD}[random.nextInt(3)];
    }

    /** Replaces the text key with one of {@code budget + over} bytes, written one of several ways. */
    private Made keySized(Base base, SplittableRandom random, int over) {
        int bytes = base.textBudgetFor(limits.maxKeySize()) + over;
        String form;
        String text;
        boolean escape = false;
        switch (random.nextInt(5)) {
            case 0 -> { form = "ASCII"; text = "A".repeat(bytes); }
            case 1 -> { form = "two-byte characters"; text = (bytes % 2 == 1 ? "a" : "") + "é".repeat(bytes / 2); }
            case 2 -> { form = "four-byte characters"; text = "b".repeat(bytes % 4) + "😀".repeat(bytes / 4); }
            case 3 -> { form = "escaped"; text = (bytes % 3 == 0 ? "" : "c".repeat(bytes % 3)) + "€".repeat(bytes / 3); escape = true; }
            default -> { form = "control characters"; text = "\u001f".repeat(bytes); }
        }
        if (text.getBytes(StandardCharsets.UTF_8).length != bytes) {
            throw new IllegalStateException("key of " + text.getBytes(StandardCharsets.UTF_8).length + " bytes, meant " + bytes);
        }
        base.replaceTextKey(text, escape);
        return new Made(form + ", " + bytes + " bytes of the key's " + limits.maxKeySize(), base.doc.bytes());
    }

    /** The key of a tombstone, wrong in one of the ways the rules name. */
    private Made tombstoneKey(Base base, SplittableRandom random) {
        Made made = new Made("", null);
        FuzzStream stream = base.stream;
        if (stream.keys().size() > 1) {
            String[][] forms = {{"not json", "invalid_json"}, {"[\"a\",1]", "wrong_key_type"}, {"{\"a\":1}", "wrong_key_type"},
                    {"[\"a\",1,\"bad\"]", "wrong_key_type"}, {"[", "invalid_json"},
                    {"[\"a\",2147483648,\"" + new UUID(1, 2) + "\"]", "wrong_key_type"},
                    {"[\"" + "t".repeat(limits.maxKeySize()) + "\",1,\"" + new UUID(1, 2) + "\"]", "key_too_long"}};
            String[] form = forms[random.nextInt(forms.length)];
            made.form = abbreviate(form[0]);
            made.key(utf8(form[0]));
            return made.reject(RejectReason.valueOf(form[1].toUpperCase(java.util.Locale.ROOT)));
        }
        boolean text = stream.keys().getFirst().type() == KeyType.TEXT;
        switch (random.nextInt(stream.smallTopic() ? 5 : 4)) {
            case 0 -> { made.form = "overlong UTF-8"; made.key(octets('k', 0xC0, 0xAF)); made.reject(RejectReason.INVALID_UNICODE); }
            case 1 -> { made.form = "a NUL"; made.key(octets('1', 0, '1')); made.reject(RejectReason.NUL_CHARACTER); }
            case 2 -> {
                if (text) {
                    made.form = "one byte over the key limit";
                    made.key(ascii("T".repeat(limits.maxKeySize() + 1)));
                    made.reject(RejectReason.KEY_TOO_LONG);
                } else {
                    made.form = "not a number";
                    made.key(ascii(new String[]{"abc", "", "1.5", "9223372036854775808", " 1"}[random.nextInt(5)]));
                    made.reject(RejectReason.WRONG_KEY_TYPE);
                }
            }
            case 3 -> { made.form = "a stray continuation byte"; made.key(octets(0x80)); made.reject(RejectReason.INVALID_UNICODE); }
            default -> { made.form = "no record key"; made.key(null); made.reject(RejectReason.MISSING_KEY); }
        }
        return made;
    }

    /** A string token of {@code text} whose first character is written as an escape (the key texts start in ASCII). */
    private static byte[] escapedText(String text) {
        byte[] rest = string(text.substring(1), true);
        return concat(ascii("\"" + String.format("\\u%04x", (int) text.charAt(0))), Arrays.copyOfRange(rest, 1, rest.length));
    }

    private static final byte[][] EXOTIC = {octets(0xEF, 0xBB, 0xBF), octets(0xEF, 0xBF, 0xBF), octets(0xEF, 0xBF, 0xBE),
            octets(0xF4, 0x8F, 0xBF, 0xBF), octets(0xE2, 0x80, 0xA8), octets(0x7F), ascii("\\ud83d\\ude00"), ascii("\\uDBFF\\uDFFF"),
            ascii("\\/"), ascii("\\b\\f\\n\\r\\t"), ascii("\\u001f"), ascii("\\u00e9"), ascii("\\uFEFF"), ascii("\\\""),
            ascii("\\\\"), utf8("ok"), octets(0xF0, 0x90, 0x80, 0x80), octets(0xC2, 0x80), octets(0xED, 0x9F, 0xBF), octets(0xEE, 0x80, 0x80)};

    private static final byte[][] INVALID_UTF8_FORMS = {octets(0xC0, 0xAF), octets(0xC1, 0xBF), octets(0xE0, 0x80, 0xAF),
            octets(0xE0, 0x9F, 0xBF), octets(0xF0, 0x80, 0x80, 0xAF), octets(0xF0, 0x8F, 0xBF, 0xBF), octets(0xF4, 0x90, 0x80, 0x80),
            octets(0xF5, 0x80, 0x80, 0x80), octets(0xF8), octets(0xFF), octets(0xFE), octets(0xE2, 0x82), octets(0xF0, 0x9F, 0x98),
            octets(0x80), octets(0xBF), octets(0xC3)};
    private static final String[] INVALID_UTF8_NAMES = {"overlong C0 AF", "overlong C1 BF", "overlong E0 80 AF",
            "overlong E0 9F BF", "overlong F0 80 80 AF", "overlong F0 8F BF BF", "above U+10FFFF F4 90", "F5",
            "F8", "FF", "FE", "cut short E2 82", "cut short F0 9F 98", "stray 80", "stray BF", "lead C3 alone"};
    private static final byte[][] SURROGATE_FORMS = {octets(0xED, 0xA0, 0x80), octets(0xED, 0xAF, 0xBF), octets(0xED, 0xB0, 0x80),
            octets(0xED, 0xBF, 0xBF), octets(0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80)};
    private static final String[] SURROGATE_NAMES = {"ED A0 80", "ED AF BF", "ED B0 80", "ED BF BF", "a CESU-8 pair"};
    private static final String[] LONE_SURROGATES = {"\\ud800", "\\udbffx", "\\udc00", "\\ud800\\u0041", "\\udc00\\ud800",
            "\\uD800\\\\u0041", "\\uDFFF"};

    /** Puts {@code forms[i]} inside a value, inside a name, or between two tokens. */
    private Made misplaced(JsonDoc doc, SplittableRandom random, byte[][] forms, String[] names) {
        int form = random.nextInt(forms.length);
        byte[] bad = forms[form];
        return switch (random.nextInt(3)) {
            case 0 -> {
                doc.add("bad", rawString(ascii("a"), bad, ascii("b")));
                yield new Made(names[form] + " in a value", doc.bytes());
            }
            case 1 -> {
                doc.add(rawString(ascii("n"), bad), ascii("1"));
                yield new Made(names[form] + " in a name", doc.bytes());
            }
            default -> {
                byte[] json = doc.bytes();
                yield new Made(names[form] + " between tokens", concat(ascii("{"), bad, Arrays.copyOfRange(json, 1, json.length)));
            }
        };
    }

    /** Puts the escape {@code raw} into a value or a name. */
    private Made inString(JsonDoc doc, SplittableRandom random, byte[] raw, String name) {
        if (random.nextBoolean()) {
            doc.add("s", rawString(ascii("a"), raw, ascii("b")));
            return new Made(name + " in a value", doc.bytes());
        }
        doc.add(rawString(ascii("n"), raw), ascii("1"));
        return new Made(name + " in a name", doc.bytes());
    }

    private static final String[] NUMBERS_TAKEN = {"1e9999", "-1E-9999", "1e131071", "1E+131071", "1e-16383", "0e99999",
            "-0", "0.0e-16382", "123456789012345678901234567890.123456789e-16000", "-0.000000000000000000000000001"};
    private static final String[] NUMBERS_REFUSED = {"1e131072", "-1e131072", "1E+131072", "1e-16384", "1.5e-16383",
            "0.000e-99999", "1e999999999", "1e2147483648", "-1e-2147483649", "0.1e-16383"};

    private static String pickNumber(SplittableRandom random, boolean taken) {
        if (taken && random.nextInt(4) == 0) { // long, but within the parser's 1,000 characters
            return random.nextBoolean() ? "9" + digitsOf(random, 998) : "1." + digitsOf(random, 997);
        }
        String[] numbers = taken ? NUMBERS_TAKEN : NUMBERS_REFUSED;
        return numbers[random.nextInt(numbers.length)];
    }

    private static String digitsOf(SplittableRandom random, int count) {
        StringBuilder digits = new StringBuilder(count);
        for (int i = 0; i < count; i++) {
            digits.append((char) ('0' + random.nextInt(10)));
        }
        return digits.toString();
    }

    /** {@code depth} nested arrays and objects around a number. */
    private static byte[] nested(int depth, SplittableRandom random) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        boolean objects = random.nextBoolean();
        for (int i = 0; i < depth; i++) {
            if (objects && i % 2 == 1) {
                open.append("{\"a\":");
                close.append('}');
            } else {
                open.append('[');
                close.append(']');
            }
        }
        return ascii(open + "1" + close.reverse());
    }

    /** {@code doc} with a padding property that makes it exactly {@code size} bytes. */
    private static byte[] padded(JsonDoc doc, int size, boolean compressible, SplittableRandom random) {
        int base = doc.bytes().length + ",\"pad\":\"\"".length();
        int fill = Math.max(0, size - base);
        String filler;
        if (compressible) {
            filler = "x".repeat(fill);
        } else {
            byte[] noise = new byte[fill];
            for (int i = 0; i < fill; i++) {
                noise[i] = (byte) random.nextInt(256);
            }
            filler = Base64.getEncoder().encodeToString(noise).substring(0, fill);
        }
        JsonDoc copy = doc.copy().add("pad", ascii("\"" + filler + "\""));
        return copy.bytes();
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "...";
    }
}
