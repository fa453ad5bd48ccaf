package dev.upsertingest.api.errors;

import dev.upsertingest.api.publish.EventsController;
import dev.upsertingest.api.publish.PublishException;
import dev.upsertingest.api.query.BadQueryException;
import dev.upsertingest.api.query.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.net.URI;
import java.sql.SQLException;

/**
 * Maps every failure to an RFC 9457 problem with a stable type; internal details stay in the log. Bad input is a 4xx,
 * never a 500: what a request carries is checked before it reaches the database, and what the database still refuses
 * for a value's sake (SQLState class 22) is the request's fault too.
 */
@RestControllerAdvice
public class ApiProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemAdvice.class);
    private static final URI ABOUT_BLANK = URI.create("about:blank");

    @ExceptionHandler(PublishException.class)
    ResponseEntity<ProblemDetail> publish(PublishException e) {
        return switch (e) {
            case PublishException.NotJson x -> problem(HttpStatus.BAD_REQUEST, "not-json", "The body is not JSON events", x);
            case PublishException.UnknownStream x -> problem(HttpStatus.NOT_FOUND, "unknown-stream", "No such stream", x);
            case PublishException.TooLarge x -> problem(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request too large", x);
            case PublishException.UnsupportedType x ->
                    problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported Content-Type", x);
            case PublishException.NeedsRecordKey x ->
                    problem(HttpStatus.UNPROCESSABLE_CONTENT, "needs-record-key", "Stream keyed by the Kafka record key", x);
            case PublishException.Unavailable x -> {
                log.warn("Publish refused: {}", x.getMessage(), x.getCause());
                yield ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                        .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (x.retryAfter().toMillis() + 999) / 1000)))
                        .body(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "kafka-unavailable", "Kafka is unavailable",
                                "The events were not published (" + x.getMessage() + "); retry later. Retrying is safe."));
            }
            case PublishException.Refused x -> {
                log.error("Kafka refused the API's writes: {}", x.getMessage(), x.getCause());
                yield ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
                        .body(Problems.problem(HttpStatus.INTERNAL_SERVER_ERROR, "kafka-refused", "Kafka refused the events",
                                "The events were not published: " + x.getMessage() + ". This is not the events' fault and "
                                        + "retrying will not help until an operator fixes it."));
            }
            default -> problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", e);
        };
    }

    @ExceptionHandler(EventsController.ForbiddenStreamException.class)
    ResponseEntity<ProblemDetail> forbiddenStream(EventsController.ForbiddenStreamException e) {
        return problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", e);
    }

    @ExceptionHandler(BadQueryException.class)
    ResponseEntity<ProblemDetail> badQuery(BadQueryException e) {
        return problem(HttpStatus.BAD_REQUEST, "bad-query", "The query cannot be served", e);
    }

    /** What the admin endpoints cannot do, said as bin/ingest says it. */
    @ExceptionHandler(dev.upsertingest.ops.OperationException.class)
    ResponseEntity<ProblemDetail> operation(dev.upsertingest.ops.OperationException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e);
            case CONFLICT -> problem(HttpStatus.CONFLICT, "conflict", "Not now", e);
            case BAD_REQUEST -> problem(HttpStatus.BAD_REQUEST, "bad-request", "The request cannot be served", e);
            case UNAVAILABLE -> {
                log.warn("Admin operation failed: {}", e.getMessage());
                yield problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Unavailable", e);
            }
        };
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e);
    }

    /** The firewall refusing a parameter or header as the controller reads it (the request itself passed). */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<ProblemDetail> rejected(RequestRejectedException e) {
        log.debug("Request rejected by the firewall: {}", e.getMessage());
        return ResponseEntity.badRequest().body(Problems.problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad request",
                RejectedRequests.detail(e)));
    }

    /** Spring's and jOOQ's exceptions alike: the view queries run on jOOQ, which has its own. */
    @ExceptionHandler({DataAccessException.class, org.jooq.exception.DataAccessException.class})
    ResponseEntity<ProblemDetail> database(RuntimeException e) {
        SQLException sql = findSqlException(e);
        String state = sql == null ? null : sql.getSQLState();
        if ("57014".equals(state)) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE,
                    "query-timeout", "Query timed out", "The query took longer than allowed; narrow it with filters on indexed columns."));
        }
        if (state != null && state.startsWith("22")) {
            log.info("The database refused a value of a query: {}", sql.getMessage());
            return ResponseEntity.badRequest().body(Problems.problem(HttpStatus.BAD_REQUEST, "bad-query",
                    "The query cannot be served", "A value in the query is outside what the column's type holds in PostgreSQL."));
        }
        log.warn("Database failure: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Database unavailable",
                        "The database could not answer; retry later."));
    }

    /** Whatever nothing else handled: a 500 that says nothing of the cause. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", e);
    }

    /**
     * Spring MVC's own problems (a missing parameter, a method not allowed, an unknown path...) get a type of ours
     * instead of {@code about:blank}, so every problem has one clients can switch on.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
                                                          WebRequest request) {
        if (body instanceof ProblemDetail problem && (problem.getType() == null || ABOUT_BLANK.equals(problem.getType()))) {
            problem.setType(Problems.type(Problems.slug(statusCode.value())));
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static SQLException findSqlException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String slug, String title, Exception e) {
        if (status.is5xxServerError()) {
            log.error("{}: {}", title, e.toString(), e);
            return ResponseEntity.status(status).body(Problems.problem(status, slug, title, "An internal error occurred."));
        }
        return ResponseEntity.status(status).body(Problems.problem(status, slug, title, e.getMessage()));
    }
}
