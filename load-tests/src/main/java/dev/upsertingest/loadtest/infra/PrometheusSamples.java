package dev.upsertingest.loadtest.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of one {@code /actuator/prometheus} scrape with their labels parsed, for benchmarks that need more
 * than sums ({@link WorkerMetrics.Scrape}): the worker's outcomes by stream, outcome and reason, say.
 */
public final class PrometheusSamples {

    /** One sample: metric name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final List<Sample> samples = new ArrayList<>();

    public PrometheusSamples(String exposition) {
        for (String line : exposition.lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            String name = brace < 0 ? line.substring(0, line.indexOf(' ')) : line.substring(0, brace);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                Matcher label = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            try {
                samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
            } catch (NumberFormatException notASample) {
                // a line this reader does not know; the exposition format allows timestamps and comments it skips
            }
        }
    }

    /** The samples named {@code name} whose labels include every {@code key=value} pair given (key, value, ...). */
    public List<Sample> named(String name, String... labels) {
        List<Sample> matching = new ArrayList<>();
        for (Sample sample : samples) {
            if (!sample.name().equals(name)) {
                continue;
            }
            boolean matches = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                matches &= labels[i + 1].equals(sample.labels().get(labels[i]));
            }
            if (matches) {
                matching.add(sample);
            }
        }
        return matching;
    }

    public double sum(String name, String... labels) {
        return named(name, labels).stream().mapToDouble(Sample::value).sum();
    }
}
