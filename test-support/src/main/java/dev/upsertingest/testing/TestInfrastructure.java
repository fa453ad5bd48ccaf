package dev.upsertingest.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The one place that chooses the integration tests' PostgreSQL and Kafka (see {@link InfrastructureMode}), logs the
 * choice, and shares one server of each across every test class of a JVM. Tests get isolation from fresh databases
 * ({@link PostgresServer#createDatabase}) and unique topic names, not from fresh servers, which would cost seconds each.
 * Nothing is ever skipped: if the chosen infrastructure cannot start, the tests fail and say why.
 */
public final class TestInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    private static PostgresServer postgres;
    private static KafkaBroker kafka;
    private static Boolean docker;

    private TestInfrastructure() {
    }

    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            String url = System.getProperty("it.postgres.url");
            postgres = switch (mode()) {
                case DOCKER -> PostgresServer.docker();
                case LOCAL -> url == null ? PostgresServer.embedded() : PostgresServer.existing(url,
                        System.getProperty("it.postgres.user", "postgres"), System.getProperty("it.postgres.password", ""));
                default -> PostgresServer.embedded();
            };
            log.info("Integration tests use {} (it.infra={})", postgres.description(), modeDescription());
            closeAtExit(postgres);
        }
        return postgres;
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            String servers = System.getProperty("it.kafka.bootstrap-servers");
            kafka = switch (mode()) {
                case DOCKER -> KafkaBroker.docker();
                case LOCAL -> servers == null ? KafkaBroker.inJvm() : KafkaBroker.existing(servers);
                default -> KafkaBroker.inJvm();
            };
            log.info("Integration tests use {} (it.infra={})", kafka.description(), modeDescription());
            closeAtExit(kafka);
        }
        return kafka;
    }

    /** A fresh database with the project's migrations applied. */
    public static TestDatabase migratedDatabase(String purpose) {
        return postgres().createDatabase(purpose).migrate();
    }

    private static InfrastructureMode mode() {
        InfrastructureMode requested = InfrastructureMode.fromSystemProperty();
        return switch (requested) {
            case AUTO -> dockerAvailable() ? InfrastructureMode.DOCKER : InfrastructureMode.EMBEDDED;
            case DOCKER -> {
                if (!dockerAvailable()) {
                    throw new IllegalStateException("-Dit.infra=docker, but no Docker engine answers. Start one, or run "
                            + "with -Dit.infra=embedded (embedded PostgreSQL and an in-JVM Kafka broker).");
                }
                yield InfrastructureMode.DOCKER;
            }
            default -> requested;
        };
    }

    private static String modeDescription() {
        InfrastructureMode requested = InfrastructureMode.fromSystemProperty();
        if (requested == InfrastructureMode.AUTO) {
            return "auto: " + (dockerAvailable() ? "a Docker engine answered" : "no Docker engine, so embedded");
        }
        return requested.name().toLowerCase();
    }

    private static synchronized boolean dockerAvailable() {
        if (docker == null) {
            // Testcontainers logs each failed probe at ERROR; where nothing could possibly answer, do not ask it.
            if (!dockerEndpointConfigured()) {
                docker = false;
            } else {
                try {
                    docker = DockerClientFactory.instance().isDockerAvailable();
                } catch (RuntimeException | LinkageError e) {
                    docker = false;
                }
            }
        }
        return docker;
    }

    private static boolean dockerEndpointConfigured() {
        String home = System.getProperty("user.home");
        return System.getenv("DOCKER_HOST") != null
                || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".docker", "run", "docker.sock"))
                || java.nio.file.Files.exists(java.nio.file.Path.of(home, ".testcontainers.properties"))
                || System.getProperty("os.name", "").toLowerCase().contains("win");
    }

    private static void closeAtExit(AutoCloseable resource) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                resource.close();
            } catch (Exception ignored) {
                // the JVM is exiting; a server that does not stop cleanly dies with it
            }
        }, "it-infrastructure-shutdown"));
    }
}
