package dev.upsertingest.api.publish;

import dev.upsertingest.core.event.RejectReason;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

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
        assertThat(events.items().get(2)).isEqualTo(new RequestEvents.Refused(2, RejectReason.NOT_AN_OBJECT, "the event must be a JSON object, got number_int"));
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
