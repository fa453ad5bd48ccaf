package dev.upsertingest.api.publish;

import dev.upsertingest.core.event.RejectReason;

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
 *   <li>{@code application/json}: a JSON array of events. The body must be an array whose elements can be told
 *   apart (else 400); each element is then judged on its own by the event rules, so an element that is not an
 *   object, not valid JSON or not well-formed UTF-8 is refused alone.</li>
 *   <li>{@code application/x-ndjson}: one event per line. A line that is not valid JSON is refused on its own.</li>
 * </ul>
 */
final class RequestBodyReader {

    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

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

    /**
     * Cuts a JSON array into its elements at the byte level: it follows only brackets, braces, commas and the quotes
     * and backslashes that delimit strings, never decoding a string or a name. So whatever is wrong inside one element
     * (bad UTF-8, a broken escape, bad JSON) is that event's rejection, judged by the event rules; only a body that
     * is not an array, or whose elements cannot be told apart, is refused as a whole.
     */
    RequestEvents jsonArray(byte[] body) {
        int n = body.length;
        int i = whitespace(body, 0);
        if (i + 2 < n && (body[i] & 0xFF) == 0xEF && (body[i + 1] & 0xFF) == 0xBB && (body[i + 2] & 0xFF) == 0xBF) {
            throw new PublishException.NotJson("the body starts with a UTF-8 byte order mark (EF BB BF), which JSON text "
                    + "must not carry (RFC 8259, section 8.1): send the JSON without it");
        }
        if (i == n || body[i] != '[') {
            throw new PublishException.NotJson("the body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)");
        }
        List<RequestEvents.Item> items = new ArrayList<>();
        i = whitespace(body, i + 1);
        if (i < n && body[i] == ']') {
            i++;
        } else {
            for (int index = 0; ; index++) {
                checkCount(index);
                int end = elementEnd(body, i);
                int last = end;
                while (last > i && isWhitespace(body[last - 1])) {
                    last--;
                }
                if (last == i) {
                    throw new PublishException.NotJson("element " + index + " of the JSON array is empty (a comma too many?)");
                }
                items.add(item(index, Arrays.copyOfRange(body, i, last)));
                i = end + 1;
                if (body[end] == ']') {
                    break;
                }
                i = whitespace(body, i);
            }
        }
        if (whitespace(body, i) != n) {
            throw new PublishException.NotJson("there is content after the JSON array");
        }
        return new RequestEvents(items);
    }

    /**
     * The position of the comma or closing bracket that ends the element starting at {@code from}: the first one
     * outside strings and outside the element's own brackets and braces.
     */
    private static int elementEnd(byte[] body, int from) {
        int depth = 0;
        for (int i = from; i < body.length; i++) {
            switch (body[i]) {
                case '"' -> {
                    i = stringEnd(body, i);
                    if (i < 0) {
                        throw new PublishException.NotJson("a string in the JSON array is not closed");
                    }
                }
                case '{', '[' -> depth++;
                case '}' -> depth = Math.max(0, depth - 1); // one too many is the element's problem, not the array's
                case ']' -> {
                    if (depth == 0) {
                        return i;
                    }
                    depth--;
                }
                case ',' -> {
                    if (depth == 0) {
                        return i;
                    }
                }
                default -> {
                }
            }
        }
        throw new PublishException.NotJson("the JSON array is not closed");
    }

    /** The position of the quote that closes the string opened at {@code open}, or -1. */
    private static int stringEnd(byte[] body, int open) {
        for (int i = open + 1; i < body.length; i++) {
            byte c = body[i];
            if (c == '\\') {
                i++; // whatever is escaped, even a quote, does not end the string
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static RequestEvents.Item item(int index, byte[] element) {
        if (Arrays.equals(element, NULL)) {
            return new RequestEvents.Refused(index, RejectReason.NOT_AN_OBJECT,
                    "null is not an event (tombstones cannot be published over HTTP)");
        }
        return new RequestEvents.Raw(index, element); // anything else, object or not, the event rules judge
    }

    private static int whitespace(byte[] body, int from) {
        int i = from;
        while (i < body.length && isWhitespace(body[i])) {
            i++;
        }
        return i;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
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
