package dev.upsertingest.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Recognizes API keys. Keys are kept only as SHA-256 digests and compared to every client's digest in constant
 * time, so neither the comparison nor the loop leaks which client (or how much of a key) matched.
 */
public final class ApiClients {

    private record Known(SecuritySettings.Client client, byte[] digest) {
    }

    private final List<Known> known;

    public ApiClients(SecuritySettings settings) {
        this.known = settings.clients().stream()
                .map(c -> new Known(c, c.key() != null && !c.key().isBlank()
                        ? sha256(c.key()) : HexFormat.of().parseHex(c.keySha256().toLowerCase())))
                .toList();
    }

    public boolean isEmpty() {
        return known.isEmpty();
    }

    public Optional<SecuritySettings.Client> byKey(String presented) {
        byte[] digest = sha256(presented);
        SecuritySettings.Client match = null;
        for (Known candidate : known) {
            if (MessageDigest.isEqual(candidate.digest(), digest)) {
                match = candidate.client();
            }
        }
        return Optional.ofNullable(match);
    }

    /** For HTTP Basic: the name must match too. */
    public Optional<SecuritySettings.Client> byNameAndKey(String name, String presented) {
        return byKey(presented).filter(c -> c.name().equals(name));
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
