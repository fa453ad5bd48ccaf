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

/** Runs the real API application against a test database and broker, with four clients (producer, analyst, operator, admin), and talks to it over HTTP. */
public final class ApiHarness implements AutoCloseable {

    public static final String PRODUCER_KEY = "producer-key-0123456789abcdef";
    public static final String ANALYST_KEY = "analyst-key-0123456789abcdefgh";
    public static final String OPERATOR_KEY = "operator-key-0123456789abcdefg";
    public static final String ADMIN_KEY = "admin-key-0123456789abcdefghijk";

    private final ConfigurableApplicationContext context;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ApiHarness(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Builder builder(TestDatabase database, String bootstrapServers) {
        return new Builder(database.springProperties(), bootstrapServers);
    }

    /** For a database that is not a {@link TestDatabase}: {@code datasource} holds the {@code spring.datasource.*} properties. */
    public static Builder builder(Map<String, ?> datasource, String bootstrapServers) {
        return new Builder(datasource, bootstrapServers);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /**
     * Sends {@code request} as it is, bytes the Java HTTP client would refuse to send included, and returns the whole
     * response: status line, headers, a blank line, the body (de-chunked when chunked).
     */
    public RawResponse raw(byte[] request) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket("localhost", port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return RawResponse.parse(socket.getInputStream().readAllBytes());
        }
    }

    /** A response read off the socket by {@link #raw}. */
    public record RawResponse(int status, Map<String, String> headers, String body) {

        static RawResponse parse(byte[] bytes) {
            int end = indexOf(bytes, "\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0);
            String[] head = new String(bytes, 0, end < 0 ? bytes.length : end, java.nio.charset.StandardCharsets.ISO_8859_1).split("\r\n");
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (colon > 0) {
                    headers.put(head[i].substring(0, colon).trim(), head[i].substring(colon + 1).trim());
                }
            }
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            int at = end < 0 ? bytes.length : end + 4;
            if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
                while (at < bytes.length) {
                    int lineEnd = indexOf(bytes, new byte[]{'\r', '\n'}, at);
                    int size = Integer.parseInt(new String(bytes, at, lineEnd - at, java.nio.charset.StandardCharsets.US_ASCII).trim(), 16);
                    if (size == 0) {
                        break;
                    }
                    body.write(bytes, lineEnd + 2, size);
                    at = lineEnd + 2 + size + 2;
                }
            } else {
                body.write(bytes, at, bytes.length - at);
            }
            return new RawResponse(Integer.parseInt(head[0].split(" ")[1]), headers,
                    body.toString(java.nio.charset.StandardCharsets.UTF_8));
        }

        private static int indexOf(byte[] bytes, byte[] part, int from) {
            outer:
            for (int i = from; i <= bytes.length - part.length; i++) {
                for (int k = 0; k < part.length; k++) {
                    if (bytes[i + k] != part[k]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
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
        private final Map<String, Object> beans = new LinkedHashMap<>();

        private Builder(Map<String, ?> datasource, String bootstrapServers) {
            datasource.forEach((k, v) -> properties.put(k, String.valueOf(v)));
            properties.put("spring.kafka.bootstrap-servers", bootstrapServers);
            properties.put("server.port", "0");
            client(0, "producer", PRODUCER_KEY, "publish");
            client(1, "analyst", ANALYST_KEY, "query");
            client(2, "operator", OPERATOR_KEY, "operate");
            client(3, "admin", ADMIN_KEY, "admin");
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

        /** Registers {@code bean} in the application before it starts, e.g. a test's span exporter. */
        public Builder bean(String name, Object bean) {
            beans.put(name, bean);
            return this;
        }

        public ApiHarness start() {
            String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
            return new ApiHarness(new SpringApplicationBuilder(IngestApiApplication.class)
                    .initializers(context -> beans.forEach(context.getBeanFactory()::registerSingleton)).run(args));
        }
    }
}
