package dev.upsertingest.api.security;

import dev.upsertingest.api.errors.Problems;
import dev.upsertingest.api.metrics.ApiMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;

/**
 * One Resilience4j rate limiter per authenticated client: a client over its budget gets 429 with {@code Retry-After}
 * at once (no waiting, so a flood cannot tie up request threads), and other clients are not affected.
 */
public final class RateLimitFilter extends OncePerRequestFilter {

    private final RateLimiterRegistry limiters = RateLimiterRegistry.ofDefaults();
    private final SecuritySettings settings;
    private final Problems problems;
    private final ApiMetrics metrics;

    public RateLimitFilter(SecuritySettings settings, Problems problems, ApiMetrics metrics) {
        this.settings = settings;
        this.problems = problems;
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!(SecurityContextHolder.getContext().getAuthentication() instanceof ApiClientAuthentication authentication)) {
            chain.doFilter(request, response);
            return;
        }
        SecuritySettings.Client client = authentication.client();
        RateLimiter limiter = limiters.rateLimiter(client.name(), () -> RateLimiterConfig.custom()
                .limitForPeriod(client.requestsPerSecond() > 0 ? client.requestsPerSecond() : settings.requestsPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
        if (!limiter.acquirePermission()) {
            metrics.rateLimited(client.name());
            response.setHeader("Retry-After", "1");
            problems.write(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                    "Too many requests", "Client " + client.name() + " is over its limit of requests per second; retry after 1 s.");
            return;
        }
        chain.doFilter(request, response);
    }
}
