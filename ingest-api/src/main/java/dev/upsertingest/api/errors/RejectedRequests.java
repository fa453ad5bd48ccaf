package dev.upsertingest.api.errors;

import org.springframework.http.HttpStatus;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;

/**
 * Spring Security's firewall refusals as 400 problem details (its own handler sends a bare 400, which Boot rendered as
 * its default JSON). The detail says what kind of thing was refused but never repeats the firewall's message, which
 * quotes the offending header value, and a header may carry a key.
 */
public final class RejectedRequests {

    private RejectedRequests() {
    }

    public static RequestRejectedHandler handler(Problems problems) {
        return (request, response, e) -> {
            if (response.isCommitted()) {
                return;
            }
            response.reset();
            problems.write(response, HttpStatus.BAD_REQUEST, "bad-request", "Bad request", detail(e));
        };
    }

    static String detail(RequestRejectedException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("header")) {
            return "A request header name or value holds a character this API does not accept (a control character or an "
                    + "unassigned code point).";
        }
        if (message.contains("parameter")) {
            return "A query parameter name holds a character this API does not accept (a control character or an "
                    + "unassigned code point).";
        }
        if (message.contains("HTTP method")) {
            return "This API does not take that HTTP method.";
        }
        if (message.contains("normalized")) {
            return "The URL path is not normalized (it holds '.' or '..' segments or '//'); a key that is such a "
                    + "segment goes in the query: .../row?key=...";
        }
        if (message.contains("malicious String")) {
            return "The URL path holds a character this API does not take in a path (a NUL, a carriage return, an "
                    + "encoded '.', a raw ';', a line or paragraph separator); put such a key in the query, "
                    + "percent-encoded: .../row?key=...";
        }
        return "The request was refused: its URL or headers hold something this API does not accept.";
    }
}
