package dev.upsertingest.fuzz;

import java.util.List;

/**
 * One generated HTTP request to {@code POST /api/v1/streams/{stream}/events}, and what the API should answer.
 *
 * @param index          its position in {@link HostileBodies}' sequence: {@link HostileBodies#request(long)} makes it again
 * @param stream         the stream it publishes to
 * @param kind           what sort of request, in a few words (for reports)
 * @param contentType    the {@code Content-Type} header, {@code null} for none
 * @param body           the body, byte for byte
 * @param chunked        sent without {@code Content-Length} (chunked), so that the API finds its size by reading it
 * @param expectedStatus the status the API must answer, or 0 when any documented one will do (a request of mangled
 *                       events, which may or may not still be an array)
 * @param elements       the events as the API must cut them, in order, when that is known (every event kept its
 *                       shape); {@code null} when it is not
 * @param eventsTried    how many generated events the body holds (however the API may cut it)
 */
public record HostileRequest(long index, FuzzStream stream, String kind, String contentType, byte[] body, boolean chunked,
                             int expectedStatus, List<Element> elements, int eventsTried) {

    /**
     * One event of the request.
     *
     * @param event     the generated event
     * @param published the bytes the API publishes when it accepts the event: the array element without the
     *                  whitespace around it, or the NDJSON line without its carriage return
     */
    public record Element(HostileEvent event, byte[] published) {
    }

    public HostileRequest {
        elements = elements == null ? null : List.copyOf(elements);
    }

    public String describe() {
        return "request #" + index + " to " + stream.name() + ": " + kind + ", " + body.length + " bytes"
                + (chunked ? " chunked" : "") + (contentType == null ? ", no Content-Type" : ", " + contentType);
    }

    @Override
    public String toString() {
        return describe();
    }
}
