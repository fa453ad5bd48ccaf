package dev.upsertingest.cli;

import dev.upsertingest.local.Versions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bin/ingest answers {@code --help}, {@code --version} and {@code completion} from files, without a JDK or a build:
 * bin/help/COMMAND[-SUBCOMMAND].txt and bin/ingest-completion.bash. This keeps them what the commands say. After
 * changing a command: {@code ./mvnw -pl ingest-cli -am test -Dtest=CliDocsTest -Dcli.docs.update=true
 * -Dsurefire.failIfNoSpecifiedTests=false}, and commit the files.
 */
class CliDocsTest {

    private static final Path DOCS = Path.of(System.getProperty("cli.docs", "../bin"));
    private static final boolean UPDATE = Boolean.getBoolean("cli.docs.update");

    /** With -Dcli.docs.update=true: writes the files first, so that every test below compares with the new ones. */
    @BeforeAll
    static void updateWhenAsked() throws IOException {
        if (!UPDATE) {
            return;
        }
        Path help = DOCS.resolve("help");
        Files.createDirectories(help);
        try (Stream<Path> old = Files.list(help)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        for (Map.Entry<String, String> file : expectedFiles().entrySet()) {
            Files.writeString(help.resolve(file.getKey()), file.getValue());
        }
        Files.writeString(DOCS.resolve("ingest-completion.bash"), IngestCli.Completion.script());
    }

    @Test
    void theHelpFilesAreWhatTheCommandsSay() throws IOException {
        Map<String, String> expected = expectedFiles();
        Path help = DOCS.resolve("help");
        List<String> present;
        try (Stream<Path> files = Files.list(help)) {
            present = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(present).as("files in bin/help (regenerate with -Dcli.docs.update=true)")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, String> file : expected.entrySet()) {
            assertThat(Files.readString(help.resolve(file.getKey()))).as("bin/help/" + file.getKey()
                    + " (regenerate with -Dcli.docs.update=true)").isEqualTo(file.getValue());
        }
    }

    @Test
    void theCompletionScriptIsTheCommandTrees() throws IOException {
        Path script = DOCS.resolve("ingest-completion.bash");
        String expected = IngestCli.Completion.script();
        assertThat(Files.readString(script)).as("bin/ingest-completion.bash (regenerate with -Dcli.docs.update=true)")
                .isEqualTo(expected);
        assertThat(expected).contains("status").contains("rebuild").contains("replay").contains("--empty-table");
    }

    /**
     * The launcher itself answers from those files with no JDK on the PATH and no build: the first thing a newcomer
     * types works at once ({@code help local} is local's help, {@code bench redraw --help} is not a file name).
     */
    @Test
    void theLauncherAnswersHelpAndVersionWithoutAJdkOrABuild() throws Exception {
        Map<String, String> expected = expectedFiles();
        assertThat(launcher("--help")).isEqualTo(expected.get("ingest.txt"));
        assertThat(launcher("--version")).isEqualTo(expected.get("version.txt"));
        assertThat(launcher("help", "local")).isEqualTo(expected.get("local.txt"));
        assertThat(launcher("local", "--fresh=false", "--help")).isEqualTo(expected.get("local.txt"));
        assertThat(launcher("bench", "redraw", "--help")).isEqualTo(expected.get("bench-redraw.txt"));
        assertThat(launcher("dlt", "replay", "orders", "--dry-run", "-h")).isEqualTo(expected.get("dlt-replay.txt"));
        assertThat(launcher("status", "--version")).isEqualTo(expected.get("version.txt"));
    }

    private static String launcher(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", DOCS.resolve("ingest").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_HOME");
        builder.environment().put("PATH", "/usr/bin:/bin"); // no JDK needed: nothing may be looked for
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", args) + ": " + output).isZero();
        return output;
    }

    @Test
    void theLaunchersVersionIsTheProjects() throws IOException {
        assertThat(Files.readString(DOCS.resolve("ingest"))).contains("VERSION=\"" + Versions.VERSION + "\"");
    }

    /** File name -> its text: the usage of every command of the tree, and the version. */
    static Map<String, String> expectedFiles() {
        Map<String, String> files = new LinkedHashMap<>();
        CommandLine root = IngestCli.commandLine();
        files.put("ingest.txt", root.getUsageMessage(CommandLine.Help.Ansi.OFF));
        files.put("version.txt", String.join("\n", root.getCommandSpec().version()) + "\n");
        collect(root, new ArrayList<>(), files);
        return files;
    }

    private static void collect(CommandLine command, List<String> path, Map<String, String> files) {
        for (Map.Entry<String, CommandLine> sub : command.getSubcommands().entrySet()) {
            List<String> subPath = new ArrayList<>(path);
            subPath.add(sub.getKey());
            files.put(String.join("-", subPath) + ".txt", sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF));
            collect(sub.getValue(), subPath, files);
        }
    }
}
