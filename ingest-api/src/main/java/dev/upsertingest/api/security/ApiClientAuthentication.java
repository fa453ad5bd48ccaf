package dev.upsertingest.api.security;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** An authenticated API client; its credentials are not kept. */
public final class ApiClientAuthentication extends AbstractAuthenticationToken {

    private final SecuritySettings.Client client;

    public ApiClientAuthentication(SecuritySettings.Client client) {
        super(client.permissions().stream().map(p -> new SimpleGrantedAuthority(p.authority())).toList());
        this.client = client;
        setAuthenticated(true);
    }

    public SecuritySettings.Client client() {
        return client;
    }

    @Override
    public Object getCredentials() {
        return "";
    }

    @Override
    public Object getPrincipal() {
        return client.name();
    }
}
