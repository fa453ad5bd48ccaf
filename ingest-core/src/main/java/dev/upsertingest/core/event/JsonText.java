package dev.upsertingest.core.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A document's JSON text, as UTF-8 bytes or as a string, whichever it was made from, converted only when asked.
 *
 * <p>Why: an event that passed the {@link DocumentScanner} is valid UTF-8 already, and the worker's default write
 * method sends documents to PostgreSQL as UTF-8 bytes, so decoding each one into a string only to encode it again
 * was a tenth of the worker's batch time. Text written back from a merged tree is a string from the start.
 *
 * <p>Immutable in effect: a conversion may race with another, and both compute the same value.
 */
public final class JsonText {

    private byte[] utf8;
    private String string;

    private JsonText(byte[] utf8, String string) {
        this.utf8 = utf8;
        this.string = string;
    }

    /** Text from bytes known to be well-formed UTF-8 (not copied: the caller must not change them). */
    public static JsonText ofUtf8(byte[] utf8) {
        return new JsonText(utf8, null);
    }

    public static JsonText of(String text) {
        return new JsonText(null, text);
    }

    /** The UTF-8 bytes (not a copy: do not change them). */
    public byte[] utf8() {
        byte[] bytes = utf8;
        if (bytes == null) {
            bytes = string.getBytes(StandardCharsets.UTF_8);
            utf8 = bytes;
        }
        return bytes;
    }

    public String asString() {
        String text = string;
        if (text == null) {
            text = new String(utf8, StandardCharsets.UTF_8);
            string = text;
        }
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof JsonText that && Arrays.equals(utf8(), that.utf8());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(utf8());
    }

    @Override
    public String toString() {
        return asString();
    }
}
