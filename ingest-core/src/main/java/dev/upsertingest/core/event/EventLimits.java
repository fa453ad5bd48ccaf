package dev.upsertingest.core.event;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Size limits every event must respect, enforced alike by the worker and the HTTP API.
 *
 * @param maxDocumentSize largest event value accepted. Larger events are dead-lettered. Keep it at or below the
 *                        topic's {@code max.message.bytes}.
 * @param maxKeySize      largest key accepted, summed over the key columns' text forms in UTF-8. A btree entry must
 *                        fit in a third of a page (about 2.7 KB), so keys much longer than 1 KB cannot be indexed.
 */
@Validated
@ConfigurationProperties("ingest.events")
public record EventLimits(
        @NotNull @DefaultValue("1MB") DataSize maxDocumentSize,
        @NotNull @DefaultValue("512B") DataSize maxKeySize) {

    public EventLimits {
        if (maxDocumentSize != null && maxDocumentSize.toBytes() < 2) {
            throw new IllegalArgumentException("ingest.events.max-document-size must be at least 2 bytes ({})");
        }
        if (maxKeySize != null && (maxKeySize.toBytes() < 1 || maxKeySize.toBytes() > 2048)) {
            throw new IllegalArgumentException("ingest.events.max-key-size must be between 1B and 2KB (a btree entry must fit in a page)");
        }
    }

    public static EventLimits defaults() {
        return new EventLimits(DataSize.ofMegabytes(1), DataSize.ofBytes(512));
    }
}
