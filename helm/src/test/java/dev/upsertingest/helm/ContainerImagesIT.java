package dev.upsertingest.helm;

import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.upsertingest.helm.Rendered.env;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The images the build makes (Jib, {@code <module>/target/jib-image.tar}) are the images the chart was written for:
 * the user its securityContext runs as, the ports its probes and Services use, the entrypoint it relies on (it sets no
 * command), JVM options from nothing but the JAVA_TOOL_OPTIONS it sets, the Flyway locations its Job names. Without a
 * container registry the build makes them FROM scratch, so only what this project adds is checked; the migrations
 * image's own Flyway is then run from its layers against a real PostgreSQL, as the Job would run it.
 */
class ContainerImagesIT {

    private static final Set<Integer> WRITE_BY_OTHERS = Set.of(0020, 0002);

    @Test
    void theWorkerImageIsTheOneTheDeploymentExpects() {
        Rendered chart = Chart.render();
        checkApplicationImage(ImageTarball.ofModule("ingest-worker"), chart.deployment("worker").getSpec().getTemplate()
                .getSpec(), chart.container("worker"), "dev.upsertingest.worker.IngestWorkerApplication");
    }

    @Test
    void theApiImageIsTheOneTheDeploymentExpects() {
        Rendered chart = Chart.render();
        checkApplicationImage(ImageTarball.ofModule("ingest-api"), chart.deployment("api").getSpec().getTemplate().getSpec(),
                chart.container("api"), "dev.upsertingest.api.IngestApiApplication");
    }

    @Test
    void theMigrationsImageHoldsTheScriptsWhereTheJobLooksForThem() throws IOException {
        ImageTarball image = ImageTarball.ofModule("migrations");
        Job job = Chart.render().migrationJob();
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container flyway = pod.getContainers().getFirst();

        assertThat(image.container().get("User").asText()).isEqualTo(user(pod.getSecurityContext()));
        assertThat(flyway.getCommand()).as("the Job relies on the image's entrypoint").isNullOrEmpty();
        assertThat(image.entrypoint()).first().isEqualTo("java");
        assertThat(image.entrypoint()).last().isEqualTo("org.flywaydb.commandline.Main");
        assertThat(image.cmd()).as("the image migrates by default, as the Job asks").isEqualTo(flyway.getArgs());
        assertThat(image.env()).containsEntry("HOME", "/tmp");
        assertJvmOptionsOnlyFromTheEnvironment(image, flyway);

        Map<String, ImageTarball.Entry> files = image.files();
        for (String location : env(flyway, "FLYWAY_LOCATIONS").getValue().split(",")) {
            String directory = location.substring("filesystem:".length());
            Path source = Chart.DIRECTORY.getParent().resolve("migrations/src/main/resources/db")
                    .resolve(Path.of(directory).getFileName().toString());
            assertThat(scripts(files, directory)).as(location).isNotEmpty().isEqualTo(scripts(source));
        }
        assertOwnedByRootAndReadOnly(files);
    }

    /**
     * The migrations image runs Flyway's own command line from its layers with the Job's environment, against a fresh
     * database; the schema history it writes is the one the worker's embedded Flyway writes (same scripts, same
     * checksums), so a database migrated by either is the same database.
     */
    @Test
    void theMigrationsImageMigratesLikeTheWorker(@TempDir Path root) throws Exception {
        ImageTarball image = ImageTarball.ofModule("migrations");
        image.extractTo(root);
        Container flyway = Chart.render().migrationJob().getSpec().getTemplate().getSpec().getContainers().getFirst();
        TestDatabase byImage = TestInfrastructure.postgres().createDatabase("image_migrations");

        Map<String, String> environment = new TreeMap<>();
        for (EnvVar variable : flyway.getEnv()) {
            if (variable.getValue() != null) {
                environment.put(variable.getName(), variable.getValue());
            }
        }
        environment.put("FLYWAY_URL", byImage.jdbcUrl());
        environment.put("FLYWAY_USER", byImage.user());
        environment.put("FLYWAY_PASSWORD", byImage.password());
        environment.put("FLYWAY_LOCATIONS", environment.get("FLYWAY_LOCATIONS").replace("filesystem:/", "filesystem:" + root + "/"));
        environment.put("HOME", Files.createDirectories(root.resolve("tmp")).toString());
        environment.put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + root.resolve("tmp"));

        List<String> command = new ArrayList<>(inImage(root, image.entrypoint()));
        command.addAll(flyway.getArgs());
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(root.resolve("flyway.log").toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("FLYWAY_") || name.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("flyway migrate finished").isTrue();
        String log = Files.readString(root.resolve("flyway.log"));
        assertThat(process.exitValue()).as(log).isZero();
        assertThat(log).contains("Successfully applied");

        TestDatabase byWorker = TestInfrastructure.postgres().createDatabase("worker_migrations");
        // What the worker's spring.flyway does by default (application.yml: spring.flyway.locations).
        Flyway.configure().dataSource(byWorker.jdbcUrl(), byWorker.user(), byWorker.password())
                .locations("classpath:db/migration", "classpath:db/example").load().migrate();
        String history = "select version, description, type, script, checksum, success from flyway_schema_history "
                + "order by installed_rank";
        assertThat(byImage.query(history)).isNotEmpty().isEqualTo(byWorker.query(history));
        assertThat(byImage.count("select count(*) from ingest.stream where name = 'orders'")).isOne();
    }

