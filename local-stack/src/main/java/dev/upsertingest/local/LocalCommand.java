package dev.upsertingest.local;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code bin/ingest local}: the options of {@link LocalRun}. Options take {@code --name value} or {@code --name=value};
 * {@code --demo} and {@code --fresh} are booleans that also take {@code =true} / {@code =false}, so
 * {@code --fresh=false} keeps the data, and nothing but {@code --fresh} or {@code --fresh=true} deletes it.
 */
@Command(name = "local", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false,
        usageHelpAutoWidth = false, usageHelpWidth = 110,
        description = {
                "Runs the whole system on this machine: a Kafka broker and PostgreSQL as processes of their own (data kept "
                        + "in .local/ between runs), ingest-worker (which applies the migrations, including the example "
                        + "\"orders\" stream and \"orders_view\") and ingest-api. Prints where everything is; Ctrl-C stops every process."},
        footer = {"",
                "API clients: DATA-DIR/api-clients.yml, written on the first run with the client \"local\" (its key is in "
                        + "DATA-DIR/api-key) and an example of another. Add clients there and restart; the file is kept "
                        + "between runs and by --fresh.",
                "",
                "Environment variables reach the worker and the API as usual (e.g. INGEST_REFRESH_INTERVALS_ORDERS_VIEW=1m), "
                        + "except for what the launcher sets on their command line, which wins: the database and Kafka "
                        + "connection, the ports and the API's clients file (a note is printed for each such variable that "
                        + "is set). API clients cannot come from INGEST_API_SECURITY_CLIENTS_* variables, which would "
                        + "replace the whole list of api-clients.yml: the launcher refuses to start with them set.",
                "",
                "Then, in another terminal: bin/ingest status (streams, lag, dead letters, views)."})
public class LocalCommand implements Callable<Integer> {

    @Option(names = "--demo", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
            description = "Also publish sample orders through the API, so the view fills up.")
    boolean demo;

    @Option(names = "--demo-rate", defaultValue = "200", paramLabel = "N",
            description = "Events per second of --demo (default: ${DEFAULT-VALUE}).")
    int demoRate;

    @Option(names = "--fresh", arity = "0..1", fallbackValue = "true", defaultValue = "false", paramLabel = "true|false",
            description = {"Start over: delete the PostgreSQL and Kafka data (DATA-DIR/postgres, DATA-DIR/kafka) first; "
                    + "the API key, api-clients.yml and the logs are kept (delete DATA-DIR/api-key for a new key). "
                    + "With --jdbc-url that PostgreSQL is not touched. --fresh=false is the default."})
    boolean fresh;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where data, logs, the API key and api-clients.yml live (default: .local).")
    Path dataDirectory;

    @Option(names = "--api-port", defaultValue = "8080", paramLabel = "PORT",
            description = "The API (and Swagger UI) (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--worker-port", defaultValue = "8081", paramLabel = "PORT",
            description = "The worker's health and metrics endpoints (default: ${DEFAULT-VALUE}).")
    int workerPort;

    @Option(names = "--kafka-port", defaultValue = "9092", paramLabel = "PORT",
            description = "The broker (used when its data is first created; later runs keep the port) (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--postgres-port", defaultValue = "55432", paramLabel = "PORT",
            description = "The embedded PostgreSQL (default: ${DEFAULT-VALUE}).")
    int postgresPort;

    @Option(names = "--jdbc-url", paramLabel = "URL", defaultValue = "${env:INGEST_JDBC_URL}",
            description = "Use an existing PostgreSQL instead (e.g. jdbc:postgresql://localhost:5432/ingest; default: "
                    + "$INGEST_JDBC_URL if set).")
    String jdbcUrl;

    @Option(names = "--db-user", defaultValue = "postgres", paramLabel = "USER",
            description = "Its user (needs to create schemas and roles, as the migrations do) (default: ${DEFAULT-VALUE}).")
    String dbUser;

    @Option(names = "--db-password", defaultValue = "postgres", paramLabel = "SECRET",
            description = "Its password (default: ${DEFAULT-VALUE}).")
    String dbPassword;

    /** The command line of {@code bin/ingest local} on its own (how {@link LocalRun#main} runs). */
    public static CommandLine commandLine() {
        return new CommandLine(new LocalCommand());
    }

    /** The options as {@link LocalRun} takes them; invalid values are usage errors. */
    LocalRunOptions options(CommandLine.Model.CommandSpec spec) {
        Path home = Path.of(System.getProperty("ingest.home", ".")).toAbsolutePath().normalize();
        Path data = dataDirectory == null ? home.resolve(".local") : dataDirectory.toAbsolutePath().normalize();
        try {
            port("--api-port", apiPort);
            port("--worker-port", workerPort);
            port("--kafka-port", kafkaPort);
            port("--postgres-port", postgresPort);
            if (demoRate <= 0) {
                throw new IllegalArgumentException("--demo-rate must be a positive whole number, not " + demoRate);
            }
            return new LocalRunOptions(demo, fresh, home, data, apiPort, workerPort, kafkaPort, postgresPort,
                    jdbcUrl == null || jdbcUrl.isBlank() ? null : jdbcUrl, dbUser, dbPassword, demoRate);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return LocalRun.run(options(spec));
    }

    private static void port(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be a port number (1-65535), not " + port);
        }
    }
}
