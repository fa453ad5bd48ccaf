package dev.upsertingest.api.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Authenticates a request by its API key: {@code Authorization: Bearer <key>}, {@code X-API-Key: <key>}, or HTTP
 * Basic with the client's name and key (so that a browser can open Swagger UI). A request without credentials goes on
 * unauthenticated (and is refused by the authorization rules, except for health); wrong credentials get 401 at once.
 */
public final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    public static final String API_KEY_HEADER = "X-API-Key";

    private final ApiClients clients;
    private final AuthenticationEntryPoint entryPoint;

    public ApiKeyAuthenticationFilter(ApiClients clients, AuthenticationEntryPoint entryPoint) {
        this.clients = clients;
        this.entryPoint = entryPoint;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String authorization = request.getHeader("Authorization");
        String apiKey = request.getHeader(API_KEY_HEADER);
        Optional<SecuritySettings.Client> client;
        if (apiKey != null) {
            client = clients.byKey(apiKey.trim());
        } else if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            client = clients.byKey(authorization.substring(7).trim());
        } else if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            client = basic(authorization.substring(6).trim());
        } else {
            chain.doFilter(request, response);
            return;
        }
        if (client.isEmpty()) {
            SecurityContextHolder.clearContext();
            entryPoint.commence(request, response, new BadCredentialsException("unknown API key"));
            return;
        }
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new ApiClientAuthentication(client.get()));
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private Optional<SecuritySettings.Client> basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : clients.byNameAndKey(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
