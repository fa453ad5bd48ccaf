package dev.upsertingest.local;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The environment variables {@code bin/ingest local} hands on to the worker and the API (their processes inherit
 * them), and the two cases where Spring Boot would not use them as a user expects: a property the launcher also passes
 * on the command line (the command line wins), and the API client list (a list comes from one source, so variables
 * would replace the clients of {@code api-clients.yml}). Neither is let pass silently.
 */
final class LaunchEnvironment {

    static final String CLIENTS_PREFIX = "INGEST_API_SECURITY_CLIENTS";

    private LaunchEnvironment() {
    }

    /** Why the launcher must not start with these variables, or empty. */
    static Optional<String> clientListProblem(Map<String, String> environment, String clientsFile) {
        List<String> names = environment.keySet().stream()
                .filter(name -> name.toUpperCase(Locale.ROOT).startsWith(CLIENTS_PREFIX)).sorted().toList();
        if (names.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("""
                %s set in the environment. bin/ingest local takes the API clients from %s (where the local client is); \
                an environment variable would replace that whole list (Spring Boot binds a list from one source), \
                the local client included. Add your clients to that file and unset %s_*."""
                .formatted(String.join(", ", names) + (names.size() == 1 ? " is" : " are"), clientsFile, CLIENTS_PREFIX));
    }

    /** The variables in {@code environment} that would set one of {@code commandLineProperties}, which outrank them. */
    static List<String> overriddenByCommandLine(Map<String, String> environment, Collection<String> commandLineProperties) {
        Set<String> names = new LinkedHashSet<>();
        for (String property : commandLineProperties) {
            for (String candidate : variableNames(property)) {
                if (environment.containsKey(candidate)) {
                    names.add(candidate);
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * The names Spring Boot reads a property from: {@code spring.datasource.url} from {@code SPRING_DATASOURCE_URL};
     * dashes are dropped ({@code ingest.topics.replication-factor} from {@code INGEST_TOPICS_REPLICATIONFACTOR}) or, in
     * the older form it also accepts, made underscores.
     */
    static Set<String> variableNames(String property) {
        String indexed = property.replace('[', '_').replace("]", "").replace('.', '_').toUpperCase(Locale.ROOT);
        Set<String> names = new LinkedHashSet<>();
        names.add(indexed.replace("-", ""));
        names.add(indexed.replace('-', '_'));
        return names;
    }
}
