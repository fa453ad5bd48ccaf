package dev.upsertingest.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The chart under test (this module's directory), linted and rendered by the Helm library embedded in helm-java.
 *
 * <p>helm-java's {@code template} returns the release manifest only, without hooks, as {@code helm template
 * --no-hooks} would; the migration Job and its SQL ConfigMap are hooks. So rendering uses a copy of the chart in which
 * the {@code helm.sh/hook*} annotations are renamed to {@value #HOOK_PREFIX}{@code *}: identical output, hooks
 * included, each still carrying its (renamed) hook annotations for the assertions. Lint runs on the chart itself.
 */
final class Chart {

    static final Path DIRECTORY = Paths.get("").toAbsolutePath();
    static final String RELEASE = "prod";
    static final String NAMESPACE = "ingest";
    static final String HOOK_PREFIX = "test.upsert-ingest/hook";
    /** The oldest Kubernetes the chart declares (Chart.yaml kubeVersion) is 1.25; render for a current one. */
    static final String KUBE_VERSION = "v1.31.0";

    /** Renders are pure functions of the values: each combination is rendered once per test run. */
    private static final Map<List<String>, Rendered> RENDERED = new ConcurrentHashMap<>();
    private static Path withHooksExposed;

    private Chart() {
    }

    static LintResult lint() {
        return new Helm(DIRECTORY).lint().strict().call();
    }

    /**
     * Renders the chart.
     *
     * @param values values files relative to the chart ({@code ci/keda-values.yaml}) and {@code key=value} settings,
     *               applied in order like {@code -f} and {@code --set}
     */
    static Rendered render(String... values) {
        return RENDERED.computeIfAbsent(List.of(values), key -> Rendered.parse(template(values)));
    }

    /** Renders and returns Helm's error message; fails if the chart renders. */
    static String renderFailure(String... values) {
        try {
            template(values);
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the chart to refuse " + List.of(values));
    }

    static String template(String... values) {
        var command = new Helm(exposedCopy()).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals > 0 && !value.endsWith(".yaml")) {
                command = command.set(value.substring(0, equals), value.substring(equals + 1));
            } else {
                command = command.withValuesFile(DIRECTORY.resolve(value));
            }
        }
        return command.call();
    }

    static String read(String relative) {
        try {
            return Files.readString(DIRECTORY.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> scenarioFiles() {
        try (Stream<Path> files = Files.list(DIRECTORY.resolve("ci"))) {
            return files.map(p -> "ci/" + p.getFileName()).filter(n -> n.endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized Path exposedCopy() {
        if (withHooksExposed == null) {
            try {
                Path copy = Files.createTempDirectory("upsert-ingest-chart-");
                copyChart(DIRECTORY, copy.resolve("upsert-ingest"));
                withHooksExposed = copy.resolve("upsert-ingest");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(copy)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return withHooksExposed;
    }

    private static void delete(Path directory) {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary directory is harmless
        }
    }

    private static void copyChart(Path from, Path to) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path file : files) {
            Path relative = from.relativize(file);
            String first = relative.getName(0).toString();
            if (first.equals("src") || first.equals("target") || first.equals("pom.xml")) {
                continue;
            }
            Path target = to.resolve(relative);
            Files.createDirectories(target.getParent());
            if (first.equals("templates")) {
                Files.writeString(target, Files.readString(file).replace("helm.sh/hook", HOOK_PREFIX));
            } else {
                Files.copy(file, target);
            }
        }
    }
}
