package dev.upsertingest.api.publish;

import dev.upsertingest.api.metrics.ApiMetrics;
import dev.upsertingest.api.security.ApiClientAuthentication;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.StreamDefinition;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code POST /api/v1/streams/{stream}/events}: events in, checked by the worker's rules, published to Kafka. */
@RestController
@Tag(name = "publish", description = "Producers that cannot speak Kafka")
public class EventsController {

    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final StreamRegistry streams;
    private final EventParser parser;
    private final EventPublisher publisher;
    private final PublishSettings settings;
    private final ApiMetrics metrics;

    public EventsController(StreamRegistry streams, EventParser parser, EventPublisher publisher, PublishSettings settings,
                            ApiMetrics metrics) {
        this.streams = streams;
        this.parser = parser;
        this.publisher = publisher;
        this.settings = settings;
        this.metrics = metrics;
    }

    @PostMapping(path = "/api/v1/streams/{stream}/events", produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Publish events to a stream",
            description = "The body is a JSON array of events (application/json) or one event per line (application/x-ndjson). "
                    + "Each event is checked by the same rules the worker applies and, if it passes, published to the stream's "
                    + "topic keyed by its primary key. 202 comes only after the broker acknowledged every accepted event; "
                    + "retrying a request is safe (upserts are idempotent).")
    @ApiResponse(responseCode = "202", description = "Published: counts, and each rejected event's index and reason "
            + "(the event rules', or document_too_large when Kafka refused the record for its size)")
    @ApiResponse(responseCode = "400", description = "The body is not a JSON array (or NDJSON) whose events can be told apart")
    @ApiResponse(responseCode = "404", description = "No such stream")
    @ApiResponse(responseCode = "413", description = "Too many bytes or events")
    @ApiResponse(responseCode = "500", description = "Kafka refuses the API's writes (its authorization, say): an operator must act; retrying will not help until then")
    @ApiResponse(responseCode = "503", description = "Kafka is unavailable; see Retry-After")
    public ResponseEntity<PublishResponse> publish(
            @Parameter(description = "stream name") @PathVariable String stream,
            HttpServletRequest request, ApiClientAuthentication authentication) throws IOException {
        StreamDefinition definition = streams.byName(stream).orElseThrow(() -> new PublishException.UnknownStream(stream));
        var allowed = authentication.client().streams();
        if (!allowed.isEmpty() && !allowed.contains(stream)) {
            throw new ForbiddenStreamException(authentication.client().name(), stream);
        }
        if (definition.keySource() == KeySource.RECORD_KEY) {
            throw new PublishException.NeedsRecordKey(stream);
        }
        if (request.getContentLengthLong() > settings.maxRequestSize().toBytes()) {
            throw new PublishException.TooLarge("the request body is larger than " + settings.maxRequestSize().toBytes() + " bytes");
        }
        RequestBodyReader reader = new RequestBodyReader(settings.maxRequestSize().toBytes(), settings.maxEvents());
        byte[] body = reader.readBounded(request.getInputStream());
        RequestEvents events = isNdjson(request.getContentType()) ? reader.ndjson(body) : reader.jsonArray(body);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(events.items().size());
        List<Integer> recordIndexes = new ArrayList<>(events.items().size());
        List<PublishResponse.Rejection> rejections = new ArrayList<>();
        for (RequestEvents.Item item : events.items()) {
            ParsedEvent event = switch (item) {
                case RequestEvents.Raw raw -> parser.parse(definition, null, raw.json());
                case RequestEvents.Refused refused -> new ParsedEvent.Rejected(refused.reason(), refused.detail());
            };
            switch (event) {
                case ParsedEvent.Upsert upsert -> {
                    records.add(new ProducerRecord<>(definition.topic(),
                            upsert.key().canonical().getBytes(StandardCharsets.UTF_8), ((RequestEvents.Raw) item).json()));
                    recordIndexes.add(item.index());
                }
                case ParsedEvent.Rejected rejected -> {
                    rejections.add(new PublishResponse.Rejection(item.index(), rejected.reason().code(), rejected.detail()));
                    metrics.rejected(stream, rejected.reason());
                }
                case ParsedEvent.Delete delete -> throw new IllegalStateException("an HTTP event is never a tombstone");
            }
        }
        if (events.items().isEmpty()) {
            throw new PublishException.NotJson("the request carries no events");
        }
        int accepted = records.size();
        if (!records.isEmpty()) {
            long start = System.nanoTime();
            List<EventPublisher.TooLarge> tooLarge;
            try {
                tooLarge = publisher.publish(records);
                metrics.published(stream, "ok", Duration.ofNanos(System.nanoTime() - start));
            } catch (PublishException.Unavailable e) {
                metrics.published(stream, "unavailable", Duration.ofNanos(System.nanoTime() - start));
                throw e;
            } catch (PublishException.Refused e) {
                metrics.published(stream, "refused", Duration.ofNanos(System.nanoTime() - start));
                throw e;
            }
            for (EventPublisher.TooLarge refused : tooLarge) {
                rejections.add(new PublishResponse.Rejection(recordIndexes.get(refused.position()),
                        RejectReason.DOCUMENT_TOO_LARGE.code(), refused.detail()));
                metrics.rejected(stream, RejectReason.DOCUMENT_TOO_LARGE);
            }
            accepted -= tooLarge.size();
            rejections.sort(Comparator.comparingInt(PublishResponse.Rejection::index));
            metrics.accepted(stream, accepted);
        }
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(new PublishResponse(accepted, rejections.size(), rejections));
    }

    private static boolean isNdjson(String contentType) {
        if (contentType == null) {
            return false;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            throw new PublishException.UnsupportedType("Content-Type is not a valid media type; use application/json (an array) or application/x-ndjson");
        }
        if (NDJSON.isCompatibleWith(type) || type.getSubtype().equals("jsonl") || type.getSubtype().equals("x-jsonlines")) {
            return true;
        }
        if (MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
            return false;
        }
        throw new PublishException.UnsupportedType("Content-Type must be application/json (an array) or application/x-ndjson, got " + contentType);
    }

    /** 403: the client may publish, but not to this stream. */
    public static final class ForbiddenStreamException extends RuntimeException {
        ForbiddenStreamException(String client, String stream) {
            super("client " + client + " may not publish to stream '" + stream + "'");
        }
    }
}
