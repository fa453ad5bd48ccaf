package dev.upsertingest.api.it;

import dev.upsertingest.api.IngestApiApplication;
import dev.upsertingest.testing.TestDatabase;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs the real API application against a test database and broker, with three clients, and talks to it over HTTP. */
public final class ApiHarness implements AutoCloseable {

    public static final String PRODUCER_KEY = "producer-key-0123456789abcdef";
    public static final String ANALYST_KEY = "analyst-key-0123456789abcdefgh";
    public static final String OPERATOR_KEY = "operator-key-0123456789abcdefg";

    private final ConfigurableApplicationContext context;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ApiHarness(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Builder builder(TestDatabase database, String bootstrapServers) {
        return new Builder(database, bootstrapServers);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public String url(String path) {
        return "http://localhost:" + context.getEnvironment().getProperty("local.server.port") + path;
    }

    public HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String key, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        context.close();
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder(TestDatabase database, String bootstrapServers) {
            database.springProperties().forEach((k, v) -> properties.put(k, String.valueOf(v)));
            properties.put("spring.kafka.bootstrap-servers", bootstrapServers);
            properties.put("server.port", "0");
            client(0, "producer", PRODUCER_KEY, "publish");
            client(1, "analyst", ANALYST_KEY, "query");
            client(2, "operator", OPERATOR_KEY, "operate");
        }

        private void client(int index, String name, String key, String permissions) {
            String prefix = "ingest.api.security.clients[" + index + "].";
            properties.put(prefix + "name", name);
            properties.put(prefix + "key", key);
            properties.put(prefix + "permissions", permissions);
        }

        public Builder property(String name, Object value) {
            properties.put(name, String.valueOf(value));
            return this;
        }

        public ApiHarness start() {
            String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            return new ApiHarness(new SpringApplicationBuilder(IngestApiApplication.class).run(args));
        }
    }
}
