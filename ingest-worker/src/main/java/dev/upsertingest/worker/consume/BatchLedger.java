package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.worker.write.TableWriteResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The accounts of one consumed batch: per stream, how many records were consumed and what became of each
 * ({@link EventOutcome}). Filled in once the batch has succeeded (dead letters acknowledged, transaction committed),
 * so a batch that fails and is retried is counted once, by the attempt that succeeded.
 *
 * <p>Conservation, {@code consumed = applied + dead_lettered + ignored} per stream, holds by construction: every
 * record is either rejected (a dead letter) or handed to exactly one successful table write, and a table write
 * accounts for each of its events once ({@link TableWriteResult#isBalanced()}). {@link #imbalances()} checks it, so
 * that a bug that breaks it is reported instead of silently skewing the counts.
 *
 * <p>Not thread-safe: one per batch, on the consumer thread.
 */
public final class BatchLedger {

    /** One stream's accounts in the batch. */
    public static final class Tally {
        private int consumed;
        private final Map<EventOutcome, Long> outcomes = new LinkedHashMap<>();

        public int consumed() {
            return consumed;
        }

        /** Events by outcome; outcomes with no event are left out. */
        public Map<EventOutcome, Long> outcomes() {
            return outcomes;
        }

        public long count(EventOutcome.Outcome outcome) {
            return outcomes.entrySet().stream().filter(e -> e.getKey().outcome() == outcome)
                    .mapToLong(Map.Entry::getValue).sum();
        }

        public long accounted() {
            return outcomes.values().stream().mapToLong(Long::longValue).sum();
        }

        private void add(EventOutcome outcome, long events) {
            if (events != 0) {
                outcomes.merge(outcome, events, Long::sum);
            }
        }

        @Override
        public String toString() {
            return "consumed " + consumed + ", accounted " + accounted() + " " + outcomes;
        }
    }

    /** A stream whose accounts do not add up, and how. */
    public record Imbalance(String stream, String problem) {
    }

    private final Map<String, Tally> streams = new LinkedHashMap<>();
    private final List<Imbalance> problems = new ArrayList<>();

    public void consumed(String stream) {
        tally(stream).consumed++;
    }

    public void deadLettered(String stream, RejectReason reason) {
        tally(stream).add(EventOutcome.deadLettered(reason), 1);
    }

    /** One successful table write (a batch split on a data error writes a stream's events in several). */
    public void written(TableWriteResult result) {
        if (!result.isBalanced()) {
            problems.add(new Imbalance(result.stream(), "the table write does not account for its events: " + result));
        }
        Tally tally = tally(result.stream());
        if (result.changed() < 0) {
            tally.add(EventOutcome.UNVERIFIED, result.upserts());
        } else {
            tally.add(EventOutcome.CHANGED, result.changed());
            tally.add(EventOutcome.UNCHANGED, result.unchanged());
        }
        tally.add(EventOutcome.DELETED, result.tombstones());
        tally.add(EventOutcome.SUPERSEDED, result.superseded());
        tally.add(EventOutcome.MERGED, result.merged());
        tally.add(EventOutcome.STALE_VERSION, result.stale());
    }

    public Map<String, Tally> tallies() {
        return streams;
    }

    /** Why the accounts do not add up, one entry per problem; empty when every record is accounted for once. */
    public List<Imbalance> imbalances() {
        List<Imbalance> all = new ArrayList<>(problems);
        streams.forEach((stream, tally) -> {
            if (tally.accounted() != tally.consumed()) {
                all.add(new Imbalance(stream, tally.toString()));
            }
            tally.outcomes().forEach((outcome, events) -> {
                if (events < 0) {
                    all.add(new Imbalance(stream, "a negative count of " + outcome + ": " + events));
                }
            });
        });
        return all;
    }

    private Tally tally(String stream) {
        return streams.computeIfAbsent(stream, name -> new Tally());
    }
}
