package dev.upsertingest.loadtest.infra;

import dev.upsertingest.local.ServiceProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * What the benchmarks read from the worker's {@code /actuator/prometheus} and readiness probe: events applied per
 * stream, heap, CPU, database availability, view staleness. One scrape is a {@link Scrape}; asking it costs the
 * worker a few milliseconds, so the benchmarks scrape a few times a second at most.
 */
public final class WorkerMetrics {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ServiceProcess worker;

    public WorkerMetrics(ServiceProcess worker) {
        this.worker = worker;
    }

    public Scrape scrape() {
        try {
            String body = http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/prometheus")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            return new Scrape(body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
        } catch (Exception e) {
            throw new IllegalStateException("cannot scrape the worker's metrics: " + e, e);
        }
    }

    /** Whether {@code /actuator/health/readiness} answers 200 now. */
    public boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(worker.url("/actuator/health/readiness")))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** One scrape's samples. */
    public record Scrape(List<String> lines) {

        /** Sum of the samples named {@code name} whose labels contain every {@code labels} entry ({@code key="value"}). */
        public double sum(String name, String... labels) {
            double sum = 0;
            boolean found = false;
            for (String line : lines) {
                if (!line.startsWith(name) || (line.length() > name.length() && line.charAt(name.length()) != '{'
                        && line.charAt(name.length()) != ' ')) {
                    continue;
                }
                boolean matches = true;
                for (String label : labels) {
                    matches &= line.contains(label);
                }
                if (matches) {
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    if (!Double.isNaN(value)) {
                        sum += value;
                        found = true;
                    }
                }
            }
            return found ? sum : Double.NaN;
        }

        /** Events the worker has consumed and written (the counter moves after each batch's transaction). */
        public long applied(String stream) {
            double value = sum("ingest_events_consumed_total", "stream=\"" + stream + "\"");
            return Double.isNaN(value) ? 0 : (long) value;
        }

        public double heapUsedBytes() {
            return sum("jvm_memory_used_bytes", "area=\"heap\"");
        }

        /** The worker's CPU use over the last moments, as a share of all the machine's cores (0..1). */
        public double processCpu() {
            return sum("process_cpu_usage");
        }

        public double databaseAvailable() {
            return sum("ingest_database_available");
        }

        public double viewStalenessSeconds(String view) {
            return sum("ingest_view_staleness_seconds", "view=\"" + view + "\"");
        }
    }
}
