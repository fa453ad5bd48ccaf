package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.RejectReason;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP door: hostile requests to the real API, each answer checked on the spot against what the API documents
 * (docs/api.md): 202 with per-event rejections whose reasons are the README's, or a 400, 413 or 415 problem detail;
 * never a 5xx. Where a request's events are known, each one's answer is checked against its rule, and the bytes of
 * each event accepted are recorded for the audit to find on the topic. Thread-safe.
 */
public final class HttpDoor {

    private static final Set<Integer> DOCUMENTED = Set.of(202, 400, 413, 415);
    private static final JsonMapper JSON = JsonMapper.shared();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final String apiKey;
    private final Ledger ledger;
    private final Violations violations;

    /**
     * @param baseUrl the API, e.g. {@code http://localhost:8080}
     * @param apiKey  a key with the {@code publish} permission
     */
    public HttpDoor(String baseUrl, String apiKey, Ledger ledger, Violations violations) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.ledger = ledger;
        this.violations = violations;
    }

    public void send(HostileRequest request) {
        ledger.requested(request);
        HttpRequest.BodyPublisher body = request.chunked()
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(request.body()))
                : HttpRequest.BodyPublishers.ofByteArray(request.body());
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/streams/" + request.stream().name() + "/events"))
                .timeout(Duration.ofSeconds(60)).header("X-API-Key", apiKey).POST(body);
        if (request.contentType() != null) {
            builder.header("Content-Type", request.contentType());
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            violations.add(Violations.Kind.HTTP_TRANSPORT, where(request) + ": " + e);
            return;
        }
        check(request, response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    /** Checks one answer; public so that a test can feed it answers of its own. */
    public void check(HostileRequest request, int status, String contentType, String body) {
        String where = where(request);
        if (status >= 500) {
            violations.add(Violations.Kind.HTTP_SERVER_ERROR, where + ": " + status + " " + abbreviate(body));
            return;
        }
        if (!DOCUMENTED.contains(status)) {
            violations.add(Violations.Kind.HTTP_UNDOCUMENTED_STATUS, where + ": " + status + " " + abbreviate(body));
            return;
        }
        if (request.expectedStatus() != 0 && status != request.expectedStatus()) {
            violations.add(Violations.Kind.HTTP_WRONG_STATUS, where + ": " + status + ", expected " + request.expectedStatus()
                    + " " + abbreviate(body));
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (RuntimeException e) {
            violations.add(status == 202 ? Violations.Kind.HTTP_BAD_RESPONSE : Violations.Kind.HTTP_NOT_A_PROBLEM,
                    where + ": " + status + " with a body that is not JSON: " + abbreviate(body));
            return;
        }
        if (status == 202) {
            accepted(request, json, where);
        } else {
            problem(status, contentType, json, where, body);
        }
    }

    private void problem(int status, String contentType, JsonNode json, String where, String body) {
        boolean problem = contentType.toLowerCase(Locale.ROOT).startsWith("application/problem+json")
                && json.path("type").asString("").startsWith("urn:upsert-ingest:problem:")
                && json.path("status").asInt() == status && !json.path("title").asString("").isBlank()
                && !json.path("detail").asString("").isBlank();
        if (!problem) {
            violations.add(Violations.Kind.HTTP_NOT_A_PROBLEM, where + ": " + status + " " + contentType + " " + abbreviate(body));
        } else if (json.path("detail").asString("").contains(HostileEvents.CANARY)) {
            violations.add(Violations.Kind.DETAIL_QUOTES_DOCUMENT, where + ": " + abbreviate(json.path("detail").asString("")));
        }
    }

    private void accepted(HostileRequest request, JsonNode json, String where) {
        JsonNode rejections = json.path("rejections");
        if (!json.path("accepted").isInt() || !json.path("rejected").isInt() || !rejections.isArray()) {
            violations.add(Violations.Kind.HTTP_BAD_RESPONSE, where + ": 202 without accepted, rejected and rejections: " + json);
            return;
        }
        int accepted = json.get("accepted").asInt();
        int rejected = json.get("rejected").asInt();
        int total = accepted + rejected;
        if (accepted < 0 || rejected != rejections.size() || total < 1) {
            violations.add(Violations.Kind.HTTP_BAD_RESPONSE, where + ": 202 with accepted " + accepted + ", rejected " + rejected
                    + " and " + rejections.size() + " rejections");
            return;
        }
        ledger.accepted(request.stream().name(), accepted);
        Map<Integer, RejectReason> reasons = new HashMap<>();
        int previous = -1;
        for (JsonNode rejection : rejections) {
            int index = rejection.path("index").asInt(-1);
            String reason = rejection.path("reason").asString("");
            String detail = rejection.path("detail").asString("");
            if (index <= previous || index >= total) {
                violations.add(Violations.Kind.HTTP_BAD_RESPONSE, where + ": rejection index " + index + " after " + previous
                        + " of " + total + " events");
            }
            previous = index;
            if (!ReasonCodes.DOCUMENTED.contains(reason)) {
                violations.add(Violations.Kind.UNKNOWN_REASON, where + ": event " + index + " rejected as '" + reason + "'");
            } else {
                reasons.put(index, RejectReason.valueOf(reason.toUpperCase(Locale.ROOT)));
            }
            if (detail.isBlank()) {
                violations.add(Violations.Kind.HTTP_BAD_RESPONSE, where + ": event " + index + " rejected without a detail");
            } else if (detail.contains(HostileEvents.CANARY)) {
                violations.add(Violations.Kind.DETAIL_QUOTES_DOCUMENT, where + ": event " + index + " (" + reason + "): "
                        + abbreviate(detail));
            }
        }
        List<HostileRequest.Element> elements = request.elements();
        if (elements == null) {
            return;
        }
        if (total != elements.size()) {
            violations.add(Violations.Kind.HTTP_BAD_RESPONSE, where + ": " + total + " events counted, the body holds " + elements.size());
            return;
        }
        for (int i = 0; i < elements.size(); i++) {
            HostileEvent event = elements.get(i).event();
            RejectReason reason = reasons.get(i);
            if (!event.expectation().allows(reason)) {
                violations.add(Violations.Kind.WRONG_ANSWER, where + ", event " + i + " " + event.describe() + ": "
                        + (reason == null ? "accepted" : "rejected as " + reason.code()) + ", expected " + event.expectation().describe());
            }
            if (reason == null) {
                ledger.published(request.stream().name(), elements.get(i).published(), where + ", event " + i + " " + event.describe());
            }
        }
    }

    private String where(HostileRequest request) {
        return "seed " + ledger.seed() + " " + request.describe();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }
}
