package dev.upsertingest.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every value has a {@code # --} comment in values.yaml, a row in README.md, and a place in the schema; and every
 * value the schema knows has a default in values.yaml.
 */
class ValuesDocumentationTest {

    private static final Pattern KEY_LINE = Pattern.compile("^( *)([A-Za-z_][\\w.-]*):(\\s|$)");

    /**
     * Kubernetes objects and pass-through maps: documented as a whole, their inner keys are theirs, not the chart's.
     */
    private static final List<Pattern> DOCUMENTED_AS_A_WHOLE = List.of(
            Pattern.compile("podSecurityContext"), Pattern.compile("containerSecurityContext"),
            Pattern.compile("[a-z]+\\.resources"), Pattern.compile("[a-z]+\\.resilience4j"),
            Pattern.compile("worker\\.autoscaling\\.behavior"), Pattern.compile("metrics\\.grafanaDashboard\\.labels"),
            Pattern.compile("postgresqlTuning\\.settings\\.[a-z_]+"));

    @Test
    void everyValueHasADashDashComment() {
        List<String> lines = Chart.read("values.yaml").lines().toList();
        List<String> uncommented = new ArrayList<>();
        Deque<int[]> indents = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher key = KEY_LINE.matcher(lines.get(i));
            if (!key.find()) {
                continue;
            }
            int indent = key.group(1).length();
            while (!indents.isEmpty() && indents.peek()[0] >= indent) {
                indents.pop();
                names.pop();
            }
            String path = names.isEmpty() ? key.group(2) : names.peek() + "." + key.group(2);
            indents.push(new int[]{indent});
            names.push(path);
            if (insideWhole(path) || lines.get(i).stripLeading().startsWith("- ")) {
                continue;
            }
            int above = i - 1;
            while (above >= 0 && lines.get(above).stripLeading().startsWith("#")
                    && !lines.get(above).stripLeading().startsWith("# --")) {
                above--;
            }
            if (above < 0 || !lines.get(above).stripLeading().startsWith("# --")) {
                uncommented.add(path);
            }
        }
        assertThat(uncommented).isEmpty();
    }

    @Test
    void everyValueIsInTheReadme() {
        String readme = Chart.read("README.md");
        List<String> missing = valuePaths().stream().filter(path -> !readme.contains("`" + path + "`")).toList();

        assertThat(missing).isEmpty();
    }

    @Test
    void schemaAndValuesKnowTheSameKeys() throws Exception {
        JsonNode schema = new ObjectMapper().readTree(Chart.read("values.schema.json"));
        List<String> differences = new ArrayList<>();
        compare(values(), schema, schema, "", differences);

        assertThat(differences).isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static void compare(Map<String, Object> values, JsonNode node, JsonNode root, String path, List<String> differences) {
        JsonNode schema = resolve(node, root);
        JsonNode properties = schema.get("properties");
        if (properties == null) {
            return;
        }
        values.keySet().stream().filter(k -> !properties.has(k)).forEach(k -> differences.add("not in the schema: " + path + k));
        properties.properties().forEach(e -> {
            if (!values.containsKey(e.getKey())) {
                differences.add("no default in values.yaml: " + path + e.getKey());
            } else if (values.get(e.getKey()) instanceof Map<?, ?> nested && !isWhole(path + e.getKey())) {
                compare((Map<String, Object>) nested, e.getValue(), root, path + e.getKey() + ".", differences);
            }
        });
    }

    private static JsonNode resolve(JsonNode node, JsonNode root) {
        JsonNode resolved = node;
        while (resolved.has("$ref")) {
            resolved = root.at(resolved.get("$ref").asText().substring(1));
        }
        return resolved;
    }

    /** Paths of all values down to a leaf, an empty map, a list, or something documented as a whole. */
    static List<String> valuePaths() {
        List<String> paths = new ArrayList<>();
        collect(values(), "", paths);
        return paths;
    }

    @SuppressWarnings("unchecked")
    private static void collect(Map<String, Object> map, String prefix, List<String> paths) {
        map.forEach((key, value) -> {
            String path = prefix + key;
            if (value instanceof Map<?, ?> nested && !nested.isEmpty() && !isWhole(path)) {
                collect((Map<String, Object>) nested, path + ".", paths);
            } else {
                paths.add(path);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> values() {
        return new Yaml().loadAs(Chart.read("values.yaml"), Map.class);
    }

    private static boolean isWhole(String path) {
        return DOCUMENTED_AS_A_WHOLE.stream().anyMatch(p -> p.matcher(path).matches());
    }

    private static boolean insideWhole(String path) {
        return DOCUMENTED_AS_A_WHOLE.stream().anyMatch(p -> {
            Matcher m = p.matcher(path);
            return m.lookingAt() && m.end() < path.length() && path.charAt(m.end()) == '.';
        });
    }
}
