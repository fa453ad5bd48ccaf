package dev.upsertingest.loadtest.workload;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Order-like JSON events of about a target size, with ten fields of mixed types (the shape the design's figures were
 * measured with: ~440 bytes, ~10 fields), brought to the size by a {@link Shape}. The key is {@code order_id};
 * {@code version} increases per event.
 */
public final class DocumentGenerator {

    /** What fills a document up to its size after the ten fields. */
    public enum Shape {
        /** one long text field, {@code note}: few tokens per byte (the default) */
        TEXT,
        /** an array {@code lines} of small objects ({@code sku}, {@code qty}, {@code price}): many tokens per byte */
        LINES;

        public static Shape parse(String name) {
            try {
                return valueOf(name.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--doc-shape must be text or lines, got '" + name + "'");
            }
        }
    }

    private static final String[] STATUSES = {"created", "paid", "packed", "shipped", "delivered", "returned"};
    private static final String[] REGIONS = {"eu-west", "eu-central", "us-east", "us-west", "ap-south"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "JPY"};
    private static final String FILLER = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
            + "incididunt ut labore et dolore magna aliqua Ut enim ad minim veniam quis nostrud exercitation ullamco ";

    private final int targetBytes;
    private final Shape shape;
    private final SplittableRandom random;
    private final long baseMillis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private long version;

    public DocumentGenerator(int targetBytes, long seed) {
        this(targetBytes, Shape.TEXT, seed);
    }

    public DocumentGenerator(int targetBytes, Shape shape, long seed) {
        this.targetBytes = targetBytes;
        this.shape = shape;
        this.random = new SplittableRandom(seed);
    }

    public static String key(long keyIndex) {
        return "o-" + keyIndex;
    }

    public byte[] next(long keyIndex) {
        return next(keyIndex, -1);
    }

    /**
     * As {@link #next(long)}, with {@code "produced_at": producedAtMicros} (epoch microseconds) as the second field
     * when it is not negative: the end-to-end latency of an event is measured from it. The stamp draws nothing from
     * the random source, so a stamped sequence has the same keys and values as an unstamped one of the same seed.
     */
    public byte[] next(long keyIndex, long producedAtMicros) {
        long created = baseMillis + random.nextLong(300L * 24 * 3600 * 1000);
        StringBuilder json = new StringBuilder(targetBytes + 64)
                .append("{\"order_id\":\"").append(key(keyIndex)).append('"');
        if (producedAtMicros >= 0) {
            json.append(",\"produced_at\":").append(producedAtMicros);
        }
        json.append(",\"customer_id\":").append(random.nextInt(1, 5_000_000))
                .append(",\"status\":\"").append(STATUSES[random.nextInt(STATUSES.length)])
                .append("\",\"total\":").append(random.nextInt(100, 1_000_000) / 100.0)
                .append(",\"currency\":\"").append(CURRENCIES[random.nextInt(CURRENCIES.length)])
                .append("\",\"items\":").append(random.nextInt(1, 20))
                .append(",\"region\":\"").append(REGIONS[random.nextInt(REGIONS.length)])
                .append("\",\"created_at\":\"").append(Instant.ofEpochMilli(created))
                .append("\",\"updated_at\":\"").append(Instant.ofEpochMilli(created + random.nextLong(86_400_000)))
                .append("\",\"version\":").append(++version);
        if (shape == Shape.LINES) {
            json.append(",\"lines\":[");
            int budget = targetBytes - 2; // the closing "]}"
            for (int line = 0; line == 0 || json.length() + 44 <= budget; line++) {
                json.append(line == 0 ? "" : ",").append("{\"sku\":\"SKU-").append(random.nextInt(100_000, 1_000_000))
                        .append("\",\"qty\":").append(random.nextInt(1, 10))
                        .append(",\"price\":").append(random.nextInt(100, 100_000) / 100.0).append('}');
            }
            return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        }
        json.append(",\"note\":\"");
        int pad = Math.max(0, targetBytes - json.length() - 2);
        int offset = random.nextInt(FILLER.length());
        for (int i = 0; i < pad; i++) {
            json.append(FILLER.charAt((offset + i) % FILLER.length()));
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
