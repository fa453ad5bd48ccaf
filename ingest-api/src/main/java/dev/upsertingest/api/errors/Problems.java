package dev.upsertingest.api.errors;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * RFC 9457 problem details, for the controllers' exceptions, for the security filters (which answer before any
 * controller runs), for {@code /error}, and for the errors Tomcat answers itself ({@link ProblemReportValve}). Every
 * problem has a stable {@code type} ({@code urn:upsert-ingest:problem:<slug>}) clients can switch on, and a detail
 * that never carries an exception's class or message.
 */
public final class Problems {

    private static final JsonMapper JSON = JsonMapper.shared();

    public static URI type(String slug) {
        return URI.create("urn:upsert-ingest:problem:" + slug);
    }

    public static ProblemDetail problem(HttpStatus status, String slug, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type(slug));
        problem.setTitle(title);
        return problem;
    }

    /**
     * The slug of a problem nothing more specific is known about than its status: what the container and the
     * framework answer (a malformed request, an unknown path, a method not allowed).
     */
    public static String slug(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 408 -> "request-timeout";
            case 413 -> "too-large";
            case 414 -> "uri-too-long";
            case 415 -> "unsupported-media-type";
            case 431 -> "headers-too-large";
            case 503 -> "unavailable";
            default -> status >= 500 ? "internal" : "bad-request";
        };
    }

    /** A detail for a problem known only by its status, saying what to do about it. */
    public static String detail(int status) {
        return switch (status) {
            case 400 -> "The request is not valid HTTP as this server reads it: a malformed request line or header, "
                    + "a character that must be percent-encoded, a bad percent-encoding, or an encoded character this "
                    + "server does not take in a path (a key with such characters goes in the query: .../row?key=...).";
            case 404 -> "There is nothing at this path.";
            case 405 -> "This path does not take that method.";
            case 408 -> "The request took too long to arrive.";
            case 413 -> "The request is larger than this server takes.";
            case 414 -> "The URL is longer than this server takes.";
            case 431 -> "The request's headers are larger than this server takes.";
            case 503 -> "The service is unavailable; retry later.";
            default -> status >= 500 ? "An internal error occurred." : "The request cannot be served.";
        };
    }

    /** The problem's JSON: {@code type}, {@code title}, {@code status}, {@code detail}. */
    public static byte[] json(int status, String slug, String title, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type(slug).toString());
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return JSON.writeValueAsBytes(body);
    }

    public static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error " + status : known.getReasonPhrase();
    }

    public void write(HttpServletResponse response, HttpStatus status, String slug, String title, String detail)
            throws IOException {
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json(status.value(), slug, title, detail));
    }
}
