package dev.upsertingest.loadtest.report;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where a run's results go: {@code load-tests/results/<scenario>-<timestamp>.json} (+ .png), and what they share. */
public final class Results {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Path directory;
    private final String scenario;
    /** When the files are named: their stamp, unique per scenario and second. */
    private final Instant written = Instant.now();
    private final Instant started;

    /** @param started when the run began (its {@code started_at}) */
    public Results(Path directory, String scenario, Instant started) {
        this.directory = directory;
        this.scenario = scenario;
        this.started = started;
    }

    private Path file(String extension) {
        return directory.resolve(scenario + "-" + STAMP.format(written) + "." + extension);
    }

    /** Where the chart of the results in {@code json} goes: beside it, as {@code .png}. */
    public static Path chartFile(Path json) {
        return json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", "") + ".png");
    }

    /** Machine facts every result carries, so figures from different machines are not compared blindly. */
    public static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory_bytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        return machine;
    }

    public Path writeJson(Map<String, Object> document) throws IOException {
        Files.createDirectories(directory);
        Map<String, Object> withHeader = new LinkedHashMap<>();
        withHeader.put("scenario", scenario);
        withHeader.put("started_at", started.toString());
        withHeader.put("finished_at", Instant.now().toString());
        withHeader.put("machine", machine());
        withHeader.putAll(document);
        Path file = file("json");
        Files.writeString(file, JSON.writeValueAsString(withHeader) + "\n");
        return file;
    }
}
