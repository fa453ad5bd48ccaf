package dev.upsertingest.core.event;

/**
 * Finds, in JSON text that already parsed, the characters PostgreSQL's jsonb refuses although JSON allows them:
 * {@code \u0000} and unpaired UTF-16 surrogates. Both can only appear as escapes inside strings (a raw control
 * character is not valid JSON), so one pass over the bytes settles it without walking a tree.
 */
final class ForbiddenCharacters {

    private ForbiddenCharacters() {
    }

    /** Returns the rejection for the first forbidden character, or {@code null} when there is none. */
    static ParsedEvent.Rejected find(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            int b = json[i] & 0xFF;
            if (b == '\\') {
                if (i + 5 < json.length && json[i + 1] == 'u') {
                    int unit = hex4(json, i + 2);
                    if (unit == 0) {
                        return new ParsedEvent.Rejected(RejectReason.NUL_CHARACTER,
                                "the document contains \\u0000 at byte " + i + ", which PostgreSQL jsonb cannot store");
                    }
                    if (Character.isHighSurrogate((char) unit)) {
                        boolean paired = i + 11 < json.length && json[i + 6] == '\\' && json[i + 7] == 'u'
                                && Character.isLowSurrogate((char) hex4(json, i + 8));
                        if (!paired) {
                            return unpaired(i);
                        }
                        i += 11;
                        continue;
                    }
                    if (Character.isLowSurrogate((char) unit)) {
                        return unpaired(i);
                    }
                    i += 5;
                } else {
                    i++; // the escaped character, which may itself be a backslash
                }
            } else if (b == 0xED && i + 1 < json.length && (json[i + 1] & 0xFF) >= 0xA0) {
                // A surrogate encoded directly in (invalid) UTF-8, as CESU-8 writers produce.
                return unpaired(i);
            }
        }
        return null;
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
