package dev.upsertingest.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.FileSystemResource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** api-clients.yml as the API reads it: Spring Boot's YAML loader, the launcher's digest property filled in. */
class ApiClientsFileTest {

    private static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @TempDir
    Path data;

    @Test
    void theFirstRunWritesTheLocalClientWhoseKeyDigestTheLauncherFillsIn() throws IOException {
        StandardEnvironment api = read(ApiClientsFile.ensure(data));

        assertThat(api.getProperty("ingest.api.security.clients[0].name")).isEqualTo("local");
        assertThat(api.getProperty("ingest.api.security.clients[0].key-sha256")).isEqualTo(DIGEST);
        assertThat(api.getProperty("ingest.api.security.clients[0].permissions[2]")).isEqualTo("operate");
        assertThat(api.getProperty("ingest.api.security.clients[0].permissions[3]")).as("bin/ingest --api-url").isEqualTo("admin");
        assertThat(api.getProperty("ingest.api.security.clients[1].name")).as("the second is only an example").isNull();
    }

    @Test
    void aClientAppendedAsTheFileShowsIsTheSecondAndTheFileIsNeverRewritten() throws IOException {
        Path file = ApiClientsFile.ensure(data);
        Files.writeString(file, Files.readString(file) + """
                        - name: dashboard
                          key: a-dashboard-key-of-24-characters
                          permissions: [query]
                """);
        String edited = Files.readString(file);

        assertThat(ApiClientsFile.ensure(data)).isEqualTo(file);
        assertThat(Files.readString(file)).isEqualTo(edited);
        StandardEnvironment api = read(file);
        assertThat(api.getProperty("ingest.api.security.clients[0].name")).isEqualTo("local");
        assertThat(api.getProperty("ingest.api.security.clients[1].name")).isEqualTo("dashboard");
        assertThat(api.getProperty("ingest.api.security.clients[1].permissions[0]")).isEqualTo("query");
    }

    private static StandardEnvironment read(Path file) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("command line",
                Map.of(ApiClientsFile.KEY_DIGEST_PROPERTY, DIGEST)));
        new YamlPropertySourceLoader().load("api-clients", new FileSystemResource(file))
                .forEach(source -> environment.getPropertySources().addLast(source));
        return environment;
    }
}
