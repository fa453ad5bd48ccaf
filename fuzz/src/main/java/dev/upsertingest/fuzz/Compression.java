package dev.upsertingest.fuzz;

import java.util.Locale;

/** The producer compressions the Kafka door sends with (snappy is left out: it needs a native library). */
public enum Compression {
    NONE, GZIP, LZ4, ZSTD;

    /** The {@code compression.type} value. */
    public String kafkaName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
