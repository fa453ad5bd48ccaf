package dev.upsertingest.loadtest;

import java.time.Duration;
import java.time.Instant;

/** Progress lines on stderr, so stdout keeps only the summary. */
public final class Progress {

    private final Instant started = Instant.now();

    /** When the run began. */
    public Instant started() {
        return started;
    }

    public void say(String format, Object... args) {
        Duration elapsed = Duration.between(started, Instant.now());
        System.err.printf("[%02d:%02d] %s%n", elapsed.toMinutes(), elapsed.toSecondsPart(), String.format(format, args));
    }
}