    private static void checkApplicationImage(ImageTarball image, PodSpec pod, Container container, String mainClass) {
        assertThat(image.container().get("User").asText()).as("the user the chart runs the pod as")
                .isEqualTo(user(pod.getSecurityContext()));
        assertThat(ports(image)).as("the ports the chart's probes and Service use")
                .isEqualTo(container.getPorts().stream().map(p -> p.getContainerPort() + "/tcp").collect(Collectors.toSet()));
        assertThat(container.getCommand()).as("the chart relies on the image's entrypoint").isNullOrEmpty();
        assertThat(container.getArgs()).isNullOrEmpty();
        assertThat(image.entrypoint()).first().isEqualTo("java");
        assertThat(image.entrypoint()).last().isEqualTo(mainClass);
        assertThat(image.container().get("WorkingDir").asText()).isEqualTo("/app");
        assertJvmOptionsOnlyFromTheEnvironment(image, container);

        Map<String, ImageTarball.Entry> files = image.files();
        for (String entry : classpath(image, files)) {
            String path = entry.endsWith("/*") ? entry.substring(0, entry.length() - 2) : entry;
            assertThat(files).as("classpath entry %s is in the image", entry).containsKey(path);
        }
        assertThat(files.keySet()).as("the application's own classes")
                .contains("/app/classes/" + mainClass.replace('.', '/') + ".class");
        assertOwnedByRootAndReadOnly(files);
    }

    /** The chart sets JAVA_TOOL_OPTIONS (jvmOptions); nothing in the image may set JVM options beside it. */
    private static void assertJvmOptionsOnlyFromTheEnvironment(ImageTarball image, Container container) {
        assertThat(env(container, "JAVA_TOOL_OPTIONS").getValue()).contains("-Djava.io.tmpdir=/tmp");
        assertThat(image.entrypoint()).noneMatch(argument -> argument.startsWith("-X") || argument.startsWith("-D")
                || argument.startsWith("--"));
        assertThat(image.env()).doesNotContainKeys("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS");
    }

    /** The application cannot change its own code: files are root's and writable by nobody else. */
    private static void assertOwnedByRootAndReadOnly(Map<String, ImageTarball.Entry> files) {
        assertThat(files.values()).allSatisfy(entry -> {
            assertThat(entry.uid()).as(entry.path()).isZero();
            assertThat(entry.gid()).as(entry.path()).isZero();
            assertThat(WRITE_BY_OTHERS).as(entry.path()).allMatch(bit -> (entry.mode() & bit) == 0);
        });
    }

    private static String user(PodSecurityContext pod) {
        assertThat(pod.getRunAsNonRoot()).isTrue();
        return pod.getRunAsUser() + ":" + pod.getRunAsGroup();
    }

    private static Set<String> ports(ImageTarball image) {
        Set<String> ports = new TreeSet<>();
        image.container().path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        return ports;
    }

    /** The {@code -cp} of the entrypoint, read from the argument file it names if it names one. */
    private static List<String> classpath(ImageTarball image, Map<String, ImageTarball.Entry> files) {
        List<String> entrypoint = image.entrypoint();
        String value = entrypoint.get(entrypoint.indexOf("-cp") + 1);
        assertThat(value).isNotBlank();
        if (value.startsWith("@")) {
            // Jib's argument file (-cp @/app/jib-classpath-file): the classpath is its content.
            assertThat(files).containsKey(value.substring(1));
            value = image.read(value.substring(1)).trim();
        }
        return Arrays.asList(value.split(":"));
    }

    /**
     * The entrypoint as it runs from {@code root}: this JVM's java, and the classpath (an argument file or a list)
     * with every absolute path moved under {@code root}.
     */
    private static List<String> inImage(Path root, List<String> entrypoint) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (int i = 1; i < entrypoint.size(); i++) {
            String argument = entrypoint.get(i);
            if (i > 1 && entrypoint.get(i - 1).equals("-cp")) {
                String classpath = argument.startsWith("@")
                        ? Files.readString(root.resolve(argument.substring(2))).trim() : argument;
                argument = Arrays.stream(classpath.split(":")).map(entry -> root + entry)
                        .collect(Collectors.joining(":"));
            }
            command.add(argument);
        }
        return command;
    }

    private static Set<String> scripts(Map<String, ImageTarball.Entry> files, String directory) {
        return files.values().stream().filter(e -> !e.directory() && e.path().startsWith(directory + "/"))
                .map(e -> e.path().substring(directory.length() + 1)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> scripts(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).map(f -> directory.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
