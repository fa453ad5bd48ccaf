package dev.upsertingest.api.security;

import dev.upsertingest.api.errors.Problems;
import dev.upsertingest.api.errors.RejectedRequests;
import dev.upsertingest.api.metrics.ApiMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

import java.util.List;

/**
 * Every endpoint needs an API key except health (probes must work without one). Publishing, querying, operating
 * (metrics) and administering (/api/v1/admin) are separate permissions; failures are problem details (401 with {@code WWW-Authenticate}, 403).
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    Problems problems() {
        return new Problems();
    }

    /**
     * Spring Security's strict firewall, with the encoded characters a row key may hold let through in paths
     * ({@code GET /api/v1/views/{view}/rows/{key}}): {@code %2F}, {@code %5C} and {@code %25} (Tomcat passes the
     * first two through undecoded, see {@code HttpConfiguration}), an encoded {@code ;} and an encoded line feed.
     * That is safe here because the authorization rules and Spring MVC both match paths with {@code PathPattern} on
     * the raw request URI, decoding each segment once: an encoded slash stays inside its segment for both. What stays
     * refused: raw {@code ;} (path parameters), {@code //}, {@code .} and {@code ..} segments, encoded periods, NUL,
     * carriage returns, line and paragraph separators. Keys with those go in the query ({@code .../row?key=}).
     */
    @Bean
    HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowUrlEncodedSlash(true);
        firewall.setAllowUrlEncodedPercent(true); // also the '%' a passed-through %2F or %5C leaves in the decoded path
        firewall.setAllowBackSlash(true); // only ever encoded: Tomcat refuses a raw backslash
        firewall.getEncodedUrlBlocklist().removeAll(List.of("%2f%2f", "%2f%2F", "%2F%2f", "%2F%2F"));
        firewall.getEncodedUrlBlocklist().removeAll(List.of("%3b", "%3B"));
        firewall.getDecodedUrlBlocklist().remove(";"); // what an encoded one decodes to; a raw ';' is still refused
        firewall.getEncodedUrlBlocklist().removeAll(List.of("%0a", "%0A"));
        firewall.getDecodedUrlBlocklist().remove("\n");
        return firewall;
    }

    /** The firewall's refusals as problem details (picked up by Spring Security's {@code WebSecurity}). */
    @Bean
    RequestRejectedHandler problemRequestRejectedHandler(Problems problems) {
        return RejectedRequests.handler(problems);
    }

    @Bean
    ApiClients apiClients(SecuritySettings settings) {
        ApiClients clients = new ApiClients(settings);
        if (clients.isEmpty()) {
            log.warn("No API clients are configured (ingest.api.security.clients): every request but health gets 401");
        } else {
            log.info("API clients: {}", settings.clients());
        }
        return clients;
    }

    @Bean
    AuthenticationEntryPoint problemEntryPoint(Problems problems) {
        return (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Bearer, Basic realm=\"upsert-ingest\"");
            problems.write(response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required",
                    "Send a valid API key: 'Authorization: Bearer <key>', 'X-API-Key: <key>', or HTTP Basic with the client's name and key.");
        };
    }

    @Bean
    AccessDeniedHandler problemAccessDenied(Problems problems) {
        return (request, response, e) -> problems.write(response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
                "This API key does not have the permission " + requiredPermission(request.getMethod(), request.getRequestURI())
                        + " needed for " + request.getMethod() + " " + request.getRequestURI() + ".");
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiClients clients, AuthenticationEntryPoint entryPoint,
                                    AccessDeniedHandler accessDenied, SecuritySettings settings, Problems problems,
                                    ApiMetrics metrics) throws Exception {
        return http
                .csrf(csrf -> csrf.disable()) // no cookies, no sessions: every request carries its key
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .addFilterBefore(new ApiKeyAuthenticationFilter(clients, entryPoint), AnonymousAuthenticationFilter.class)
                .addFilterAfter(new RateLimitFilter(settings, problems, metrics), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        .requestMatchers("/error").permitAll()
                        .requestMatchers("/api/v1/admin", "/api/v1/admin/**").hasAuthority(Permission.ADMIN.authority())
                        .requestMatchers(HttpMethod.POST, "/api/v1/streams/*/events").hasAuthority(Permission.PUBLISH.authority())
                        .requestMatchers(HttpMethod.GET, "/api/v1/views", "/api/v1/views/**").hasAuthority(Permission.QUERY.authority())
                        .requestMatchers("/actuator/**").hasAuthority(Permission.OPERATE.authority())
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(accessDenied))
                .build();
    }

    private static String requiredPermission(String method, String uri) {
        if (uri.startsWith("/api/v1/admin")) {
            return Permission.ADMIN.configName();
        }
        if (uri.startsWith("/api/v1/streams/")) {
            return Permission.PUBLISH.configName();
        }
        if (uri.startsWith("/api/v1/views")) {
            return Permission.QUERY.configName();
        }
        return uri.startsWith("/actuator") ? Permission.OPERATE.configName() : "(any)";
    }
}
