package dev.upsertingest.api.security;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiClientsTest {

    private static final String KEY = "a-key-that-is-long-enough-123";

    @Test
    void findsClientsByKeyOrByTheKeysDigest() {
        String digest = HexFormat.of().formatHex(ApiClients.sha256("another-key-long-enough-4567"));
        ApiClients clients = new ApiClients(new SecuritySettings(List.of(
                new SecuritySettings.Client("plain", KEY, null, Set.of(Permission.QUERY), Set.of(), 0),
                new SecuritySettings.Client("hashed", null, digest, Set.of(Permission.PUBLISH), Set.of(), 0)), 100));

        assertThat(clients.byKey(KEY)).hasValueSatisfying(c -> assertThat(c.name()).isEqualTo("plain"));
        assertThat(clients.byKey("another-key-long-enough-4567")).hasValueSatisfying(c -> assertThat(c.name()).isEqualTo("hashed"));
        assertThat(clients.byKey(KEY + "x")).isEmpty();
        assertThat(clients.byNameAndKey("hashed", KEY)).isEmpty();
        assertThat(clients.byNameAndKey("plain", KEY)).isPresent();
    }

    @Test
    void configurationMistakesFailAtStartupAndKeysAreNeverPrinted() {
        assertThatThrownBy(() -> new SecuritySettings.Client("x", "short", null, Set.of(Permission.QUERY), Set.of(), 0))
                .hasMessageContaining("at least 24");
        assertThatThrownBy(() -> new SecuritySettings.Client("x", null, null, Set.of(Permission.QUERY), Set.of(), 0))
                .hasMessageContaining("exactly one");
        var client = new SecuritySettings.Client("x", KEY, null, Set.of(Permission.QUERY), Set.of(), 0);
        assertThatThrownBy(() -> new SecuritySettings(List.of(client, client), 1)).hasMessageContaining("twice");
        assertThat(client.toString()).doesNotContain(KEY);
    }
}
