package dev.upsertingest.api.admin;

import dev.upsertingest.api.security.ApiClientAuthentication;
import dev.upsertingest.ops.DeadLetter;
import dev.upsertingest.ops.DeadLetterList;
import dev.upsertingest.ops.DeadLetterSelection;
import dev.upsertingest.ops.OperationException;
import dev.upsertingest.ops.Operations;
import dev.upsertingest.ops.RebuildProgress;
import dev.upsertingest.ops.RefreshProgress;
import dev.upsertingest.ops.ReplayRequest;
import dev.upsertingest.ops.ReplayResult;
import dev.upsertingest.ops.SystemStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

/**
 * The operations of {@code bin/ingest status | rebuild | refresh | dlt} over HTTP, for clients with the {@code admin}
 * permission. Requests (a rebuild, a refresh) are recorded in the control schema and carried out by the worker; the
 * answers say where they stand, and the GET beside each follows them.
 */
@RestController
@Tag(name = "admin", description = "Operate a running system: status, rebuilds, refreshes, dead letters (admin permission)")
public class AdminController {

    private static final int MAX_LIST = 10_000;

    private final Operations operations;

    public AdminController(Operations operations) {
        this.operations = operations;
    }

    @GetMapping(path = "/api/v1/admin/status", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Every stream and view",
            description = "Per stream: table rows and size, the worker group's lag per partition, rows and events per "
                    + "second over the sample, dead letters by reason, the last rebuild. Per view: mode, freshness, last "
                    + "refresh, pending changes.")
    @ApiResponse(responseCode = "200", description = "The status")
    @ApiResponse(responseCode = "503", description = "The database or the brokers cannot be reached")
    public SystemStatus status(@Parameter(description = "how long to measure the rates (ISO-8601 or 2s; at most PT10S, PT0S for none)")
                               @RequestParam(defaultValue = "PT2S") String sample) {
        Duration duration = duration("sample", sample);
        if (duration.isNegative() || duration.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST, "sample must be between 0s and 10s");
        }
        return operations.status(duration);
    }

    @PostMapping(path = "/api/v1/admin/streams/{stream}/rebuild", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Rebuild a stream's table from its topic",
            description = "The crash path, started by hand: the worker replicas stop consuming, rewind the group to the "
                    + "beginning of the topic and replay it. Follow it with GET on the same path.")
    @ApiResponse(responseCode = "202", description = "The rebuild is recorded; the worker carries it out")
    @ApiResponse(responseCode = "404", description = "No such stream")
    @ApiResponse(responseCode = "409", description = "A rebuild of the stream runs already, or the stream is logged")
    public RebuildProgress rebuild(@PathVariable String stream,
                                   @Parameter(description = "empty the table first, as a crash would")
                                   @RequestParam(name = "empty-table", defaultValue = "false") boolean emptyTable,
                                   ApiClientAuthentication client) {
        return operations.requestRebuild(stream, emptyTable, requestedBy(client));
    }

    @GetMapping(path = "/api/v1/admin/streams/{stream}/rebuild", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The running rebuild of a stream's table, or its last one")
    @ApiResponse(responseCode = "200", description = "The rebuild and how far its replay got")
    @ApiResponse(responseCode = "404", description = "No such stream, or it was never rebuilt")
    public RebuildProgress rebuildProgress(@PathVariable String stream) {
        return operations.rebuild(stream);
    }

    @PostMapping(path = "/api/v1/admin/views/{view}/refresh", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Refresh a view now",
            description = "Its lane refreshes it within a tick, due or not. Follow it with GET on the same path and the "
                    + "requested_at of the answer.")
    @ApiResponse(responseCode = "202", description = "The refresh is asked for")
    @ApiResponse(responseCode = "404", description = "No such view")
    public RefreshProgress refresh(@PathVariable String view, ApiClientAuthentication client) {
        return operations.requestRefresh(view, requestedBy(client));
    }

    @GetMapping(path = "/api/v1/admin/views/{view}/refresh", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Whether a refresh asked for happened")
    @ApiResponse(responseCode = "200", description = "done is true once a refresh started at or after requested-at")
    @ApiResponse(responseCode = "404", description = "No such view")
    public RefreshProgress refreshProgress(@PathVariable String view,
                                           @Parameter(description = "requested_at of the POST's answer")
                                           @RequestParam(name = "requested-at") String requestedAt) {
        return operations.refresh(view, instant("requested-at", requestedAt));
    }

    @GetMapping(path = "/api/v1/admin/streams/{stream}/dead-letters", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "A stream's dead letters",
            description = "Counted by reason and listed oldest first, headers only (never the documents). Every "
                    + "parameter given must match; offsets are per partition of the dead-letter topic.")
    @ApiResponse(responseCode = "200", description = "The letters that match")
    @ApiResponse(responseCode = "400", description = "A range that selects nothing, offsets without a partition")
    @ApiResponse(responseCode = "404", description = "No such stream")
    public DeadLetterList deadLetters(@PathVariable String stream,
                                      @RequestParam(name = "reason", required = false) List<String> reasons,
                                      @RequestParam(required = false) Integer partition,
                                      @RequestParam(name = "from-offset", required = false) Long fromOffset,
                                      @RequestParam(name = "to-offset", required = false) Long toOffset,
                                      @Parameter(description = "ISO-8601") @RequestParam(required = false) String since,
                                      @Parameter(description = "ISO-8601") @RequestParam(required = false) String until,
                                      @RequestParam(defaultValue = "50") int limit) {
        if (limit < 0 || limit > MAX_LIST) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST, "limit must be between 0 and " + MAX_LIST);
        }
        DeadLetterSelection selection = new DeadLetterSelection(reasons == null ? Set.of() : Set.copyOf(reasons), partition,
                fromOffset, toOffset, since == null ? null : instant("since", since), until == null ? null : instant("until", until));
        return operations.deadLetters(stream, selection, limit);
    }

    @GetMapping(path = "/api/v1/admin/streams/{stream}/dead-letters/{partition}/{offset}", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "One dead letter", description = "Its headers and key; its document only with with-value=true.")
    @ApiResponse(responseCode = "200", description = "The letter")
    @ApiResponse(responseCode = "404", description = "No such stream or letter")
    public DeadLetter deadLetter(@PathVariable String stream, @PathVariable int partition, @PathVariable long offset,
                                 @RequestParam(name = "with-value", defaultValue = "false") boolean withValue) {
        return operations.deadLetter(stream, partition, offset, withValue);
    }

    @PostMapping(path = "/api/v1/admin/streams/{stream}/dead-letters/replay", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Send dead letters back to the stream topic",
            description = "The letters selected (or all: true), each at most once: a replay is recorded per letter, and "
                    + "letters recorded before are left out, as are letters without their value. dry_run: true only says "
                    + "what would be sent.")
    @ApiResponse(responseCode = "200", description = "What was sent (or would be)")
    @ApiResponse(responseCode = "400", description = "No selection and not all, or a selection that selects nothing")
    @ApiResponse(responseCode = "404", description = "No such stream")
    public ReplayResult replay(@PathVariable String stream, @RequestBody ReplayRequest request, ApiClientAuthentication client) {
        return operations.replay(stream, request.selection(), request.dryRun(), requestedBy(client),
                Math.min(request.listLimit(), MAX_LIST));
    }

    private static String requestedBy(ApiClientAuthentication client) {
        return "API client " + client.client().name();
    }

    private static Duration duration(String name, String value) {
        try {
            if (value.matches("\\d+s")) {
                return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
            }
            return Duration.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST, name + " is not a duration (PT2S, 2s): " + value);
        }
    }

    private static Instant instant(String name, String value) {
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new OperationException(OperationException.Kind.BAD_REQUEST,
                    name + " is not an ISO-8601 time (2026-12-01T10:00:00Z): " + value);
        }
    }
}
