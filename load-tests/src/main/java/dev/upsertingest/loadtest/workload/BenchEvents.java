package dev.upsertingest.loadtest.workload;

import dev.upsertingest.core.event.EventLimits;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.write.TableBatch;
import dev.upsertingest.worker.write.UpsertBatchWriter;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Generated events for a stream, parsed by the worker's own rules, and written by the worker's own write path. */
public final class BenchEvents {

    public static final EventParser PARSER = new EventParser(EventLimits.defaults());

    private BenchEvents() {
    }

    /**
     * Generates and parses {@code count} order events; the document trees are dropped (replace mode writes the text),
     * which keeps a few hundred thousand events in a small heap.
     */
    public static List<ParsedEvent.Upsert> generate(StreamDefinition stream, int count, LongSupplier keys, int docSize, long seed) {
        DocumentGenerator documents = new DocumentGenerator(docSize, seed);
        List<ParsedEvent.Upsert> upserts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ParsedEvent event = PARSER.parse(stream, null, documents.next(keys.getAsLong()));
            if (!(event instanceof ParsedEvent.Upsert upsert)) {
                throw new IllegalStateException("the generator made an event the worker rejects: " + event);
            }
            upserts.add(new ParsedEvent.Upsert(upsert.key(), null, upsert.json(), upsert.version()));
        }
        return upserts;
    }

    /** Cuts events into consumed-batch-sized table batches, collapsed as the worker collapses them. */
    public static List<TableBatch> batches(StreamDefinition stream, List<ParsedEvent.Upsert> upserts, int size) {
        List<TableBatch> batches = new ArrayList<>();
        for (int from = 0; from < upserts.size(); from += size) {
            TableBatch batch = TableBatch.forStream(stream);
            List<ParsedEvent.Upsert> chunk = upserts.subList(from, Math.min(upserts.size(), from + size));
            for (int i = 0; i < chunk.size(); i++) {
                batch.add(chunk.get(i), i);
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Loads keys 0..rows-1 into the stream table, 100,000 at a time; returns the seconds spent writing. */
    public static double load(UpsertBatchWriter writer, StreamDefinition stream, int rows, int docSize, int batchSize,
                              dev.upsertingest.loadtest.Progress progress) throws SQLException {
        progress.say("loading %,d rows", rows);
        java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
        double seconds = 0;
        for (int loaded = 0; loaded < rows; loaded += 100_000) {
            int chunk = Math.min(100_000, rows - loaded);
            seconds += write(writer, batches(stream, generate(stream, chunk, next::getAndIncrement, docSize, loaded), batchSize));
            progress.say("  %,d rows", loaded + chunk);
        }
        return seconds;
    }

    /** Writes the batches one transaction each; returns the elapsed seconds. */
    public static double write(UpsertBatchWriter writer, List<TableBatch> batches) throws SQLException {
        long start = System.nanoTime();
        for (TableBatch batch : batches) {
            writer.write(List.of(batch));
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
