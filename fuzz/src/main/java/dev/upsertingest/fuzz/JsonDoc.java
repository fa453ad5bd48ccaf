package dev.upsertingest.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A JSON object as the generator builds it: an ordered list of properties, each a name token and a value token as
 * raw bytes, so that a mutation can put any bytes anywhere (inside a name, inside a value, between tokens) and the
 * result is exactly what it says.
 */
final class JsonDoc {

    /** One property: its name as a JSON string token (quotes included) and its value as a JSON value token. */
    record Field(byte[] name, byte[] value) {
    }

    final List<Field> fields = new ArrayList<>();

    JsonDoc add(String name, byte[] value) {
        fields.add(new Field(string(name, false), value));
        return this;
    }

    JsonDoc add(byte[] name, byte[] value) {
        fields.add(new Field(name, value));
        return this;
    }

    JsonDoc copy() {
        JsonDoc copy = new JsonDoc();
        copy.fields.addAll(fields);
        return copy;
    }

    /** The index of the first property named {@code name} (written without escapes), or -1. */
    int indexOf(String name) {
        byte[] token = string(name, false);
        for (int i = 0; i < fields.size(); i++) {
            if (java.util.Arrays.equals(fields.get(i).name(), token)) {
                return i;
            }
        }
        return -1;
    }

    void set(String name, byte[] value) {
        int at = indexOf(name);
        fields.set(at, new Field(fields.get(at).name(), value));
    }

    void remove(String name) {
        fields.remove(indexOf(name));
    }

    /** Compact: {@code {"a":1,"b":2}}. */
    byte[] bytes() {
        return bytes(null);
    }

    /** With whitespace drawn from {@code random} around every token; {@code null} for none. */
    byte[] bytes(SplittableRandom random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('{');
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            space(out, random);
            out.writeBytes(fields.get(i).name());
            space(out, random);
            out.write(':');
            space(out, random);
            out.writeBytes(fields.get(i).value());
            space(out, random);
        }
        out.write('}');
        return out.toByteArray();
    }

    private static final String[] SPACES = {" ", "\t", "\n", "\r\n", "  ", " \t "};

    static void space(ByteArrayOutputStream out, SplittableRandom random) {
        if (random != null && random.nextInt(3) == 0) {
            out.writeBytes(SPACES[random.nextInt(SPACES.length)].getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * A JSON string token for {@code text} (which must be well-formed UTF-16: the generator never makes a lone
     * surrogate this way), non-ASCII characters raw in UTF-8 or as {@code \}{@code uXXXX} escapes.
     */
    static byte[] string(String text, boolean escapeNonAscii) {
        StringBuilder json = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20 || (escapeNonAscii && c >= 0x80)) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A JSON string token whose content is {@code raw}, unescaped: whatever bytes it holds go in as they are. */
    static byte[] rawString(byte[]... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('"');
        for (byte[] part : raw) {
            out.writeBytes(part);
        }
        out.write('"');
        return out.toByteArray();
    }

    static byte[] octets(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }
}
