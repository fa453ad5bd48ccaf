package dev.upsertingest.core.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The worker's fast path through an event: one pass over the bytes that checks the document is a JSON object jsonb
 * will store (RFC 8259 grammar, well-formed UTF-8, no {@code \u0000}, no unpaired surrogate) and picks up the
 * scalars at a few JSON pointers (the key and the version) without building anything else.
 *
 * <p>Why: in replace mode the worker writes the document text as received, so everything Jackson builds for it is
 * thrown away, and parsing was the largest share of the worker's CPU, which on a small machine PostgreSQL needs.
 *
 * <p>It only ever says yes or "not sure": whatever it does not handle, or that is wrong, makes it decline
 * ({@code null}), and {@link EventParser} then parses the event with Jackson, which accepts it or explains exactly
 * what is wrong. So it must never accept what the full parse refuses; declining too much only costs time. It declines
 * escapes in property names on the pointers' way and in the values pointed at, numbers longer than
 * {@value #MAX_NUMBER_LENGTH} characters or with more than {@value #MAX_EXPONENT_DIGITS} exponent digits, nesting deeper than {@value #MAX_DEPTH}, a byte order mark, a property on
 * a pointer's way that occurs twice, and a pointed-at value that is not a string or an integer in the bigint range.
 *
 * <p>Not thread-safe; cheap to create (one per event).
 */
final class DocumentScanner {

    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER_LENGTH = 100;
    static final int MAX_EXPONENT_DIGITS = 4;

    /** Thrown to abandon the scan; preallocated and without a stack trace, so declining costs nothing. */
    private static final RuntimeException DECLINE = new RuntimeException("declined", null, false, false) {
    };

    /** Eight bytes of a document at a time, for {@link #string()}. */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private final byte[] b;
    private final byte[][][] segments;
    private final int[][] indexes;
    private final Object[] found;
    private int i;

    private DocumentScanner(byte[] json, Pointers pointers) {
        this.b = json;
        this.segments = pointers.segments;
        this.indexes = pointers.indexes;
        this.found = new Object[pointers.segments.length];
    }

    /**
     * Scans {@code json}.
     *
     * @return per pointer, the {@link String} or {@link Long} found there, or {@code null} (declined) when the document
     * is not a JSON object jsonb stores, a pointer finds nothing or something else, or the scanner is not sure
     */
    static Object[] scan(byte[] json, Pointers pointers) {
        DocumentScanner scanner = new DocumentScanner(json, pointers);
        try {
            scanner.document();
        } catch (RuntimeException declined) {
            return null; // DECLINE, or malformed input ran off the end of the array: the full parse explains
        }
        for (Object value : scanner.found) {
            if (value == null) {
                return null;
            }
        }
        return scanner.found;
    }

    private void document() {
        whitespace();
        if (b[i] != '{') {
            throw DECLINE;
        }
        object(0, pointerMask(segments.length));
        whitespace();
        if (i != b.length) {
            throw DECLINE;
        }
    }

    private static long pointerMask(int count) {
        return count == 64 ? -1L : (1L << count) - 1;
    }

    /** A value at {@code depth}; {@code active} holds the pointers whose first {@code depth} segments led here. */
    private void value(int depth, long active) {
        long complete = 0;
        for (long m = active; m != 0; m &= m - 1) {
            int p = Long.numberOfTrailingZeros(m);
            if (segments[p].length == depth) {
                complete |= 1L << p;
            }
        }
        byte c = b[i];
        switch (c) {
            case '{' -> {
                if (complete != 0) {
                    throw DECLINE;
                }
                object(depth, active);
            }
            case '[' -> {
                if (complete != 0) {
                    throw DECLINE;
                }
                array(depth, active);
            }
            case '"' -> {
                int start = i + 1;
                boolean escaped = string();
                if (complete != 0) {
                    if (escaped) {
                        throw DECLINE;
                    }
                    record(complete, new String(b, start, i - 1 - start, StandardCharsets.UTF_8));
                }
            }
            case 't' -> literal("true", complete);
            case 'f' -> literal("false", complete);
            case 'n' -> literal("null", complete);
            default -> {
                Long integer = number();
                if (complete != 0) {
                    if (integer == null) {
                        throw DECLINE;
                    }
                    record(complete, integer);
                }
            }
        }
    }

    private void record(long pointers, Object value) {
        for (long m = pointers; m != 0; m &= m - 1) {
            found[Long.numberOfTrailingZeros(m)] = value;
        }
    }

    private void object(int depth, long active) {
        if (depth >= MAX_DEPTH) {
            throw DECLINE;
        }
        i++; // '{'
        whitespace();
        if (b[i] == '}') {
            i++;
            return;
        }
        long seen = 0;
        while (true) {
            if (b[i] != '"') {
                throw DECLINE;
            }
            int start = i + 1;
            boolean escaped = string();
            int end = i - 1;
            long child = 0;
            for (long m = active; m != 0; m &= m - 1) {
                int p = Long.numberOfTrailingZeros(m);
                byte[][] path = segments[p];
                if (path.length > depth) {
                    if (escaped) {
                        throw DECLINE; // the name might match once unescaped
                    }
                    if (equal(path[depth], start, end)) {
                        child |= 1L << p;
                    }
                }
            }
            if ((seen & child) != 0) {
                throw DECLINE; // a duplicate property on a pointer's way: the last one would count
            }
            seen |= child;
            whitespace();
            if (b[i++] != ':') {
                throw DECLINE;
            }
            whitespace();
            value(depth + 1, child);
            whitespace();
            byte next = b[i++];
            if (next == '}') {
                return;
            }
            if (next != ',') {
                throw DECLINE;
            }
            whitespace();
        }
    }

    private void array(int depth, long active) {
        if (depth >= MAX_DEPTH) {
            throw DECLINE;
        }
        i++; // '['
        whitespace();
        if (b[i] == ']') {
            i++;
            return;
        }
        for (int index = 0; ; index++) {
            long child = 0;
            for (long m = active; m != 0; m &= m - 1) {
                int p = Long.numberOfTrailingZeros(m);
                if (segments[p].length > depth && indexes[p][depth] == index) {
                    child |= 1L << p;
                }
            }
            value(depth + 1, child);
            whitespace();
            byte next = b[i++];
            if (next == ']') {
                return;
            }
            if (next != ',') {
                throw DECLINE;
            }
            whitespace();
        }
    }

    private boolean equal(byte[] name, int start, int end) {
        if (name.length != end - start) {
            return false;
        }
        for (int k = 0; k < name.length; k++) {
            if (b[start + k] != name[k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Validates a string starting at the opening quote and leaves {@code i} after the closing one; returns whether it
     * held an escape.
     */
    private boolean string() {
        byte[] bytes = b;
        int at = i + 1; // after '"'
        int lastWord = bytes.length - Long.BYTES;
        boolean escaped = false;
        while (true) {
            // the common case first: plain ASCII, eight bytes at a time, in a local index (the field would be written
            // on every step); strings are most of a document's bytes
            while (at <= lastWord) {
                long stops = stops((long) WORDS.get(bytes, at));
                if (stops != 0) {
                    at += Long.numberOfTrailingZeros(stops) >>> 3;
                    break;
                }
                at += Long.BYTES;
            }
            int c = bytes[at];
            while (c >= 0x20 && c != '"' && c != '\\') {
                c = bytes[++at]; // the last few bytes; bytes >= 0x80 are negative here, so they leave this loop too
            }
            if (c == '"') {
                i = at + 1;
                return escaped;
            }
            i = at;
            if (c == '\\') {
                escaped = true;
                escape();
            } else if (c >= 0) {
                throw DECLINE; // a raw control character is not valid JSON
            } else {
                utf8(c & 0xFF);
            }
            at = i;
        }
    }

    /**
     * The high bit of each byte of {@code word} (little-endian) that ends a plain ASCII run in a string: a quote, a
     * backslash, a control character or a byte >= 0x80. Bytes above the first such byte may be marked falsely (a
     * borrow carries into them), the lowest mark is always exact, which is all {@link #string()} reads.
     */
    static long stops(long word) {
        long quote = word ^ 0x2222222222222222L;
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        return ((quote - ONES) & ~quote
                | (backslash - ONES) & ~backslash
                | (word - 0x2020202020202020L) & ~word
                | word) & HIGHS;
    }

    private void escape() {
        byte e = b[i + 1];
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> i += 2;
            case 'u' -> {
                int unit = hex4(i + 2);
                i += 6;
                if (unit == 0) {
                    throw DECLINE; // \u0000: jsonb cannot store it
                }
                if (Character.isHighSurrogate((char) unit)) {
                    if (b[i] != '\\' || b[i + 1] != 'u' || !Character.isLowSurrogate((char) hex4(i + 2))) {
                        throw DECLINE; // unpaired: jsonb refuses it
                    }
                    i += 6;
                } else if (Character.isLowSurrogate((char) unit)) {
                    throw DECLINE;
                }
            }
            default -> throw DECLINE;
        }
    }

    private int hex4(int from) {
        int value = 0;
        for (int k = from; k < from + 4; k++) {
            int digit = Character.digit(b[k], 16);
            if (digit < 0) {
                throw DECLINE;
            }
            value = value << 4 | digit;
        }
        return value;
    }

    /**
     * One well-formed UTF-8 sequence starting with {@code lead} (>= 0x80), the same rule as {@link Utf8}: no overlong
     * forms (C0, C1, E0 80..9F, F0 80..8F), no encoded surrogates (ED A0..BF), nothing above U+10FFFF (F4 90..BF,
     * F5..FF), no stray continuation byte as lead; a sequence cut short meets a byte that is not a continuation (or
     * the end of the array, which declines too).
     */
    private void utf8(int lead) {
        int second = b[i + 1] & 0xFF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuation(second);
            i += 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            int low = lead == 0xE0 ? 0xA0 : 0x80;
            int high = lead == 0xED ? 0x9F : 0xBF; // ED A0..BF would encode a surrogate
            if (second < low || second > high) {
                throw DECLINE;
            }
            continuation(b[i + 2] & 0xFF);
            i += 3;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            int low = lead == 0xF0 ? 0x90 : 0x80;
            int high = lead == 0xF4 ? 0x8F : 0xBF;
            if (second < low || second > high) {
                throw DECLINE;
            }
            continuation(b[i + 2] & 0xFF);
            continuation(b[i + 3] & 0xFF);
            i += 4;
        } else {
            throw DECLINE;
        }
    }

    private static void continuation(int c) {
        if ((c & 0xC0) != 0x80) {
            throw DECLINE;
        }
    }

    /** A JSON number; returns its value when it is an integer in the bigint range, else {@code null}. */
    private Long number() {
        int start = i;
        if (b[i] == '-') {
            i++;
        }
        if (b[i] == '0') {
            i++;
        } else if (b[i] >= '1' && b[i] <= '9') {
            while (i < b.length && isDigit(b[i])) {
                i++;
            }
        } else {
            throw DECLINE;
        }
        boolean integral = true;
        if (i < b.length && b[i] == '.') {
            integral = false;
            i++;
            digits();
        }
        if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
            integral = false;
            i++;
            if (b[i] == '+' || b[i] == '-') {
                i++;
            }
            int exponent = i;
            digits();
            if (i - exponent > MAX_EXPONENT_DIGITS) {
                throw DECLINE; // beyond what a BigDecimal (and jsonb's numeric) holds: let the full parse judge it
            }
        }
        if (i - start > MAX_NUMBER_LENGTH) {
            throw DECLINE;
        }
        if (!integral || i - start > 20) {
            return null;
        }
        long value = 0;
        boolean negative = b[start] == '-';
        for (int k = negative ? start + 1 : start; k < i; k++) {
            int digit = b[k] - '0';
            // accumulate negatively, so that Long.MIN_VALUE fits
            if (value < (Long.MIN_VALUE + digit) / 10) {
                return null;
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return null;
            }
            value = -value;
        }
        return value;
    }

    private void digits() {
        if (!isDigit(b[i])) {
            throw DECLINE;
        }
        while (i < b.length && isDigit(b[i])) {
            i++;
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word, long complete) {
        if (complete != 0) {
            throw DECLINE; // a key or version that is a boolean or null: the full parse says which rule it breaks
        }
        for (int k = 0; k < word.length(); k++) {
            if (b[i + k] != word.charAt(k)) {
                throw DECLINE;
            }
        }
        i += word.length();
    }

    private void whitespace() {
        byte[] bytes = b;
        int at = i;
        while (at < bytes.length) {
            byte c = bytes[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                break;
            }
            at++;
        }
        i = at;
    }

    /**
     * JSON pointers compiled for the scanner: each segment as UTF-8 bytes, and as an array index where it is one
     * ({@code -1} where not). At most 64.
     */
    static final class Pointers {
        private final byte[][][] segments;
        private final int[][] indexes;

        Pointers(java.util.List<tools.jackson.core.JsonPointer> pointers) {
            if (pointers.size() > 64) {
                throw new IllegalArgumentException("at most 64 pointers");
            }
            segments = new byte[pointers.size()][][];
            indexes = new int[pointers.size()][];
            for (int p = 0; p < pointers.size(); p++) {
                java.util.List<byte[]> names = new java.util.ArrayList<>();
                java.util.List<Integer> index = new java.util.ArrayList<>();
                for (tools.jackson.core.JsonPointer at = pointers.get(p); !at.matches(); at = at.tail()) {
                    names.add(at.getMatchingProperty().getBytes(StandardCharsets.UTF_8));
                    index.add(at.getMatchingIndex());
                }
                segments[p] = names.toArray(byte[][]::new);
                indexes[p] = index.stream().mapToInt(Integer::intValue).toArray();
            }
        }
    }
}
