package dev.upsertingest.fuzz;

/**
 * What the generator does to a valid event. Each breaks at most one rule, so its {@link Expectation} is known, except
 * the {@link Family#STRUCTURAL} ones, which mangle bytes at random and may break any rule or none.
 */
public enum Mutation {
    // The rules accept these.
    VALID(Family.ACCEPTED, false, 60, "a valid event"),
    EXOTIC_TEXT(Family.ACCEPTED, false, 20, "strings with a byte order mark inside, noncharacters, U+10FFFF, every escape, surrogate pairs"),
    DUPLICATE_PROPERTY(Family.ACCEPTED, false, 8, "a property that occurs twice"),
    DUPLICATE_KEY(Family.ACCEPTED, false, 8, "the key property twice: the last one counts"),
    WHITESPACE_AROUND(Family.ACCEPTED, false, 8, "JSON whitespace before, between and after the tokens"),
    KEY_AT_LIMIT(Family.ACCEPTED, false, 10, "a key of exactly max-key-size bytes (ASCII, multi-byte, escaped, control characters)"),
    DOCUMENT_AT_LIMIT(Family.ACCEPTED, false, 3, "a document of max-document-size bytes or just under"),
    NEAR_TOPIC_LIMIT(Family.ACCEPTED, false, 4, "a document around the small topic's max.message.bytes"),
    NUMBERS_POSTGRES_TAKES(Family.ACCEPTED, false, 6, "numbers at the edge of what PostgreSQL's numeric holds"),
    NESTED_WITHIN_LIMIT(Family.ACCEPTED, false, 4, "nesting up to the parser's depth limit"),
    LONG_NAME(Family.ACCEPTED, false, 2, "a property name longer than 50,000 bytes"),
    TOMBSTONE(Family.ACCEPTED, true, 10, "a tombstone keyed by a row's key"),
    HOSTILE_RECORD_KEY(Family.ACCEPTED, true, 6, "a valid event whose record key is garbage (or missing)"),
    HEADERS(Family.ACCEPTED, true, 4, "a valid event with odd headers, dead-letter headers among them"),

    // The rules refuse these, for one known reason.
    INVALID_UTF8(Family.REJECTED, false, 14, "malformed UTF-8: overlong, above U+10FFFF, cut short, a stray continuation byte"),
    ENCODED_SURROGATE(Family.REJECTED, false, 6, "a UTF-16 surrogate encoded in UTF-8 (CESU-8)"),
    NUL_ESCAPE(Family.REJECTED, false, 8, "\\u0000 in a name or a value"),
    LONE_SURROGATE(Family.REJECTED, false, 8, "an unpaired surrogate escape in a name or a value"),
    BOM_PREFIX(Family.REJECTED, false, 5, "a UTF-8 byte order mark before the event"),
    BLANK(Family.REJECTED, true, 4, "an empty value, or whitespace only"),
    NOT_AN_OBJECT(Family.REJECTED, false, 8, "an array, a string, a number, true, null"),
    MISSING_KEY(Family.REJECTED, false, 8, "a key property missing or null"),
    WRONG_KEY_TYPE(Family.REJECTED, false, 10, "a key of the wrong JSON type, out of range, or a malformed UUID"),
    KEY_OVER_LIMIT(Family.REJECTED, false, 8, "a key one byte over max-key-size"),
    MISSING_VERSION(Family.REJECTED, false, 5, "the version missing or null"),
    INVALID_VERSION(Family.REJECTED, false, 5, "a version that is not an integer in the bigint range"),
    DOCUMENT_OVER_LIMIT(Family.REJECTED, false, 3, "a document just over max-document-size"),
    RECORD_SIZE_LIMIT(Family.REJECTED, true, 2, "a value around the largest record an accepted event makes"),
    OVERSIZED_COMPRESSED(Family.REJECTED, true, 1, "megabytes of value that reach the topic compressed"),
    NUMBER_POSTGRES_REFUSES(Family.REJECTED, false, 5, "a number beyond what PostgreSQL's numeric holds"),
    NUMBER_TOO_LONG(Family.REJECTED, false, 3, "a number of more than 1,000 characters"),
    TOO_DEEP(Family.REJECTED, false, 3, "nesting beyond the parser's depth limit"),
    TRAILING_CONTENT(Family.REJECTED, false, 5, "something after the object"),
    RAW_CONTROL_CHARACTER(Family.REJECTED, false, 4, "a raw control character (NUL included) inside a string"),
    BAD_ESCAPE(Family.REJECTED, false, 4, "an escape JSON does not have"),
    TOMBSTONE_BAD_KEY(Family.REJECTED, true, 6, "a tombstone whose record key is not a key"),
    HUGE_RECORD_KEY(Family.REJECTED, true, 1, "a bad event whose record key is megabytes, compressed"),
    HUGE_HEADERS(Family.REJECTED, true, 1, "a bad event with megabytes of headers, compressed"),
    SPOOFED_DEAD_LETTER_HEADERS(Family.REJECTED, true, 3, "a bad event carrying dead-letter headers of its own"),

    // Mangled at random: any documented answer.
    BIT_FLIP(Family.STRUCTURAL, false, 10, "one to three bits flipped"),
    TRUNCATE(Family.STRUCTURAL, false, 8, "cut off anywhere"),
    BRACE_GAME(Family.STRUCTURAL, false, 10, "a brace, bracket, quote, colon or comma removed or doubled"),
    RANDOM_BYTES(Family.STRUCTURAL, false, 6, "random bytes"),
    SPLICE(Family.STRUCTURAL, false, 5, "two events spliced together");

    /** Whether the rules accept it, refuse it for a known reason, or anything goes. */
    public enum Family {
        ACCEPTED, REJECTED, STRUCTURAL
    }

    private final Family family;
    private final boolean kafkaOnly;
    private final int weight;
    private final String description;

    Mutation(Family family, boolean kafkaOnly, int weight, String description) {
        this.family = family;
        this.kafkaOnly = kafkaOnly;
        this.weight = weight;
        this.description = description;
    }

    public Family family() {
        return family;
    }

    /** Only Kafka can carry it: a tombstone, a record key or headers, a value the API's request limit keeps out. */
    public boolean kafkaOnly() {
        return kafkaOnly;
    }

    /** How often the generator picks it, relative to the others. */
    public int weight() {
        return weight;
    }

    public String description() {
        return description;
    }

    /** Whether it can be made for an event of {@code stream} sent through {@code door}. */
    public boolean appliesTo(FuzzStream stream, Door door, FuzzLimits limits) {
        if (door == Door.HTTP && kafkaOnly) {
            return false;
        }
        return switch (this) {
            case MISSING_VERSION, INVALID_VERSION -> stream.versioned();
            case NEAR_TOPIC_LIMIT -> stream.smallTopic();
            // a bigint key is at most 20 characters: only text keys reach the key limit
            case KEY_AT_LIMIT, KEY_OVER_LIMIT -> stream.keys().stream().anyMatch(k -> k.type() == dev.upsertingest.core.stream.KeyType.TEXT);
            case LONG_NAME -> limits.maxDocumentSize() > 50_200;
            default -> true;
        };
    }
}
