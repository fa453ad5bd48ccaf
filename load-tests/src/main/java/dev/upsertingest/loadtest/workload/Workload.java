package dev.upsertingest.loadtest.workload;

import dev.upsertingest.loadtest.Options;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A reproducible sequence of order events: {@code events} documents of about {@code docSize} bytes whose keys are
 * drawn from {@code keySpace} keys by {@code distribution}. Two generators of the same workload yield the same events in
 * the same order, which is how a pipeline run and its ceiling write exactly the same events without holding them all.
 */
public record Workload(long events, long keySpace, String distribution, int docSize, DocumentGenerator.Shape docShape,
                       long seed, long keyOffset) {

    /**
     * Documents of about this many bytes in all make a warm-up: enough for the worker's JIT compilation to settle.
     * Measured: after 500,000 events of 440 bytes the worker still spent 5.5 us of CPU per event (its compiler threads
     * busy), after 2,000,000 it spent 3.4.
     */
    private static final long WARMUP_BYTES = 880_000_000;

    public Workload(long events, long keySpace, String distribution, int docSize, long seed) {
        this(events, keySpace, distribution, docSize, DocumentGenerator.Shape.TEXT, seed, 0);
    }

    public Workload {
        if (events < 1) {
            throw new IllegalArgumentException("--events must be at least 1");
        }
        if (docSize < 200) {
            throw new IllegalArgumentException("--doc-size must be at least 200 bytes (the fields alone take ~190)");
        }
        KeyDistribution.parse(distribution, Math.min(keySpace, 10), seed); // fails early on a bad spec
    }

    /** The usage lines of the options {@link #from} reads, with the given defaults. */
    public static String usage(long events, long keySpace, String distribution, int docSize) {
        return """
                --events=%d%s events in the backlog (the same events feed the ceiling)
                --key-space=%d%s distinct keys the events are drawn from
                --key-distribution=%s%s uniform | zipf:<exponent> | sequential (each key once, then again)
                --doc-size=%d%s bytes per document
                --doc-shape=text             what fills a document after its ten fields: text (one long string) |
                                             lines (an array of small order-line objects: many tokens per byte)"""
                .formatted(events, pad("--events=" + events), keySpace, pad("--key-space=" + keySpace),
                        distribution, pad("--key-distribution=" + distribution), docSize, pad("--doc-size=" + docSize));
    }

    private static String pad(String option) {
        return " ".repeat(Math.max(0, 28 - option.length()));
    }

    public static Workload from(Options options, long events, long keySpace, String distribution, int docSize) {
        return new Workload(options.number("events", events), options.number("key-space", keySpace),
                options.string("key-distribution", distribution), (int) options.number("doc-size", docSize),
                DocumentGenerator.Shape.parse(options.string("doc-shape", "text")), 42, 0);
    }

    public Workload withDistribution(String other) {
        return new Workload(events, keySpace, other, docSize, docShape, seed, keyOffset);
    }

    public Workload withEvents(long other) {
        return new Workload(other, keySpace, distribution, docSize, docShape, seed, keyOffset);
    }

    /**
     * {@code warmupEvents} events (each a key of its own, none of this workload's keys) that go before this workload,
     * so that what is measured runs warm, as a worker that has been up for a while does.
     */
    public Workload warmup(long warmupEvents) {
        return new Workload(warmupEvents, warmupEvents, "sequential", docSize, docShape, seed + 7, keyOffset + keySpace);
    }

    /** The default warm-up: about {@value #WARMUP_BYTES} bytes of documents (2,000,000 of ~440 bytes). */
    public long defaultWarmupEvents() {
        return Math.max(1_000, WARMUP_BYTES / docSize);
    }

    public Generator generator() {
        return new Generator(KeyDistribution.parse(distribution, keySpace, seed), new DocumentGenerator(docSize, docShape, seed + 1), keyOffset);
    }

    public Map<String, Object> parameters() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("events", events);
        p.put("key_space", keySpace);
        p.put("key_distribution", distribution);
        p.put("doc_size", docSize);
        p.put("doc_shape", docShape.name().toLowerCase(java.util.Locale.ROOT));
        return p;
    }

    public String describe() {
        return String.format("%,d events over %,d keys (%s), ~%,d bytes each%s", events, keySpace, distribution, docSize,
                docShape == DocumentGenerator.Shape.TEXT ? "" : " (" + docShape.name().toLowerCase(java.util.Locale.ROOT) + " shape)");
    }

    /** One event as it goes to Kafka: the record key (the order id) and the document. */
    public record Event(String key, byte[] document) {
    }

    /** The workload's events in order. Not thread-safe. */
    public static final class Generator {
        private final KeyDistribution keys;
        private final DocumentGenerator documents;
        private final long keyOffset;

        private Generator(KeyDistribution keys, DocumentGenerator documents, long keyOffset) {
            this.keys = keys;
            this.documents = documents;
            this.keyOffset = keyOffset;
        }

        public Event next() {
            return next(-1);
        }

        /** The next event, stamped with when it is (meant to be) produced; unstamped when that is negative. */
        public Event next(long producedAtMicros) {
            long key = keys.next() + keyOffset;
            return new Event(DocumentGenerator.key(key), documents.next(key, producedAtMicros));
        }
    }
}
