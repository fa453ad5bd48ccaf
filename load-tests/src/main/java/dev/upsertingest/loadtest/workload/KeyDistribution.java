package dev.upsertingest.loadtest.workload;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws key indexes in {@code [0, keySpace)}: uniformly, Zipf-skewed (rank 1 hottest), or sequentially (0, 1, 2, ...
 * wrapping around, so {@code keySpace} events touch every key exactly once). Not thread-safe.
 */
public abstract sealed class KeyDistribution {

    protected final long keySpace;
    protected final SplittableRandom random;

    private KeyDistribution(long keySpace, long seed) {
        if (keySpace < 1) {
            throw new IllegalArgumentException("the key space must hold at least one key");
        }
        this.keySpace = keySpace;
        this.random = new SplittableRandom(seed);
    }

    /** {@code uniform}, {@code zipf:<exponent>} (e.g. {@code zipf:1.1}) or {@code sequential}. */
    public static KeyDistribution parse(String spec, long keySpace, long seed) {
        String s = spec.toLowerCase(Locale.ROOT).trim();
        if (s.equals("uniform")) {
            return new Uniform(keySpace, seed);
        }
        if (s.equals("sequential")) {
            return new Sequential(keySpace, seed);
        }
        if (s.startsWith("zipf")) {
            double exponent = s.contains(":") ? Double.parseDouble(s.substring(s.indexOf(':') + 1)) : 1.1;
            return new Zipf(keySpace, exponent, seed);
        }
        throw new IllegalArgumentException("key distribution must be 'uniform', 'zipf:<exponent>' or 'sequential', got '" + spec + "'");
    }

    public abstract long next();

    public abstract String describe();

    static final class Uniform extends KeyDistribution {
        Uniform(long keySpace, long seed) {
            super(keySpace, seed);
        }

        @Override
        public long next() {
            return random.nextLong(keySpace);
        }

        @Override
        public String describe() {
            return "uniform";
        }
    }

    static final class Sequential extends KeyDistribution {
        private long next;

        Sequential(long keySpace, long seed) {
            super(keySpace, seed);
        }

        @Override
        public long next() {
            return next++ % keySpace;
        }

        @Override
        public String describe() {
            return "sequential";
        }
    }

    /** Inverse-CDF sampling over a precomputed table: exact, and cheap enough for a few million keys. */
    static final class Zipf extends KeyDistribution {
        private final double exponent;
        private final double[] cumulative;

        Zipf(long keySpace, double exponent, long seed) {
            super(keySpace, seed);
            if (keySpace > 50_000_000) {
                throw new IllegalArgumentException("zipf keys are tabulated: use a key space of at most 50,000,000");
            }
            this.exponent = exponent;
            this.cumulative = new double[(int) keySpace];
            double sum = 0;
            for (int rank = 1; rank <= keySpace; rank++) {
                sum += 1.0 / Math.pow(rank, exponent);
                cumulative[rank - 1] = sum;
            }
            for (int i = 0; i < cumulative.length; i++) {
                cumulative[i] /= sum;
            }
        }

        @Override
        public long next() {
            int index = Arrays.binarySearch(cumulative, random.nextDouble());
            return index >= 0 ? index : Math.min(-index - 1, cumulative.length - 1);
        }

        @Override
        public String describe() {
            return "zipf:" + exponent;
        }
    }
}
