package dev.upsertingest.api.publish;

import dev.upsertingest.core.event.RejectReason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestBodyReaderTest {

    private final RequestBodyReader reader = new RequestBodyReader(1000, 3);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(RequestEvents.Item item) {
        return new String(((RequestEvents.Raw) item).json(), StandardCharsets.UTF_8);
    }

    @Test
    void cutsAJsonArrayIntoTheExactBytesOfEachObject() {
        RequestEvents events = reader.jsonArray(utf8("[ {\"a\": \"é}\", \"n\": {\"x\": [1, {}]}} ,\n{\"b\":2}, 7 ]"));
        assertThat(events.items()).hasSize(3);
        assertThat(text(events.items().get(0))).isEqualTo("{\"a\": \"é}\", \"n\": {\"x\": [1, {}]}}");
        assertThat(text(events.items().get(1))).isEqualTo("{\"b\":2}");
        assertThat(text(events.items().get(2))).as("not an object: the event rules say so").isEqualTo("7");
    }

    @Test
    void cutsAtTheByteLevelWithoutDecodingStringsOrNames() {
        byte[] body = concat(utf8("[{\"a\": \"x], {\\\"y\\\\\"}, {\"\\ud800\": 1}, {\"b\": \""),
                new byte[]{(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF},
                utf8("\"}, null ,\"s\",[1,{}], {\"c\": 1} trailing , {\"d\": 1}}]  "));
        RequestEvents events = new RequestBodyReader(1000, 100).jsonArray(body);
        assertThat(events.items()).hasSize(8);
        assertThat(text(events.items().get(0))).isEqualTo("{\"a\": \"x], {\\\"y\\\\\"}");
        assertThat(text(events.items().get(1))).isEqualTo("{\"\\ud800\": 1}");
        assertThat(((RequestEvents.Raw) events.items().get(2)).json()).isEqualTo(concat(utf8("{\"b\": \""),
                new byte[]{(byte) 0xC0, (byte) 0xAF, (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF}, utf8("\"}")));
        assertThat(events.items().get(3)).isEqualTo(new RequestEvents.Refused(3, RejectReason.NOT_AN_OBJECT,
                "null is not an event (tombstones cannot be published over HTTP)"));
        assertThat(text(events.items().get(4))).isEqualTo("\"s\"");
        assertThat(text(events.items().get(5))).isEqualTo("[1,{}]");
        assertThat(text(events.items().get(6))).isEqualTo("{\"c\": 1} trailing");
        assertThat(text(events.items().get(7))).as("a brace too many stays in its element").isEqualTo("{\"d\": 1}}");
    }

    @Test
    void onlyABrokenArrayIsRefusedAsAWhole() {
        RequestBodyReader roomy = new RequestBodyReader(1000, 100);
        for (String broken : List.of("", "   ", "{}", "\"x\"", "[", "[{}", "[{},", "[{}, {\"a\": \"unclosed}]", "[,{}]",
                "[{},,{}]", "[{},]", "[{}] {}", "[{}]]", "[{\"a\": [1}]")) {
            assertThatThrownBy(() -> roomy.jsonArray(utf8(broken))).as(broken).isInstanceOf(PublishException.NotJson.class);
        }
        assertThatThrownBy(() -> roomy.jsonArray(concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("[{}]"))))
                .isInstanceOf(PublishException.NotJson.class).hasMessageContaining("byte order mark");
        assertThat(roomy.jsonArray(utf8(" \r\n[ ] \t")).items()).isEmpty();
        assertThat(roomy.jsonArray(utf8("[{}}, {}]")).items()).as("a brace too many stays in its element").hasSize(2);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void aBodyThatIsNotAJsonArrayIsRefusedAsAWhole() {
        assertThatThrownBy(() -> reader.jsonArray(utf8("{\"a\": 1}"))).isInstanceOf(PublishException.NotJson.class);
        assertThatThrownBy(() -> reader.jsonArray(utf8("[{\"a\": 1}"))).isInstanceOf(PublishException.NotJson.class);
        assertThatThrownBy(() -> reader.jsonArray(utf8("[{\"a\": 1}] []"))).isInstanceOf(PublishException.NotJson.class);
    }

    @Test
    void ndjsonIsOneEventPerNonBlankLine() {
        RequestEvents events = reader.ndjson(utf8("{\"a\":1}\r\n\n  \n{broken\n{\"c\":3}"));
        assertThat(events.items()).extracting(RequestEvents.Item::index).containsExactly(0, 1, 2);
        assertThat(text(events.items().get(0))).isEqualTo("{\"a\":1}");
        assertThat(text(events.items().get(1))).isEqualTo("{broken");
    }

    @Test
    void limitsBytesAndEvents() {
        assertThatThrownBy(() -> reader.ndjson(utf8("{}\n{}\n{}\n{}"))).isInstanceOf(PublishException.TooLarge.class);
        assertThatThrownBy(() -> reader.jsonArray(utf8("[{},{},{},{}]"))).isInstanceOf(PublishException.TooLarge.class);
        assertThatThrownBy(() -> reader.readBounded(new ByteArrayInputStream(new byte[1001]))).isInstanceOf(PublishException.TooLarge.class);
    }
}
