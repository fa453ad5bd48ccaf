package dev.upsertingest.worker.errors;

import java.sql.SQLException;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What to do when the database refuses a batch for its data (SQLState class 22 or 23: a value or constraint it
 * rejects, which the parser's checks cannot foresee): halve the batch and write each half on its own, in order, down
 * to the single events that fail. Only those are refused (and dead-lettered by the caller, with the database's
 * message); everything else lands. Halves written before a later half fails are redone when the whole batch is
 * retried, which the upserts make harmless. Any other failure is a {@link BatchWriteException}, so the batch is
 * retried whole.
 */
public final class DataErrorSplitter {

    /** One write of some of the batch's events, in one transaction. */
    @FunctionalInterface
    public interface Write<E> {
        void write(List<E> events) throws SQLException;
    }

    private DataErrorSplitter() {
    }

    /**
     * @param events  the events to write, in batch order
     * @param write   writes a run of them in one transaction
     * @param refused told of each single event the database refuses, with the reason to dead-letter it with
     * @param split   told of each run that had to be halved (for the metrics)
     */
    public static <E> void writeOrSplit(List<E> events, Write<E> write, BiConsumer<E, String> refused,
                                        Consumer<List<E>> split) {
        if (events.isEmpty()) {
            return;
        }
        try {
            write.write(events);
        } catch (SQLException e) {
            if (SqlFailure.classify(e) != SqlFailure.Kind.DATA) {
                throw new BatchWriteException("writing a batch of " + events.size() + " events failed: "
                        + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
            }
            if (events.size() == 1) {
                refused.accept(events.getFirst(), databaseReason(e));
                return;
            }
            split.accept(events);
            int half = events.size() / 2;
            writeOrSplit(events.subList(0, half), write, refused, split);
            writeOrSplit(events.subList(half, events.size()), write, refused, split);
        }
    }

    /** The database's message without its DETAIL line, which quotes the row (the dead letter carries the event). */
    static String databaseReason(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage().strip();
        int newline = message.indexOf('\n');
        String first = newline < 0 ? message : message.substring(0, newline).strip();
        return first + " (SQLState " + e.getSQLState() + ")";
    }
}
