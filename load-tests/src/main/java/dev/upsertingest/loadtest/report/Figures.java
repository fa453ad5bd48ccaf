package dev.upsertingest.loadtest.report;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures every pipeline benchmark result carries at its top level, in the same shape, so results of different
 * scenarios and runs can be compared by a script: events, distinct keys, pipeline and ceiling events/s and their
 * ratio, end-to-end latency percentiles, view staleness, worker heap. A figure a scenario does not measure is null.
 */
public final class Figures {

    private final Map<String, Object> figures = new LinkedHashMap<>();

    public Figures(long events, long distinctKeys) {
        figures.put("events", events);
        figures.put("distinct_keys", distinctKeys);
        figures.put("pipeline_events_per_s", null);
        figures.put("ceiling_events_per_s", null);
        figures.put("ratio", null);
        figures.put("latency_ms", null);
        figures.put("staleness", null);
        figures.put("heap", null);
    }

    public Figures pipeline(double eventsPerSecond) {
        figures.put("pipeline_events_per_s", Math.round(eventsPerSecond));
        return ratio();
    }

    public Figures ceiling(double eventsPerSecond) {
        figures.put("ceiling_events_per_s", Math.round(eventsPerSecond));
        return ratio();
    }

    public Figures latency(Histogram microseconds) {
        figures.put("latency_ms", percentiles(microseconds));
        return this;
    }

    public Figures staleness(Map<String, Object> staleness) {
        figures.put("staleness", staleness);
        return this;
    }

    public Figures heap(Map<String, Object> heap) {
        figures.put("heap", heap);
        return this;
    }

    public Map<String, Object> map() {
        return figures;
    }

    private Figures ratio() {
        if (figures.get("pipeline_events_per_s") instanceof Long pipeline && figures.get("ceiling_events_per_s") instanceof Long ceiling
                && ceiling > 0) {
            figures.put("ratio", round(pipeline / (double) ceiling, 3));
        }
        return this;
    }

    /** count, p50, p90, p99, p99.9 and max of a histogram of microseconds, in milliseconds. */
    public static Map<String, Object> percentiles(Histogram microseconds) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("count", microseconds.getTotalCount());
        for (double q : new double[]{50, 90, 99, 99.9}) {
            p.put("p" + (q == Math.rint(q) ? Integer.toString((int) q) : Double.toString(q)),
                    Math.round(microseconds.getValueAtPercentile(q) / 100.0) / 10.0);
        }
        p.put("max", Math.round(microseconds.getMaxValue() / 100.0) / 10.0);
        return p;
    }

    public static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
