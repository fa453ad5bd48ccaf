package dev.upsertingest.core.event;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The byte-level rules of an event, checked in one pass before any JSON parser sees it: the bytes are well-formed
 * UTF-8 (RFC 3629: no overlong forms, no encoded surrogates, nothing above U+10FFFF, no truncated sequences, no stray
 * continuation bytes), and no escape spells what PostgreSQL's jsonb refuses although JSON allows it ({@code \\u0000}
 * and unpaired UTF-16 surrogates).
 *
 * <p>Why before the parser: Jackson decodes some malformed UTF-8 (an overlong {@code C0 AF} reads as {@code /}) and
 * refuses a broken surrogate escape in a property name as bad JSON while letting one in a value through, so its
 * verdict would depend on where the bad bytes are. Here every event gets the same answer for the same bytes,
 * whichever door it came through. Escapes are only ever inside strings in valid JSON, so a backslash is read as the
 * start of one; in text that is not valid JSON anyway that may name a forbidden escape rather than the syntax error.
 *
 * <p>{@link DocumentScanner}, the fast path, enforces the same rules by declining whatever breaks them.
 */
final class ForbiddenCharacters {

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private ForbiddenCharacters() {
    }

    /** Returns the rejection for the first forbidden byte sequence or escape, or {@code null} when there is none. */
    static ParsedEvent.Rejected find(byte[] json) {
        int length = json.length;
        int lastWord = length - Long.BYTES;
        int i = 0;
        while (i < length) {
            // most of a document is ASCII without backslashes: skip it eight bytes at a time
            while (i <= lastWord && stops((long) WORDS.get(json, i)) == 0) {
                i += Long.BYTES;
            }
            if (i >= length) {
                break;
            }
            int b = json[i] & 0xFF;
            if (b == '\\') {
                ParsedEvent.Rejected escape = escape(json, i);
                if (escape != null) {
                    return escape;
                }
                i += escapeLength(json, i);
            } else if (b >= 0x80) {
                int sequence = Utf8.sequenceLength(json, i);
                if (sequence < 0) {
                    return new ParsedEvent.Rejected(RejectReason.INVALID_UNICODE,
                            "the value is not well-formed UTF-8: " + Utf8.describe(json, i) + " at byte " + i);
                }
                i += sequence;
            } else {
                i++;
            }
        }
        return null;
    }

    /** The high bit of each byte of {@code word} that is a backslash or >= 0x80 (the lowest mark is exact). */
    private static long stops(long word) {
        long backslash = word ^ 0x5C5C5C5C5C5C5C5CL;
        return ((backslash - ONES) & ~backslash | word) & HIGHS;
    }

    /** The rejection for the escape at {@code at}, or {@code null} when it is allowed. */
    private static ParsedEvent.Rejected escape(byte[] json, int at) {
        if (at + 5 >= json.length || json[at + 1] != 'u') {
            return null;
        }
        int unit = hex4(json, at + 2);
        if (unit == 0) {
            return new ParsedEvent.Rejected(RejectReason.NUL_CHARACTER,
                    "the document contains \\u0000 at byte " + at + ", which PostgreSQL jsonb cannot store");
        }
        if (Character.isHighSurrogate((char) unit)) {
            boolean paired = at + 11 < json.length && json[at + 6] == '\\' && json[at + 7] == 'u'
                    && Character.isLowSurrogate((char) hex4(json, at + 8));
            return paired ? null : unpaired(at);
        }
        return unit >= 0 && Character.isLowSurrogate((char) unit) ? unpaired(at) : null;
    }

    /** How many bytes the (allowed) escape at {@code at} takes. */
    private static int escapeLength(byte[] json, int at) {
        if (at + 5 >= json.length || json[at + 1] != 'u') {
            return 2; // the escaped character, which may itself be a backslash
        }
        return Character.isHighSurrogate((char) hex4(json, at + 2)) ? 12 : 6;
    }

    private static ParsedEvent.Rejected unpaired(int at) {
        return new ParsedEvent.Rejected(RejectReason.INVALID_UNICODE,
                "the document contains an unpaired UTF-16 surrogate at byte " + at + ", which PostgreSQL jsonb cannot store");
    }

    private static int hex4(byte[] b, int from) {
        int value = 0;
        for (int i = from; i < from + 4; i++) {
            int digit = Character.digit(b[i], 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
