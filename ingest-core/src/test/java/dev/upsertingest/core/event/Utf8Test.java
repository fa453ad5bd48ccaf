package dev.upsertingest.core.event;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte-level UTF-8 rule against the JDK's strict decoder, which follows the Unicode standard (no overlong forms,
 * no surrogates, nothing above U+10FFFF): every lead byte with every second byte, and continuations that do and do
 * not continue.
 */
class Utf8Test {

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Walks {@code bytes} with {@link Utf8#sequenceLength} the way {@link ForbiddenCharacters} does. */
    private static boolean accepts(byte[] bytes) {
        for (int i = 0; i < bytes.length; ) {
            if (bytes[i] >= 0) {
                i++;
            } else {
                int length = Utf8.sequenceLength(bytes, i);
                if (length < 0) {
                    return Utf8.describe(bytes, i).isEmpty(); // false, once describe has not failed on it
                }
                i += length;
            }
        }
        return true;
    }

    @Test
    void agreesWithTheJdksStrictDecoderOnEveryTwoByteStartAndContinuationsAfterIt() {
        List<String> disagreements = new ArrayList<>();
        int checked = 0;
        for (int lead = 0; lead < 256; lead++) {
            for (int second = 0; second < 256; second++) {
                for (int third : new int[]{0x80, 0xBF, 0x41}) {
                    for (int fourth : new int[]{0x80, 0x41}) {
                        check(new byte[]{(byte) lead, (byte) second, (byte) third, (byte) fourth}, disagreements);
                        checked++;
                    }
                }
                check(new byte[]{(byte) lead, (byte) second}, disagreements);
            }
            check(new byte[]{(byte) lead}, disagreements);
        }
        assertThat(disagreements).isEmpty();
        assertThat(checked).isEqualTo(256 * 256 * 6);
    }

    private static void check(byte[] bytes, List<String> disagreements) {
        if (accepts(bytes) != jdkAccepts(bytes)) {
            disagreements.add(HexFormat.ofDelimiter(" ").formatHex(bytes));
        }
    }

    @Test
    void describesEachKindOfMalformedSequence() {
        assertThat(Utf8.describe(new byte[]{(byte) 0xC0, (byte) 0xAF}, 0)).isEqualTo("an overlong encoding (0xC0)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, 0)).isEqualTo("an overlong encoding (0xE0 0x80)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xF0, (byte) 0x8F, (byte) 0x80, (byte) 0x80}, 0)).isEqualTo("an overlong encoding (0xF0 0x8F)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0))
                .isEqualTo("a UTF-16 surrogate encoded directly (0xED 0xA0, as CESU-8 writers do)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0)).isEqualTo("a code point above U+10FFFF (0xF4 0x90)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xF6}, 0)).isEqualTo("a code point above U+10FFFF (0xF6)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xE2, (byte) 0x82}, 0)).isEqualTo("a sequence cut short (0xE2 needs 2 continuation bytes)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xE2, 0x41, (byte) 0x82}, 0)).isEqualTo("a sequence cut short (0xE2 needs 2 continuation bytes)");
        assertThat(Utf8.describe(new byte[]{(byte) 0xAF}, 0)).isEqualTo("a continuation byte (0xAF) that continues no sequence");
        assertThat(Utf8.describe(new byte[]{(byte) 0xFE}, 0)).isEqualTo("a byte that never occurs in UTF-8 (0xFE)");
    }
}
