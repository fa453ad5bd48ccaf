package dev.upsertingest.api.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who may call the API. Each client has a name, a key (or the key's SHA-256, so that configuration never holds the
 * key itself), its permissions and, for producers, optionally the streams it may publish to.
 *
 * <pre>
 * ingest.api.security.clients[0].name=orders-service
 * ingest.api.security.clients[0].key-sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
 * ingest.api.security.clients[0].permissions=publish
 * ingest.api.security.clients[0].streams=orders
 * ingest.api.security.clients[1].name=dashboard
 * ingest.api.security.clients[1].key=${DASHBOARD_API_KEY}
 * ingest.api.security.clients[1].permissions=query
 * </pre>
 *
 * @param clients           the API clients
 * @param requestsPerSecond requests per second one client may make (Resilience4j rate limiter); more get 429
 */
@Validated
@ConfigurationProperties("ingest.api.security")
public record SecuritySettings(
        @NotNull @DefaultValue List<@Valid Client> clients,
        @Min(1) @DefaultValue("200") int requestsPerSecond) {

    public SecuritySettings {
        Set<String> names = new HashSet<>();
        for (Client client : clients == null ? List.<Client>of() : clients) {
            if (!names.add(client.name())) {
                throw new IllegalArgumentException("ingest.api.security.clients: the name " + client.name() + " is used twice");
            }
        }
    }

    /**
     * @param name              identifies the client in logs and metrics (never the key)
     * @param key               the key itself, at least 24 characters (e.g. from a secret: {@code ${ORDERS_API_KEY}})
     * @param keySha256         or: the hex SHA-256 of the key
     * @param permissions       publish, query, operate
     * @param streams           for publish: the streams this client may publish to; empty means all
     * @param requestsPerSecond this client's own rate limit; 0 takes the global one
     */
    public record Client(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String name,
            String key,
            @Pattern(regexp = "[0-9a-fA-F]{64}") String keySha256,
            @NotEmpty Set<Permission> permissions,
            @NotNull @DefaultValue Set<String> streams,
            @Min(0) @DefaultValue("0") int requestsPerSecond) {

        public Client {
            boolean hasKey = key != null && !key.isBlank();
            boolean hasHash = keySha256 != null && !keySha256.isBlank();
            if (hasKey == hasHash) {
                throw new IllegalArgumentException("API client " + name + ": set exactly one of key and key-sha256");
            }
            if (hasKey && key.length() < 24) {
                throw new IllegalArgumentException("API client " + name + ": the key must be at least 24 characters");
            }
        }

        /** Never prints the key. */
        @Override
        public String toString() {
            return "Client[name=" + name + ", permissions=" + permissions + ", streams=" + (streams.isEmpty() ? "all" : streams)
                    + (requestsPerSecond > 0 ? ", requestsPerSecond=" + requestsPerSecond : "") + "]";
        }
    }
}
