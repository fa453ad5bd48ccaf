package dev.upsertingest.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.upsertingest.api.metrics.ApiMetrics;
import dev.upsertingest.worker.metrics.IngestMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.upsertingest.helm.ScenariosTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

/** ServiceMonitors, alerts and the dashboard, on the metric names the applications really register. */
class MonitoringTest {

    private static final Pattern INGEST_SERIES = Pattern.compile("\\bingest_[a-z_]+");
    private final Rendered rendered = Chart.render("ci/monitoring-values.yaml");

    @Test
    void bothAppsAreScrapedOnTheirActuatorEndpoint() {
        List<GenericKubernetesResource> monitors = rendered.custom("ServiceMonitor");

        assertThat(monitors).extracting(m -> m.getMetadata().getName()).containsExactly(Rendered.name("worker"), Rendered.name("api"));
        for (GenericKubernetesResource monitor : monitors) {
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
            @SuppressWarnings("unchecked")
            Map<String, Object> endpoint = ((List<Map<String, Object>>) spec(monitor).get("endpoints")).getFirst();
            assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/actuator/prometheus").containsEntry("interval", "15s");
        }
    }

    @Test
    void alertsWatchLagDeadLettersStalenessAndOutages() {
        Map<String, Map<String, Object>> alerts = alerts();

        assertThat(alerts).containsKeys("UpsertIngestConsumerLagHigh", "UpsertIngestStalled", "UpsertIngestDatabaseUnavailable",
                "UpsertIngestDeadLetters", "UpsertIngestViewStale", "UpsertIngestViewRefreshFailing", "UpsertIngestBatchFailures",
                "UpsertIngestBatchStuck", "UpsertIngestDeadLettersWithoutValue", "UpsertIngestEventsUnaccounted");
        String selector = "{namespace=\"ingest\",job=\"" + Rendered.name("worker") + "\"}";
        assertThat(alerts.get("UpsertIngestConsumerLagHigh"))
                .containsEntry("expr", "sum by (namespace, topic) (kafka_consumer_fetch_manager_records_lag" + selector + ") > 50000")
                .containsEntry("for", "15m")
                .containsEntry("labels", Map.of("severity", "critical"));
        assertThat((String) alerts.get("UpsertIngestDeadLetters").get("expr"))
                .isEqualTo("sum by (namespace, stream, reason) (rate(ingest_events_dead_lettered_total" + selector + "[5m])) > 1");
        assertThat((String) alerts.get("UpsertIngestViewStale").get("expr"))
                .startsWith("max by (namespace, view) (ingest_view_staleness_seconds" + selector + ") > 120 and ");
        assertThat(alerts.get("UpsertIngestBatchStuck"))
                .containsEntry("expr", "max by (namespace, pod) (ingest_batch_failing_seconds" + selector + ") > 120"
                        + " unless on (namespace, pod) min by (namespace, pod) (ingest_database_available" + selector + ") == 0")
                .containsEntry("for", "1m")
                .containsEntry("labels", Map.of("severity", "critical"));
        assertThat((String) alerts.get("UpsertIngestEventsUnaccounted").get("expr"))
                .isEqualTo("sum by (namespace, stream) (increase(ingest_conservation_violations_total" + selector + "[15m])) > 0");
        @SuppressWarnings("unchecked")
        Map<String, String> annotations = (Map<String, String>) alerts.get("UpsertIngestViewStale").get("annotations");
        assertThat(annotations.get("summary")).contains("{{ $labels.view }}");
    }

    @Test
    void alertsCanBeSwitchedOffOneByOne() {
        Rendered withoutLag = Chart.render("ci/monitoring-values.yaml", "metrics.prometheusRule.consumerLag.enabled=false");

        assertThat(alerts(withoutLag)).doesNotContainKey("UpsertIngestConsumerLagHigh").containsKey("UpsertIngestDeadLetters");
    }

    @Test
    void theDashboardIsAConfigMapForTheGrafanaSidecar() throws Exception {
        ConfigMap dashboard = rendered.get(ConfigMap.class, Rendered.name("dashboard"));

        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
        assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Upsert Ingest");
        JsonNode json = new ObjectMapper().readTree(dashboard.getData().get("upsert-ingest.json"));
        List<String> titles = new ArrayList<>();
        json.get("panels").forEach(p -> titles.add(p.get("title").asText()));
        assertThat(titles).contains("Events consumed / s", "Consumer lag", "Dead letters / s", "Event outcomes / s",
                "Failing batch", "Batch latency (p50, p99)", "Refresh duration (p95)", "Staleness");
        assertThat(dashboardExpressions(json)).anyMatch(e -> e.contains("kafka_consumer_fetch_manager_records_lag"))
                .anyMatch(e -> e.contains("ingest_batch_duration_seconds_bucket"))
                .anyMatch(e -> e.contains("ingest_view_refresh_duration_seconds_bucket"))
                .anyMatch(e -> e.contains("ingest_view_staleness_seconds"))
                .anyMatch(e -> e.contains("ingest_events_outcome_total"))
                .anyMatch(e -> e.contains("ingest_batch_failing_seconds"))
                .anyMatch(e -> e.contains("ingest_consumer_lag"));
    }

    /**
     * Every ingest_* series the alerts and the dashboard use is a meter the worker or the API declares (Prometheus
     * form: dots to underscores, then _total, _seconds, _bucket, _sum or _count), so a renamed meter fails here.
     */
    @Test
    void everySeriesUsedIsAMeterTheApplicationsDeclare() throws Exception {
        Set<String> declared = new HashSet<>();
        declared.addAll(meterNames(IngestMetrics.class));
        declared.addAll(meterNames(ApiMetrics.class));
        Set<String> used = new HashSet<>();
        String rules = Chart.read("templates/prometheusrule.yaml");
        String dashboard = Chart.read("files/dashboards/upsert-ingest.json");
        Stream.of(rules, dashboard).forEach(text -> {
            Matcher m = INGEST_SERIES.matcher(text);
            while (m.find()) {
                used.add(m.group());
            }
        });

        assertThat(used).hasSizeGreaterThan(15);
        assertThat(used).allSatisfy(series -> assertThat(declared).as(series).contains(meterOf(series)));
    }

    private static String meterOf(String series) {
        String name = series;
        for (String suffix : List.of("_bucket", "_sum", "_count", "_total", "_seconds")) {
            if (name.endsWith(suffix)) {
                name = name.substring(0, name.length() - suffix.length());
            }
        }
        return name.replace('_', '.');
    }

    private static Set<String> meterNames(Class<?> metrics) throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Field field : metrics.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }

    private static List<String> dashboardExpressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> {
            if (panel.has("targets")) {
                panel.get("targets").forEach(t -> expressions.add(t.get("expr").asText()));
            }
        });
        return expressions;
    }

    private Map<String, Map<String, Object>> alerts() {
        return alerts(rendered);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> alerts(Rendered rendered) {
        GenericKubernetesResource rule = rendered.custom("PrometheusRule").getFirst();
        Map<String, Map<String, Object>> alerts = new java.util.LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) spec(rule).get("groups")) {
            for (Map<String, Object> alert : (List<Map<String, Object>>) group.get("rules")) {
                alerts.put((String) alert.get("alert"), alert);
            }
        }
        return alerts;
    }
}
