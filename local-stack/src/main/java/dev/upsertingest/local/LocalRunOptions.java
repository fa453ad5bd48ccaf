package dev.upsertingest.local;

import java.nio.file.Path;

/**
 * The options of {@code bin/ingest local}.
 *
 * @param home          the project checkout (where the worker and API jars are built)
 * @param dataDirectory where PostgreSQL, the broker, the API key, the API clients file and the logs live between runs
 */
record LocalRunOptions(boolean help, boolean demo, boolean fresh, Path home, Path dataDirectory, int apiPort,
                       int workerPort, int kafkaPort, int postgresPort, String jdbcUrl, String dbUser,
                       String dbPassword, int demoRate) {

    static final String HELP = """
            usage: bin/ingest local [options]

            Runs the whole system on this machine: a Kafka broker and PostgreSQL as processes of their own (data kept
            in .local/ between runs), ingest-worker (which applies the migrations, including the example "orders"
            stream and "orders_view") and ingest-api. Prints where everything is; Ctrl-C stops every process.

            options:
              --demo                 also publish sample orders through the API, so the view fills up
              --demo-rate=200        events per second of --demo
              --fresh                start over: delete the PostgreSQL and Kafka data (DATA-DIR/postgres, DATA-DIR/kafka)
                                     first; the API key, api-clients.yml and the logs are kept (delete
                                     DATA-DIR/api-key for a new key). With --jdbc-url that PostgreSQL is not touched
              --data-dir=.local      where data, logs, the API key and api-clients.yml live
              --api-port=8080        the API (and Swagger UI)
              --worker-port=8081     the worker's health and metrics endpoints
              --kafka-port=9092      the broker (used when its data is first created; later runs keep the port)
              --postgres-port=55432  the embedded PostgreSQL
              --jdbc-url=URL         use an existing PostgreSQL instead (e.g. jdbc:postgresql://localhost:5432/ingest)
              --db-user=postgres     its user (needs to create schemas and roles, as the migrations do)
              --db-password=postgres its password
              --help                 this text

            API clients: DATA-DIR/api-clients.yml, written on the first run with the client "local" (its key is in
            DATA-DIR/api-key) and an example of another. Add clients there and restart; the file is kept between runs
            and by --fresh.

            Environment variables reach the worker and the API as usual (e.g. INGEST_REFRESH_INTERVALS_ORDERS_VIEW=1m),
            except for what the launcher sets on their command line, which wins: the database and Kafka connection,
            the ports and the API's clients file (a note is printed for each such variable that is set). API clients
            cannot come from INGEST_API_SECURITY_CLIENTS_* variables, which would replace the whole list of
            api-clients.yml: the launcher refuses to start with them set.
            """;

    static LocalRunOptions parse(String[] args) {
        Path home = Path.of(System.getProperty("ingest.home", ".")).toAbsolutePath().normalize();
        boolean help = false;
        boolean demo = false;
        boolean fresh = false;
        Path data = home.resolve(".local");
        int apiPort = 8080;
        int workerPort = 8081;
        int kafkaPort = 9092;
        int postgresPort = 55432;
        String jdbcUrl = System.getenv("INGEST_JDBC_URL");
        String dbUser = "postgres";
        String dbPassword = "postgres";
        int demoRate = 200;
        for (String arg : args) {
            String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : null;
            switch (name) {
                case "--help", "-h", "help" -> help = true;
                case "--demo" -> demo = true;
                case "--fresh" -> fresh = true;
                case "--data-dir" -> data = Path.of(required(name, value)).toAbsolutePath().normalize();
                case "--api-port" -> apiPort = port(name, value);
                case "--worker-port" -> workerPort = port(name, value);
                case "--kafka-port" -> kafkaPort = port(name, value);
                case "--postgres-port" -> postgresPort = port(name, value);
                case "--jdbc-url" -> jdbcUrl = required(name, value);
                case "--db-user" -> dbUser = required(name, value);
                case "--db-password" -> dbPassword = required(name, value);
                case "--demo-rate" -> demoRate = positive(name, value);
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("--jdbc-url must look like jdbc:postgresql://host:5432/database");
        }
        return new LocalRunOptions(help, demo, fresh, home, data, apiPort, workerPort, kafkaPort, postgresPort, jdbcUrl,
                dbUser, dbPassword, demoRate);
    }

    private static String required(String name, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " needs a value: " + name + "=...");
        }
        return value;
    }

    private static int port(String name, String value) {
        int port = positive(name, value);
        if (port > 65535) {
            throw new IllegalArgumentException(name + " must be a port number (1-65535)");
        }
        return port;
    }

    private static int positive(String name, String value) {
        try {
            int number = Integer.parseInt(required(name, value));
            if (number <= 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive whole number, not '" + value + "'");
        }
    }
}
