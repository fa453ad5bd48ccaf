package dev.upsertingest.api.errors;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /error} as a problem detail, in place of Spring Boot's JSON ({@code timestamp}, {@code error}, {@code path}):
 * where a filter or the container sent an error status without a body, or an exception escaped everything else. It
 * says only what the status says; the log has the rest.
 */
@RestController
@Hidden
public class ProblemErrorController implements ErrorController {

    @RequestMapping(path = "${server.error.path:/error}", produces = {MediaType.APPLICATION_PROBLEM_JSON_VALUE, MediaType.ALL_VALUE})
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // no error status: /error asked for itself, and nothing failed
        int status = code == null ? 404 : code instanceof Integer value && value >= 400 ? value : 500;
        HttpStatus known = HttpStatus.resolve(status);
        ProblemDetail problem = Problems.problem(known == null ? HttpStatus.INTERNAL_SERVER_ERROR : known,
                Problems.slug(status), Problems.title(status), Problems.detail(status));
        problem.setStatus(status);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
