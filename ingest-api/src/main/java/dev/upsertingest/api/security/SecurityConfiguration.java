package dev.upsertingest.api.security;

import dev.upsertingest.api.errors.Problems;
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

/**
 * Every endpoint needs an API key except health (probes must work without one). Publishing, querying and operating
 * are separate permissions; failures are problem details (401 with {@code WWW-Authenticate}, 403).
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    Problems problems() {
        return new Problems();
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
                        .requestMatchers(HttpMethod.POST, "/api/v1/streams/*/events").hasAuthority(Permission.PUBLISH.authority())
                        .requestMatchers(HttpMethod.GET, "/api/v1/views", "/api/v1/views/**").hasAuthority(Permission.QUERY.authority())
                        .requestMatchers("/actuator/**").hasAuthority(Permission.OPERATE.authority())
                        .anyRequest().authenticated())
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(accessDenied))
                .build();
    }

    private static String requiredPermission(String method, String uri) {
        if (uri.startsWith("/api/v1/streams/")) {
            return Permission.PUBLISH.configName();
        }
        if (uri.startsWith("/api/v1/views")) {
            return Permission.QUERY.configName();
        }
        return uri.startsWith("/actuator") ? Permission.OPERATE.configName() : "(any)";
    }
}
