package dev.upsertingest.api.publish;

import dev.upsertingest.core.event.RejectReason;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a request body of events, within the size and count limits, and cuts it into one byte slice per event so that
 * each event is checked by exactly the rules the worker applies (which work on an event's bytes).
 *
 * <ul>
 *   <li>{@code application/json}: a JSON array of events. The body must be valid JSON as a whole (else 400); an
 *   element that is not an object is refused on its own.</li>
 *   <li>{@code application/x-ndjson}: one event per line. A line that is not valid JSON is refused on its own.</li>
 * </ul>
 */
final class RequestBodyReader {

    private static final JsonMapper JSON = JsonMapper.shared();

    private final long maxBytes;
    private final int maxEvents;

    RequestBodyReader(long maxBytes, int maxEvents) {
        this.maxBytes = maxBytes;
        this.maxEvents = maxEvents;
    }

    byte[] readBounded(InputStream body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        byte[] buffer = new byte[65536];
        for (int n; (n = body.read(buffer)) > 0; ) {
            if (out.size() + n > maxBytes) {
                throw new PublishException.TooLarge("the request body is larger than " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    RequestEvents jsonArray(byte[] body) {
        List<RequestEvents.Item> items = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new PublishException.NotJson("the body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)");
            }
            int index = 0;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken(), index++) {
                if (token == null) {
                    throw new PublishException.NotJson("the JSON array is not closed");
                }
                checkCount(index);
                if (token == JsonToken.START_OBJECT) {
                    int start = (int) parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    int end = (int) parser.currentLocation().getByteOffset();
                    items.add(new RequestEvents.Raw(index, Arrays.copyOfRange(body, start, end)));
                } else {
                    parser.skipChildren();
                    items.add(new RequestEvents.Refused(index, RejectReason.NOT_AN_OBJECT, token == JsonToken.VALUE_NULL
                            ? "null is not an event (tombstones cannot be published over HTTP)"
                            : "the event must be a JSON object, got " + token.name().toLowerCase().replace("value_", "")));
                }
            }
            if (parser.nextToken() != null) {
                throw new PublishException.NotJson("there is content after the JSON array");
            }
        } catch (JacksonException e) {
            throw new PublishException.NotJson("the body is not valid JSON: " + e.getOriginalMessage());
        }
        return new RequestEvents(items);
    }

    RequestEvents ndjson(byte[] body) {
        List<RequestEvents.Item> items = new ArrayList<>();
        int index = 0;
        int lineStart = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '\n') {
                int end = i > lineStart && body[i - 1] == '\r' ? i - 1 : i;
                if (!isBlank(body, lineStart, end)) {
                    checkCount(index);
                    items.add(new RequestEvents.Raw(index++, Arrays.copyOfRange(body, lineStart, end)));
                }
                lineStart = i + 1;
            }
        }
        return new RequestEvents(items);
    }

    private void checkCount(int index) {
        if (index >= maxEvents) {
            throw new PublishException.TooLarge("a request may carry at most " + maxEvents + " events");
        }
    }

    private static boolean isBlank(byte[] body, int from, int to) {
        for (int i = from; i < to; i++) {
            if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
