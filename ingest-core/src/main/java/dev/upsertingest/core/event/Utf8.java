package dev.upsertingest.core.event;

/**
 * Well-formed UTF-8 as RFC 3629 (and Unicode's table 3-7) defines it, one multi-byte sequence at a time:
 *
 * <pre>
 *   C2..DF  80..BF
 *   E0      A0..BF  80..BF      (E0 80..9F would be overlong)
 *   E1..EC  80..BF  80..BF
 *   ED      80..9F  80..BF      (ED A0..BF would encode a UTF-16 surrogate)
 *   EE..EF  80..BF  80..BF
 *   F0      90..BF  80..BF 80..BF  (F0 80..8F would be overlong)
 *   F1..F3  80..BF  80..BF 80..BF
 *   F4      80..8F  80..BF 80..BF  (F4 90.. and F5..F7 would be above U+10FFFF)
 * </pre>
 *
 * C0 and C1 only ever start overlong forms, 80..BF only continue a sequence, F8..FF never occur.
 */
final class Utf8 {

    private Utf8() {
    }

    /**
     * The length (2 to 4) of the well-formed sequence starting at {@code at}, whose first byte is >= 0x80, or
     * {@code -1} when it is not one (see {@link #describe} for why).
     */
    static int sequenceLength(byte[] b, int at) {
        int lead = b[at] & 0xFF;
        int length;
        int low = 0x80;
        int high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) {
                low = 0xA0;
            } else if (lead == 0xED) {
                high = 0x9F;
            }
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) {
                low = 0x90;
            } else if (lead == 0xF4) {
                high = 0x8F;
            }
        } else {
            return -1;
        }
        if (at + length > b.length) {
            return -1;
        }
        int second = b[at + 1] & 0xFF;
        if (second < low || second > high) {
            return -1;
        }
        for (int k = 2; k < length; k++) {
            if ((b[at + k] & 0xC0) != 0x80) {
                return -1;
            }
        }
        return length;
    }

    /** What is wrong with the sequence at {@code at}, for which {@link #sequenceLength} returned {@code -1}. */
    static String describe(byte[] b, int at) {
        int lead = b[at] & 0xFF;
        if (lead >= 0x80 && lead <= 0xBF) {
            return "a continuation byte (0x" + hex(lead) + ") that continues no sequence";
        }
        if (lead == 0xC0 || lead == 0xC1) {
            return "an overlong encoding (0x" + hex(lead) + ")";
        }
        if (lead >= 0xF5) {
            return lead <= 0xF7 ? "a code point above U+10FFFF (0x" + hex(lead) + ")" : "a byte that never occurs in UTF-8 (0x" + hex(lead) + ")";
        }
        int length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        for (int k = 1; k < length; k++) {
            if (at + k >= b.length || (b[at + k] & 0xC0) != 0x80) {
                return "a sequence cut short (0x" + hex(lead) + " needs " + (length - 1) + " continuation bytes)";
            }
        }
        int second = b[at + 1] & 0xFF;
        if ((lead == 0xE0 && second < 0xA0) || (lead == 0xF0 && second < 0x90)) {
            return "an overlong encoding (0x" + hex(lead) + " 0x" + hex(second) + ")";
        }
        if (lead == 0xED) {
            return "a UTF-16 surrogate encoded directly (0xED 0x" + hex(second) + ", as CESU-8 writers do)";
        }
        return "a code point above U+10FFFF (0x" + hex(lead) + " 0x" + hex(second) + ")";
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }
}
