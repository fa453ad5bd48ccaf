package dev.upsertingest.api.query;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** What the view endpoints answer. Times are ISO-8601; {@code as_of} is when the view's contents were taken. */
public final class ViewResponses {

    private ViewResponses() {
    }

    /**
     * @param asOf          the moment the view's contents show (start of its last successful refresh)
     * @param newestDataAt  the newest {@code updated_at} in the view
     * @param refreshedAt   when its last successful refresh finished
     * @param stalenessSeconds age of the newest data, now
     */
    public record Freshness(OffsetDateTime asOf, OffsetDateTime newestDataAt, OffsetDateTime refreshedAt, Double stalenessSeconds) {
    }

    public record Column(String name, String type, boolean key, boolean sortable, boolean filterable) {
    }

    public record ViewSummary(String name, List<Column> columns, List<String> key, long rowEstimate, Freshness freshness) {
    }

    public record ViewList(List<ViewSummary> views) {
    }

    /**
     * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
     */
    public record Rows(String view, Freshness freshness, List<Map<String, Object>> rows, int count,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String nextCursor) {
    }

    public record Row(String view, Freshness freshness, Map<String, Object> row) {
    }
}
