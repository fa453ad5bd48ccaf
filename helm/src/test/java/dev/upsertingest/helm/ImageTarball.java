package dev.upsertingest.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * An image tarball written by Jib's {@code buildTar} (the Docker archive format: {@code manifest.json}, the image's
 * config JSON, one gzipped tar per layer), read without a container engine: its configuration, the files of all its
 * layers, and those files extracted into a directory.
 */
final class ImageTarball {

    /** A file or directory in the image: what the layers say about it. */
    record Entry(String path, boolean directory, int mode, long uid, long gid, long size) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path tarball;
    private final JsonNode config;
    private final List<String> layers;

    private ImageTarball(Path tarball, JsonNode config, List<String> layers) {
        this.tarball = tarball;
        this.config = config;
        this.layers = layers;
    }

    /** The image of a module of this repository, as its build left it in {@code <module>/target/jib-image.tar}. */
    static ImageTarball ofModule(String module) {
        Path tarball = Chart.DIRECTORY.getParent().resolve(module).resolve("target/jib-image.tar");
        if (!Files.isRegularFile(tarball)) {
            throw new AssertionError("No image tarball at " + tarball + ": the image modules build it in their package "
                    + "phase, so build them in the same run (./mvnw verify -pl helm -am), and not with -Djib.skip");
        }
        return read(tarball);
    }

    static ImageTarball read(Path tarball) {
        Map<String, byte[]> small = new HashMap<>();
        forEachEntry(tarball, (entry, in) -> {
            if (entry.getName().endsWith(".json")) {
                small.put(entry.getName(), in.readAllBytes());
            }
        });
        try {
            JsonNode manifest = JSON.readTree(small.get("manifest.json")).get(0);
            JsonNode config = JSON.readTree(small.get(manifest.get("Config").asText()));
            List<String> layers = new ArrayList<>();
            manifest.get("Layers").forEach(layer -> layers.add(layer.asText()));
            return new ImageTarball(tarball, config, layers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The container configuration: Entrypoint, Cmd, User, ExposedPorts, Env, WorkingDir. */
    JsonNode container() {
        return config.get("config");
    }

    List<String> entrypoint() {
        return strings(container().get("Entrypoint"));
    }

    List<String> cmd() {
        return strings(container().get("Cmd"));
    }

    /** The Env entries as name to value. */
    Map<String, String> env() {
        Map<String, String> env = new TreeMap<>();
        for (String entry : strings(container().get("Env"))) {
            int equals = entry.indexOf('=');
            env.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
        return env;
    }

    /** Every path in the image (absolute, without a trailing slash). */
    Map<String, Entry> files() {
        Map<String, Entry> files = new TreeMap<>();
        forEachLayerEntry((entry, in) -> {
            String path = normalize(entry.getName());
            files.put(path, new Entry(path, entry.isDirectory(), entry.getMode(), entry.getLongUserId(),
                    entry.getLongGroupId(), entry.getSize()));
        });
        return files;
    }

    /** The content of the file at {@code path} (absolute) as UTF-8; fails when the image has no such file. */
    String read(String path) {
        java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
        boolean[] found = {false};
        forEachLayerEntry((entry, in) -> {
            if (entry.isFile() && normalize(entry.getName()).equals(path)) {
                content.reset();
                in.transferTo(content);
                found[0] = true;
            }
        });
        if (!found[0]) {
            throw new AssertionError("no file " + path + " in " + tarball);
        }
        return content.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Extracts every layer's regular files and directories under {@code root}. */
    void extractTo(Path root) {
        forEachLayerEntry((entry, in) -> {
            Path target = root.resolve(normalize(entry.getName()).substring(1)).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("layer entry outside the image root: " + entry.getName());
            }
            if (entry.isDirectory()) {
                Files.createDirectories(target);
            } else if (entry.isFile()) {
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        });
    }

    private static String normalize(String name) {
        String path = name.startsWith("/") ? name : "/" + name;
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(value -> values.add(value.asText()));
        }
        return values;
    }

    @FunctionalInterface
    private interface EntryConsumer {
        void accept(TarArchiveEntry entry, InputStream content) throws IOException;
    }

    /** One pass over the tarball; Jib's layers hold disjoint paths, so the order they are met in does not matter. */
    private void forEachLayerEntry(EntryConsumer consumer) {
        forEachEntry(tarball, (entry, in) -> {
            if (layers.contains(entry.getName())) {
                InputStream shielded = new java.io.FilterInputStream(in) {
                    @Override
                    public void close() {
                        // the outer tarball goes on to the next layer
                    }
                };
                try (TarArchiveInputStream files = new TarArchiveInputStream(new GZIPInputStream(shielded))) {
                    for (TarArchiveEntry file = files.getNextEntry(); file != null; file = files.getNextEntry()) {
                        consumer.accept(file, files);
                    }
                }
            }
        });
    }

    private static void forEachEntry(Path tarball, EntryConsumer consumer) {
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tarball))) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                consumer.accept(entry, in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + tarball + ": " + e.getMessage(), e);
        }
    }
}
