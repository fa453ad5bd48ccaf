package dev.upsertingest.loadtest.workload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A workload event as Kafka Connect's {@code JsonConverter} (with {@code schemas.enable=true}) reads it, for the
 * Debezium JDBC sink: the record key a struct {@code {order_id}}, the value a struct {@code {doc}} whose field is the
 * document text, with Debezium's {@code io.debezium.data.Json} logical type and {@code JSONB} as its source column
 * type, so the sink binds it as {@code jsonb}. Each record carries its schema, as that converter requires: the sink
 * writes the same key and the same document bytes into the same {@code (order_id text, doc jsonb)} table as the
 * worker does.
 */
public final class ConnectEnvelope {

    private static final byte[] KEY_HEAD = ("{\"schema\":{\"type\":\"struct\",\"name\":\"bench.order.Key\",\"optional\":false,"
            + "\"fields\":[{\"field\":\"order_id\",\"type\":\"string\",\"optional\":false}]},\"payload\":{\"order_id\":")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] VALUE_HEAD = ("{\"schema\":{\"type\":\"struct\",\"name\":\"bench.order.Value\",\"optional\":false,"
            + "\"fields\":[{\"field\":\"doc\",\"type\":\"string\",\"optional\":false,\"name\":\"io.debezium.data.Json\","
            + "\"version\":1,\"parameters\":{\"__debezium.source.column.type\":\"JSONB\"}}]},\"payload\":{\"doc\":")
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] TAIL = "}}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private ConnectEnvelope() {
    }

    public static byte[] key(String orderId) {
        return wrap(KEY_HEAD, orderId.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] value(byte[] document) {
        return wrap(VALUE_HEAD, document);
    }

    private static byte[] wrap(byte[] head, byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + text.length + text.length / 8 + 8);
        out.writeBytes(head);
        jsonString(text, out);
        out.writeBytes(TAIL);
        return out.toByteArray();
    }

    /** {@code text} (UTF-8) as a JSON string literal: quotes, backslashes and control characters escaped. */
    static void jsonString(byte[] text, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : text) {
            if (b == '"' || b == '\\') {
                out.write('\\');
                out.write(b);
            } else if (b >= 0 && b < 0x20) {
                out.write('\\');
                out.write('u');
                out.write('0');
                out.write('0');
                out.write(HEX[b >> 4]);
                out.write(HEX[b & 0xf]);
            } else {
                out.write(b); // bytes of multi-byte UTF-8 sequences are negative here and pass through as they are
            }
        }
        out.write('"');
    }
}
