package dev.upsertingest.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code api-clients.yml} in the data directory: the API clients of {@code bin/ingest local}, as a Spring Boot
 * configuration file the API reads ({@code spring.config.additional-location}). Written on the first run with the
 * launcher's own {@code local} client and an example of another; after that it is the user's, never rewritten, and kept
 * by {@code --fresh}.
 *
 * <p>The {@code local} client names its key by a placeholder the launcher fills on the command line with the SHA-256
 * of {@code api-key}, so the file never holds the key, and stays right whatever happens to {@code api-key}. (Passing
 * the client itself on the command line, as {@code clients[0].*}, would replace every client of the file: Spring Boot
 * takes a list from one property source.)
 */
final class ApiClientsFile {

    static final String FILE_NAME = "api-clients.yml";
    /** The property the {@code local} client's {@code key-sha256} refers to; the launcher passes it to the API. */
    static final String KEY_DIGEST_PROPERTY = "local-run.api-key-sha256";

    static final String TEMPLATE = """
            # API clients of bin/ingest local. A Spring Boot configuration file the launcher gives ingest-api
            # (spring.config.additional-location). Written on the first run; from then on it is yours: add clients,
            # then restart bin/ingest local. It is kept between runs and by --fresh; delete it to get this version back.
            #
            # What wins, for the API: what the launcher passes on the command line (database, Kafka, port, the digest
            # of the local key) > environment variables > this file > the API's own application.yml. Define clients
            # here, not in INGEST_API_SECURITY_CLIENTS_* variables: Spring Boot takes a list from one source only, so
            # those would replace this whole list, the local client included (bin/ingest local refuses to start with
            # them set). The fields of a client: docs/api.md, "Clients and permissions".
            ingest:
              api:
                security:
                  clients:
                    # The launcher's own client: its key is in api-key next to this file (generated on the first run;
                    # delete api-key to get a new one). --demo publishes with it.
                    - name: local
                      key-sha256: ${%s}
                      permissions: [publish, query, operate, admin]
                      requests-per-second: 1000
                    # Another client, for example a dashboard that only reads. The key: 24 characters or more, e.g.
                    # from openssl rand -base64 32 (or key-sha256: its SHA-256 in hex, to keep the key out of here).
                    # - name: dashboard
                    #   key: change-me-to-a-key-of-24-characters-or-more
                    #   permissions: [query]
            """.formatted(KEY_DIGEST_PROPERTY);

    private ApiClientsFile() {
    }

    /** The file in {@code dataDirectory}, written from {@link #TEMPLATE} if it is not there. */
    static Path ensure(Path dataDirectory) throws IOException {
        Path file = dataDirectory.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            Files.writeString(file, TEMPLATE);
        }
        return file;
    }
}
