package dev.upsertingest.ops;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The operations through the API's admin endpoints ({@code /api/v1/admin/...}), for an operator who has an API key
 * with the {@code admin} permission and no line to the database or the brokers. The answers are the same records as
 * {@link DirectOperations} returns; a problem detail becomes an {@link OperationException} of its status.
 */
public final class HttpOperations implements Operations {

    private static final JsonMapper JSON = OpsJson.MAPPER;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String key;
    private final Duration timeout;

    /** @param base the API's root, e.g. {@code http://localhost:8080} */
    public HttpOperations(URI base, String key, Duration timeout) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.key = key;
        this.timeout = timeout;
    }

    @Override
    public SystemStatus status(Duration sample) {
        return get("/api/v1/admin/status" + query("sample", sample.toString()), SystemStatus.class);
    }

    @Override
    public RebuildProgress requestRebuild(String stream, boolean emptyTable, String requestedBy) {
        return post("/api/v1/admin/streams/" + segment(stream) + "/rebuild" + query("empty-table", String.valueOf(emptyTable)),
                null, RebuildProgress.class);
    }

    @Override
    public RebuildProgress rebuild(String stream) {
        return get("/api/v1/admin/streams/" + segment(stream) + "/rebuild", RebuildProgress.class);
    }

    @Override
    public RefreshProgress requestRefresh(String view, String requestedBy) {
        return post("/api/v1/admin/views/" + segment(view) + "/refresh", null, RefreshProgress.class);
    }

    @Override
    public RefreshProgress refresh(String view, Instant requestedAt) {
        return get("/api/v1/admin/views/" + segment(view) + "/refresh" + query("requested-at", requestedAt.toString()),
                RefreshProgress.class);
    }

    @Override
    public DeadLetterList deadLetters(String stream, DeadLetterSelection selection, int limit) {
        List<String> parameters = new ArrayList<>();
        selection.reasons().stream().sorted().forEach(r -> parameters.add(parameter("reason", r)));
        add(parameters, "partition", selection.partition());
        add(parameters, "from-offset", selection.fromOffset());
        add(parameters, "to-offset", selection.toOffset());
        add(parameters, "since", selection.since());
        add(parameters, "until", selection.until());
        add(parameters, "limit", limit);
        return get("/api/v1/admin/streams/" + segment(stream) + "/dead-letters"
                + (parameters.isEmpty() ? "" : "?" + String.join("&", parameters)), DeadLetterList.class);
    }

    @Override
    public DeadLetter deadLetter(String stream, int partition, long offset, boolean withValue) {
        return get("/api/v1/admin/streams/" + segment(stream) + "/dead-letters/" + partition + "/" + offset
                + query("with-value", String.valueOf(withValue)), DeadLetter.class);
    }

    @Override
    public ReplayResult replay(String stream, DeadLetterSelection selection, boolean dryRun, String requestedBy, int listLimit) {
        ReplayRequest body = new ReplayRequest(selection.reasons().stream().sorted().toList(), selection.partition(),
                selection.fromOffset(), selection.toOffset(), selection.since(), selection.until(),
                selection.isEverything(), dryRun, listLimit);
        return post("/api/v1/admin/streams/" + segment(stream) + "/dead-letters/replay", body, ReplayResult.class);
    }

    private <T> T get(String path, Class<T> type) {
        return send(request(path).GET().build(), type);
    }

    private <T> T post(String path, Object body, Class<T> type) {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        return send(request(path).header("Content-Type", "application/json").POST(publisher).build(), type);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Authorization", "Bearer " + key).header("Accept", "application/json");
    }

    private <T> T send(HttpRequest request, Class<T> type) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OperationException(OperationException.Kind.UNAVAILABLE,
                    "the API cannot be reached at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationException(OperationException.Kind.UNAVAILABLE, "interrupted", e);
        }
        if (response.statusCode() / 100 == 2) {
            return JSON.readValue(response.body(), type);
        }
        String detail = response.body();
        try {
            JsonNode problem = JSON.readTree(response.body());
            if (problem.hasNonNull("detail")) {
                detail = problem.get("detail").asString();
            }
        } catch (RuntimeException ignored) {
            // not a problem detail: the body as it is
        }
        OperationException.Kind kind = switch (response.statusCode()) {
            case 404 -> OperationException.Kind.NOT_FOUND;
            case 409 -> OperationException.Kind.CONFLICT;
            case 400, 401, 403 -> OperationException.Kind.BAD_REQUEST;
            default -> OperationException.Kind.UNAVAILABLE;
        };
        throw new OperationException(kind, detail + " (HTTP " + response.statusCode() + " from " + request.uri().getPath() + ")");
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String parameter(String name, Object value) {
        return name + "=" + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
    }

    private static String query(String name, Object value) {
        return "?" + parameter(name, value);
    }

    private static void add(List<String> parameters, String name, Object value) {
        if (value != null) {
            parameters.add(parameter(name, value));
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
