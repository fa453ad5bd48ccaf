package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.EventLimits;
import org.springframework.util.unit.DataSize;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every limit the hostile inputs are sized around, and the settings that give the worker and the API those limits.
 * Smaller than the production defaults by choice (a 64 KB document limit rather than 1 MB), so that a run spends its
 * time on the rules and not on moving megabytes; the rules and the sizes relative to the limits are the same.
 *
 * @param maxDocumentSize         {@code ingest.events.max-document-size}
 * @param maxKeySize              {@code ingest.events.max-key-size}
 * @param maxRequestSize          {@code ingest.api.publish.max-request-size}
 * @param maxEvents               {@code ingest.api.publish.max-events}
 * @param smallTopicMaxMessageBytes the {@code max.message.bytes} of the one stream topic created smaller than the rules
 *                                allow (the others are created by the worker, which sizes them by the rules)
 * @param keySpace                keys per stream that valid events are drawn from: small, so that keys repeat
 *                                within a batch and across doors
 */
public record FuzzLimits(int maxDocumentSize, int maxKeySize, int maxRequestSize, int maxEvents,
                         int smallTopicMaxMessageBytes, int keySpace) {

    public FuzzLimits {
        if (maxKeySize < 64) {
            throw new IllegalArgumentException("the fuzz needs keys of at least 64 bytes (a composite key holds a UUID)");
        }
        if (maxDocumentSize < 4 * 1024 || maxRequestSize < maxDocumentSize + 1024 || maxEvents < 2) {
            throw new IllegalArgumentException("the fuzz needs documents of at least 4 KB, a request that holds one, and 2 events");
        }
        if (smallTopicMaxMessageBytes < 2048 || smallTopicMaxMessageBytes >= maxDocumentSize) {
            throw new IllegalArgumentException("the small topic must take less than a document of the largest size");
        }
    }

    /** What {@code FuzzIT} runs with. */
    public static FuzzLimits standard() {
        return new FuzzLimits(64 * 1024, 128, 256 * 1024, 64, 16 * 1024, 40);
    }

    public EventLimits eventLimits() {
        return new EventLimits(DataSize.ofBytes(maxDocumentSize), DataSize.ofBytes(maxKeySize));
    }

    /** The largest record an accepted event makes ({@link EventLimits#maxRecordSize()}). */
    public long maxRecordSize() {
        return eventLimits().maxRecordSize();
    }

    /** The event limits as Spring properties, for the worker and the API alike. */
    public Map<String, String> eventProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("ingest.events.max-document-size", maxDocumentSize + "B");
        properties.put("ingest.events.max-key-size", maxKeySize + "B");
        return properties;
    }

    /** The API's properties: the event limits and the request limits. */
    public Map<String, String> apiProperties() {
        Map<String, String> properties = eventProperties();
        properties.put("ingest.api.publish.max-request-size", maxRequestSize + "B");
        properties.put("ingest.api.publish.max-events", Integer.toString(maxEvents));
        return properties;
    }
}
