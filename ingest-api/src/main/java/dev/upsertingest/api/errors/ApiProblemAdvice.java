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
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.sql.SQLException;

/** Maps every failure to an RFC 9457 problem with a stable type; internal details stay in the log. */
@RestControllerAdvice
public class ApiProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiProblemAdvice.class);

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

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", e);
    }

    @ExceptionHandler(DataAccessException.class)
    ResponseEntity<ProblemDetail> database(DataAccessException e) {
        SQLException sql = findSqlException(e);
        if (sql != null && "57014".equals(sql.getSQLState())) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE,
                    "query-timeout", "Query timed out", "The query took longer than allowed; narrow it with filters on indexed columns."));
        }
        log.warn("Database failure: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .body(Problems.problem(HttpStatus.SERVICE_UNAVAILABLE, "database-unavailable", "Database unavailable",
                        "The database could not answer; retry later."));
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
