package dev.upsertingest.api.metrics;

import dev.upsertingest.core.event.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;

/**
 * Every meter the API publishes besides Spring's own {@code http.server.requests}. Tags are bounded: streams and views
 * are tagged only after they were found in the catalog, clients only by their configured name.
 */
public class ApiMetrics {

    public static final String EVENTS_ACCEPTED = "ingest.api.events.accepted";
    public static final String EVENTS_REJECTED = "ingest.api.events.rejected";
    public static final String PUBLISH_DURATION = "ingest.api.publish.duration";
    public static final String QUERY_DURATION = "ingest.api.query.duration";
    public static final String RATE_LIMITED = "ingest.api.rate.limited";

    private final MeterRegistry registry;

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void accepted(String stream, int events) {
        Counter.builder(EVENTS_ACCEPTED).description("Events published to Kafka and acknowledged by the broker")
                .tag("stream", stream).register(registry).increment(events);
    }

    public void rejected(String stream, RejectReason reason) {
        Counter.builder(EVENTS_REJECTED).description("Events refused by the event rules (or by Kafka for their size), by reason")
                .tags("stream", stream, "reason", reason.code()).register(registry).increment();
    }

    /** @param outcome ok (some records may have been refused for their size), unavailable (Kafka down or circuit open), refused */
    public void published(String stream, String outcome, Duration elapsed) {
        Timer.builder(PUBLISH_DURATION).description("Time from the first send to the last broker acknowledgement of a request")
                .tags("stream", stream, "outcome", outcome).publishPercentileHistogram().register(registry).record(elapsed);
    }

    /** @param endpoint rows (a filtered page) or row (one key) */
    public void queried(String view, String endpoint, Duration elapsed) {
        Timer.builder(QUERY_DURATION).description("Time a view query took in the database, including its transaction")
                .tags("view", view, "endpoint", endpoint).publishPercentileHistogram().register(registry).record(elapsed);
    }

    public void rateLimited(String client) {
        Counter.builder(RATE_LIMITED).description("Requests refused with 429 because the client was over its rate limit")
                .tag("client", client).register(registry).increment();
    }
}
