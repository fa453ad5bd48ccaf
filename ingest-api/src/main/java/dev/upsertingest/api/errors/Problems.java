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
 * RFC 9457 problem details, for the controllers' exceptions and for the security filters, which answer before any
 * controller runs. Every problem has a stable {@code type} ({@code urn:upsert-ingest:problem:<slug>}) clients can
 * switch on.
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

    public void write(HttpServletResponse response, HttpStatus status, String slug, String title, String detail)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type(slug).toString());
        body.put("title", title);
        body.put("status", status.value());
        body.put("detail", detail);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }
}
