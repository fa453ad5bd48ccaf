package dev.upsertingest.fuzz;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the doors sent and what was acknowledged, for the audit: per stream, the records the broker acknowledged to
 * the Kafka door (where they landed and what was expected of them), the events the API accepted (and the exact bytes
 * it must have published for those whose place in the body is known), and how much each door tried. Thread-safe.
 */
public final class Ledger {

    /** A record the broker acknowledged: enough to say what it was in a report and what the rules should answer. */
    public record Sent(long index, Mutation mutation, String form, Expectation expectation, long duplicateOf) {

        public String describe() {
            return "#" + index + " " + mutation + " (" + form + ")" + (duplicateOf >= 0 ? ", a duplicate of #" + duplicateOf : "");
        }
    }

    private final long seed;
    private final Map<Door, LongAdder> tried = new EnumMap<>(Door.class);
    private final LongAdder requests = new LongAdder();
    private final Map<Door, Map<Mutation, LongAdder>> mutations = new EnumMap<>(Door.class);
    private final Map<String, Map<Long, Sent>> acked = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> httpAccepted = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Deque<String>>> published = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    public Ledger(long seed) {
        this.seed = seed;
        for (Door door : Door.values()) {
            tried.put(door, new LongAdder());
            Map<Mutation, LongAdder> byMutation = new EnumMap<>(Mutation.class);
            for (Mutation mutation : Mutation.values()) {
                byMutation.put(mutation, new LongAdder());
            }
            mutations.put(door, byMutation);
        }
    }

    /** The seed of the run, which every report names so that what it found can be made again. */
    public long seed() {
        return seed;
    }

    public void tried(Door door, HostileEvent event) {
        tried.get(door).increment();
        mutations.get(door).get(event.mutation()).increment();
    }

    /** A request sent; its events count as tried once each (a body-level request counts one). */
    public void requested(HostileRequest request) {
        requests.increment();
        tried.get(Door.HTTP).add(request.eventsTried());
        if (request.elements() != null) {
            request.elements().forEach(e -> mutations.get(Door.HTTP).get(e.event().mutation()).increment());
        }
    }

    public void acknowledged(HostileEvent event, int partition, long offset) {
        acked.computeIfAbsent(event.stream().name(), s -> new ConcurrentHashMap<>())
                .put(coordinates(partition, offset), new Sent(event.index(), event.mutation(), event.form(), event.expectation(),
                        event.duplicateOf()));
    }

    /** The broker or the producer refused a record: it never reached the topic. */
    public void refused(HostileEvent event, Throwable cause) {
        refused.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
    }

    /** The API accepted {@code count} events of {@code stream}. */
    public void accepted(String stream, int count) {
        httpAccepted.computeIfAbsent(stream, s -> new LongAdder()).add(count);
    }

    /** The API accepted this event, whose bytes on the topic must be exactly {@code bytes}. */
    public void published(String stream, byte[] bytes, String what) {
        published.computeIfAbsent(stream, s -> new ConcurrentHashMap<>())
                .computeIfAbsent(digest(bytes), d -> new ArrayDeque<>()).add(what);
    }

    public long tried(Door door) {
        return tried.get(door).sum();
    }

    public long requests() {
        return requests.sum();
    }

    public Map<String, Long> mutationsTried(Door door) {
        Map<String, Long> counts = new LinkedHashMap<>();
        mutations.get(door).forEach((mutation, count) -> {
            if (count.sum() > 0) {
                counts.put(mutation.name().toLowerCase(java.util.Locale.ROOT), count.sum());
            }
        });
        return counts;
    }

    /** Records the Kafka door could not get onto the topic, by exception. */
    public Map<String, Long> refusedByKafka() {
        Map<String, Long> counts = new HashMap<>();
        refused.forEach((k, v) -> counts.put(k, v.sum()));
        return counts;
    }

    /** The records of {@code stream} the broker acknowledged to the Kafka door, by {@link #coordinates}. */
    public Map<Long, Sent> acknowledged(String stream) {
        return acked.getOrDefault(stream, Map.of());
    }

    public long acceptedOverHttp(String stream) {
        LongAdder count = httpAccepted.get(stream);
        return count == null ? 0 : count.sum();
    }

    /** Digests of the bytes the API must have published for {@code stream}, each with what it was; the audit takes them off. */
    public Map<String, Deque<String>> published(String stream) {
        return published.getOrDefault(stream, new HashMap<>());
    }

    public static long coordinates(int partition, long offset) {
        return ((long) partition << 40) | offset;
    }

    public static String digest(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
