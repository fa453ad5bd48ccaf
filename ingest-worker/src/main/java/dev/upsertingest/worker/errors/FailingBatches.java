package dev.upsertingest.worker.errors;

import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Which consumer threads are stuck on a failing batch, since when and why. A failed batch is retried until it
 * succeeds, and while it is, its thread consumes none of its partitions: harmless for a moment (a timeout, a broker
 * restart), but a batch that keeps failing stops those partitions for good, while Kafka's own lag metric (measured
 * from the fetch position, not the committed offset) reads 0. So the worker reports it: the gauge
 * {@code ingest.batch.failing} says how long the current batch has been failing, and readiness goes down once that
 * is longer than {@code ingest.errors.stuck-after}.
 *
 * <p>Each consumer thread records its own attempts ({@link #failed}, {@link #succeeded}); readers may be any thread.
 */
public class FailingBatches {

    private static final int MAX_ERROR_LENGTH = 300;

    /**
     * The batch a consumer thread keeps failing on.
     *
     * @param thread     the consumer thread
     * @param sinceNanos when its first attempt failed ({@link System#nanoTime()})
     * @param attempts   failed attempts so far
     * @param lastError  the last attempt's exception, first line only (no document contents)
     * @param partitions the partitions the batch holds back
     * @param stuck      whether an attempt already found it failing for longer than {@code stuck-after}
     */
    public record Failing(String thread, long sinceNanos, int attempts, String lastError, Set<TopicPartition> partitions,
                          boolean stuck) {
    }

    /**
     * One failed attempt, for the log.
     *
     * @param batch       the failing batch after this attempt
     * @param becameStuck this attempt is the first to find it failing for longer than {@code stuck-after}
     */
    public record Attempt(Failing batch, boolean becameStuck) {
    }

    private final Duration stuckAfter;
    private final LongSupplier nanoTime;
    private final Map<Thread, Failing> failing = new ConcurrentHashMap<>();

    public FailingBatches(Duration stuckAfter, LongSupplier nanoTime) {
        this.stuckAfter = stuckAfter;
        this.nanoTime = nanoTime;
    }

    public Duration stuckAfter() {
        return stuckAfter;
    }

    /** The current thread's batch attempt failed. */
    public Attempt failed(Throwable cause, Collection<TopicPartition> partitions) {
        String error = describe(cause);
        long now = nanoTime.getAsLong();
        Failing previous = failing.get(Thread.currentThread());
        long since = previous == null ? now : previous.sinceNanos();
        boolean stuckNow = now - since > stuckAfter.toNanos();
        Failing current = new Failing(Thread.currentThread().getName(), since, previous == null ? 1 : previous.attempts() + 1,
                error, Set.copyOf(partitions), stuckNow || previous != null && previous.stuck());
        failing.put(Thread.currentThread(), current);
        return new Attempt(current, stuckNow && (previous == null || !previous.stuck()));
    }

    /** The current thread's batch went through; returns what it had been failing with, if it had. */
    public Optional<Failing> succeeded() {
        return failing.isEmpty() ? Optional.empty() : Optional.ofNullable(failing.remove(Thread.currentThread()));
    }

    /**
     * After a rebalance, with the current thread's whole assignment: a failing batch of partitions the thread no longer
     * has is not its problem any more (another consumer takes them over, and reports for itself). A batch whose
     * partitions stayed is polled and retried again, and keeps its failing time.
     */
    public void assigned(Collection<TopicPartition> assignment) {
        Failing current = failing.get(Thread.currentThread());
        if (current != null && current.partitions().stream().noneMatch(assignment::contains)) {
            failing.remove(Thread.currentThread());
        }
    }

    /** The consumers stopped: no batch is being retried. */
    public void clear() {
        failing.clear();
    }

    /** The batch failing the longest, if any. */
    public Optional<Failing> longest() {
        return failing.values().stream().min(Comparator.comparingLong(Failing::sinceNanos));
    }

    /** How long the longest-failing batch has been failing; 0 when every batch goes through. */
    public Duration failingFor() {
        return longest().map(this::failingFor).orElse(Duration.ZERO);
    }

    public Duration failingFor(Failing batch) {
        return Duration.ofNanos(Math.max(0, nanoTime.getAsLong() - batch.sinceNanos()));
    }

    /** The longest-failing batch, if it has been failing for longer than {@code stuck-after}. */
    public Optional<Failing> stuck() {
        return longest().filter(batch -> failingFor(batch).compareTo(stuckAfter) > 0);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage() == null ? "" : cause.getMessage().strip();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline).strip();
        String described = cause.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
        return described.length() <= MAX_ERROR_LENGTH ? described : described.substring(0, MAX_ERROR_LENGTH) + "...";
    }
}
