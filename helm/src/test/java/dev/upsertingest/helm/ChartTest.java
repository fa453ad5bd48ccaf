package dev.upsertingest.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The chart as a whole: lint, NOTES, and defaults that mirror what the application jars ship. */
class ChartTest {

    @Test
    void lintStrictPasses() {
        LintResult result = Chart.lint();

        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
        assertThat(result.isFailed()).isFalse();
    }

    @Test
    void notesTellHowToReachTheApiAndTheViews() {
        String notes = new Helm(Chart.DIRECTORY).install().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withKubeVersion(Chart.KUBE_VERSION).dryRun().clientOnly()
                .set("metrics.serviceMonitor.enabled", "true").call().getOutput();

        assertThat(notes)
                .contains("kubectl -n ingest port-forward svc/prod-upsert-ingest-api 8080:8080")
                .contains("http://localhost:8080/api/v1/views")
                .contains("SELECT ingest.create_analyst_login('alice', '...');")
                .contains("kubectl -n ingest logs job/prod-upsert-ingest-migrations")
                .contains("WARNING: no API clients are configured")
                .contains("NOTE: the API is not scraped");
    }

    /**
     * Every {@code @ConfigurationProperties} record of the applications is rendered into the configuration of the
     * app that binds it, so a setting added to the code without a chart value fails here.
     */
    @Test
    void everyConfigurationRecordOfTheApplicationsHasValues() throws Exception {
        Rendered rendered = Chart.render();
        var scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<String> missing = new ArrayList<>();
        int records = 0;
        for (BeanDefinition candidate : scanner.findCandidateComponents("dev.upsertingest")) {
            Class<?> type = Class.forName(candidate.getBeanClassName());
            if (!type.isRecord()) {
                continue;
            }
            records++;
            String prefix = type.getAnnotation(ConfigurationProperties.class).value();
            String name = type.getName();
            List<String> components = name.startsWith("dev.upsertingest.worker.") ? List.of("worker")
                    : name.startsWith("dev.upsertingest.api.") ? List.of("api") : List.of("worker", "api");
            for (String component : components) {
                if (!hasPath(rendered.applicationYaml(component), prefix)) {
                    missing.add(component + ": " + prefix + " (" + type.getSimpleName() + ")");
                }
            }
        }
        assertThat(records).isGreaterThanOrEqualTo(9);
        assertThat(missing).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static boolean hasPath(Map<String, Object> yaml, String dotted) {
        Object node = yaml;
        for (String part : dotted.split("\\.")) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(part)) {
                return false;
            }
            node = ((Map<String, Object>) map).get(part);
        }
        return true;
    }

    /** The resilience4j defaults in values.yaml are the ones each jar's application.yml ships. */
    @Test
    void resilience4jDefaultsMirrorTheApplications() throws Exception {
        Map<String, Object> values = yaml(Chart.read("values.yaml"));

        assertThat(section(values, "worker", "resilience4j")).isEqualTo(jarDefaults("ingest-worker").get("resilience4j"));
        assertThat(section(values, "api", "resilience4j")).isEqualTo(jarDefaults("ingest-api").get("resilience4j"));
    }

    @SuppressWarnings("unchecked")
    private static Object section(Map<String, Object> values, String component, String key) {
        return ((Map<String, Object>) values.get(component)).get(key);
    }

    /** The application.yml inside an application's jar, found by its spring.application.name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jarDefaults(String application) throws Exception {
        for (URL url : Collections.list(ChartTest.class.getClassLoader().getResources("application.yml"))) {
            try (InputStream in = url.openStream()) {
                Map<String, Object> yaml = new Yaml().loadAs(in, Map.class);
                Map<String, Object> spring = (Map<String, Object>) yaml.getOrDefault("spring", Map.of());
                Map<String, Object> app = (Map<String, Object>) spring.getOrDefault("application", Map.of());
                if (application.equals(app.get("name"))) {
                    return yaml;
                }
            }
        }
        throw new AssertionError("no application.yml of " + application + " on the classpath");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String text) {
        return new Yaml().loadAs(text, Map.class);
    }
}
