package dev.upsertingest.worker.consume;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * How many batch transactions run at once: {@code ingest.consumer.writers}, fewer than the consumer threads.
 *
 * <p>A consumer thread spends part of each batch outside its transaction: polling Kafka, scanning and grouping the
 * documents, committing offsets. With one thread per connection PostgreSQL idles on that connection meanwhile. With
 * more consumer threads than slots, a thread prepares its next batch while others write, and takes a slot the moment
 * one frees, so PostgreSQL always has {@code writers} transactions to work on while the worker keeps no more than that
 * many connections busy. Nothing else changes: each partition still belongs to one consumer thread, which polls,
 * writes, and commits its offsets after the transaction, in that order, so order per key, offsets committed only
 * after the transaction and the dead letters, and replay after a crash hold exactly as with one slot per thread.
 *
 * <p>Slots are granted in arrival order (a fair semaphore), so no consumer thread's partitions wait behind others
 * for long. Thread-safe.
 */
public final class WriterSlots {

    /** Work done while holding a slot: one batch transaction. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private final int slots;
    private final Semaphore semaphore;
    private final LongSupplier nanoTime;
    private final AtomicInteger waiting = new AtomicInteger();

    public WriterSlots(int slots, LongSupplier nanoTime) {
        if (slots < 1) {
            throw new IllegalArgumentException("at least one writer slot is needed, got " + slots);
        }
        this.slots = slots;
        this.semaphore = new Semaphore(slots, true);
        this.nanoTime = nanoTime;
    }

    /**
     * Runs {@code work} in a slot, waiting for one first; the slot is released however the work ends. The time spent
     * waiting is added to {@code waited}, for the batch's {@code writer_wait} phase.
     *
     * @throws WriterSlotInterruptedException when the thread is interrupted while waiting (the work did not run)
     */
    public <T, E extends Exception> T run(Work<T, E> work, Waited waited) throws E {
        long start = nanoTime.getAsLong();
        waiting.incrementAndGet();
        try {
            semaphore.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WriterSlotInterruptedException();
        } finally {
            waiting.decrementAndGet();
            waited.nanos += nanoTime.getAsLong() - start;
        }
        try {
            return work.run();
        } finally {
            semaphore.release();
        }
    }

    /** The number of slots: the most batch transactions that run at once. */
    public int slots() {
        return slots;
    }

    /** Slots held now: batch transactions running. */
    public int busy() {
        return slots - semaphore.availablePermits();
    }

    /** Consumer threads holding a prepared batch and waiting for a slot now. */
    public int waiting() {
        return waiting.get();
    }

    /** Time one batch spent waiting for slots (a batch split on a data error takes a slot per transaction). */
    public static final class Waited {
        private long nanos;

        public long nanos() {
            return nanos;
        }
    }

    /** Thrown when a consumer thread is interrupted (stopping) while waiting for a slot; the batch is not written. */
    public static final class WriterSlotInterruptedException extends RuntimeException {
        WriterSlotInterruptedException() {
            super("interrupted while waiting for a writer slot; the batch was not written");
        }
    }
}
