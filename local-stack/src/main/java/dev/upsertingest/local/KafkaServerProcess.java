package dev.upsertingest.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft broker in a JVM of its own, from the Kafka jars on the classpath, with a data directory
 * that outlives it: it can be stopped (SIGTERM), killed (SIGKILL) and started again as the same cluster, with its
 * topics and committed offsets, as a production broker restart would be. (The in-JVM test broker cannot: a new one is
 * a new cluster, whose metadata clients rightly refuse as older than what they have seen.)
 */
public final class KafkaServerProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(90);

    private final Path directory;
    private final int port;
    private Process process;

    private KafkaServerProcess(Path directory, int port) {
        this.directory = directory;
        this.port = port;
    }

    /** Formats a new cluster under {@code directory} on free ports and starts it. */
    public static KafkaServerProcess startNew(Path directory) {
        return format(directory, freePort());
    }

    /**
     * Starts the cluster kept under {@code directory} (its topics and offsets) on the port it was created with, or
     * formats a new one there on {@code port} if there is none yet.
     */
    public static KafkaServerProcess openOrCreate(Path directory, int port) {
        Path properties = directory.resolve("server.properties");
        if (!Files.exists(properties)) {
            return format(directory, port);
        }
        try {
            int existing = Files.readAllLines(properties).stream().filter(l -> l.startsWith("advertised.listeners="))
                    .map(l -> Integer.parseInt(l.substring(l.lastIndexOf(':') + 1).trim())).findFirst().orElseThrow();
            KafkaServerProcess server = new KafkaServerProcess(directory, existing);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KafkaServerProcess format(Path directory, int port) {
        int controllerPort = freePort();
        KafkaServerProcess server = new KafkaServerProcess(directory, port);
        try {
            Files.createDirectories(directory);
            Files.writeString(server.properties(), String.join("\n", List.of(
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@localhost:" + controllerPort,
                    "listeners=PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://localhost:" + port,
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "log.dirs=" + directory.resolve("data"),
                    "num.partitions=1",
                    "auto.create.topics.enable=false",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=3",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.cleaner.backoff.ms=1000")) + "\n");
            // The broker logs through SLF4J; keep its log to startup and problems.
            Files.writeString(directory.resolve("logback.xml"), """
                    <configuration>
                      <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
                      <root level="WARN"><appender-ref ref="OUT"/></root>
                    </configuration>
                    """);
            server.run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                    "-c", server.properties().toString()), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.start();
        return server;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Starts the broker (again) and waits until it answers. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        process = run(List.of("kafka.Kafka", properties().toString()), false);
        Instant deadline = Instant.now().plus(STARTUP);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            while (true) {
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the Kafka broker exited during startup; see " + log());
                    }
                    if (Instant.now().isAfter(deadline)) {
                        throw new IllegalStateException("the Kafka broker did not answer within " + STARTUP + "; see " + log());
                    }
                }
            }
        }
    }

    /** SIGTERM: a controlled shutdown, as an orchestrator would do. */
    public synchronized void stop() {
        halt(false);
    }

    /** SIGKILL: the broker dies on the spot. */
    public synchronized void kill() {
        halt(true);
    }

    @Override
    public void close() {
        kill();
    }

    private void halt(boolean forcibly) {
        if (process == null || !process.isAlive()) {
            return;
        }
        if (forcibly) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Path properties() {
        return directory.resolve("server.properties");
    }

    private Path log() {
        return directory.resolve("server.log");
    }

    private Process run(List<String> mainAndArgs, boolean waitForExit) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xms256m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dlogback.configurationFile=" + directory.resolve("logback.xml"), "-Dlog4j2.level=WARN",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        try {
            Process started = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile())).start();
            if (waitForExit) {
                if (!started.waitFor(60, TimeUnit.SECONDS) || started.exitValue() != 0) {
                    throw new IllegalStateException(mainAndArgs.getFirst() + " failed; see " + log());
                }
            } else {
                // A controlled shutdown when whoever started it exits; SIGKILL if that takes over 30 s.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    started.destroy();
                    try {
                        if (!started.waitFor(30, TimeUnit.SECONDS)) {
                            started.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        started.destroyForcibly();
                    }
                }));
            }
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** The broker's own log (startup, warnings, errors). */
    public Path logFile() {
        return log();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
