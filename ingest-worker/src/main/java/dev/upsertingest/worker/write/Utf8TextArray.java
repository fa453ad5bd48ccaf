package dev.upsertingest.worker.write;

import org.postgresql.util.PGBinaryObject;
import org.postgresql.util.PGobject;

import java.nio.charset.StandardCharsets;

/**
 * A {@code text[]} parameter made of UTF-8 byte strings, which pgjdbc sends in PostgreSQL's binary array format
 * (it does for {@code text[]} unless binary transfer is turned off, and then {@link #getValue()} is the text form).
 *
 * <p>Why not {@code createArrayOf("text", strings)}: that needs every document decoded into a string, then encodes
 * it back into a buffer that grows by doubling, then copies that: a quarter of the worker's batch time, for bytes
 * that arrived from Kafka in exactly the form PostgreSQL takes. Here the message is sized once and filled once.
 */
final class Utf8TextArray extends PGobject implements PGBinaryObject {

    private static final int TEXT_OID = 25;

    private final byte[][] elements;

    Utf8TextArray(byte[][] elements) {
        this.elements = elements;
        setType("text[]");
    }

    @Override
    public int lengthInBytes() {
        int length = 20; // dimensions, has-nulls flag, element type, then length and lower bound of the one dimension
        for (byte[] element : elements) {
            length += 4 + element.length;
        }
        return length;
    }

    @Override
    public void toBytes(byte[] bytes, int offset) {
        int at = putInt(bytes, offset, 1);
        at = putInt(bytes, at, 0);
        at = putInt(bytes, at, TEXT_OID);
        at = putInt(bytes, at, elements.length);
        at = putInt(bytes, at, 1);
        for (byte[] element : elements) {
            at = putInt(bytes, at, element.length);
            System.arraycopy(element, 0, bytes, at, element.length);
            at += element.length;
        }
    }

    @Override
    public void setByteValue(byte[] value, int offset) {
        throw new UnsupportedOperationException("a parameter only: never read back");
    }

    /** The text form of the array, for a connection with binary transfer turned off. */
    @Override
    public String getValue() {
        StringBuilder literal = new StringBuilder(lengthInBytes() + 3 * elements.length).append('{');
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) {
                literal.append(',');
            }
            literal.append('"');
            String element = new String(elements[i], StandardCharsets.UTF_8);
            for (int c = 0; c < element.length(); c++) {
                char ch = element.charAt(c);
                if (ch == '"' || ch == '\\') {
                    literal.append('\\');
                }
                literal.append(ch);
            }
            literal.append('"');
        }
        return literal.append('}').toString();
    }

    private static int putInt(byte[] bytes, int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
        return at + 4;
    }
}
