package dev.upsertingest.loadtest.infra;

import com.zaxxer.hikari.HikariDataSource;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.loadtest.Progress;
import dev.upsertingest.loadtest.workload.BenchEvents;
import dev.upsertingest.loadtest.workload.Workload;
import dev.upsertingest.worker.write.TableBatch;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import dev.upsertingest.worker.write.WriteMethod;
import dev.upsertingest.worker.write.WriteSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ceiling: events written straight into a stream table by the worker's own write path ({@link UpsertBatchWriter}
 * with the worker's default method, {@code unnest}), no Kafka and no parsing in the timed part. Like the worker's
 * consumer threads, {@code writers} threads each own a share of the keys (so two never update the same row at once)
 * and write batches of {@code batchSize} events, one transaction each, on their own connection.
 */
public final class DirectWriter implements AutoCloseable {

    /** Events parsed and held at a time: bounds memory whatever the workload's size. */
    private static final int CHUNK = 200_000;

    private final StreamDefinition stream;
    private final int writers;
    private final int batchSize;
    private final HikariDataSource pool;
    private final UpsertBatchWriter writer;
    private final ExecutorService threads;

    public DirectWriter(BenchDatabase database, StreamDefinition stream, int writers, int batchSize,
                        WriteSettings.SynchronousCommit synchronousCommit) {
        this.stream = stream;
        this.writers = writers;
        this.batchSize = batchSize;
        this.pool = database.pool("direct-writer", writers);
        this.writer = new UpsertBatchWriter(pool, new WriteSettings(WriteMethod.UNNEST, synchronousCommit, synchronousCommit, Duration.ofMinutes(10)),
                BenchEvents.PARSER::toJson);
        this.threads = Executors.newFixedThreadPool(writers);
    }

    /** Parses a workload's events the way the worker does (untimed) and writes them; returns the seconds spent writing. */
    public double write(Workload workload, Progress progress) throws Exception {
        Workload.Generator events = workload.generator();
        double seconds = 0;
        long written = 0;
        while (written < workload.events()) {
            int chunk = (int) Math.min(CHUNK, workload.events() - written);
            List<ParsedEvent.Upsert> upserts = new ArrayList<>(chunk);
            for (int i = 0; i < chunk; i++) {
                ParsedEvent event = BenchEvents.PARSER.parse(stream, null, events.next().document());
                if (!(event instanceof ParsedEvent.Upsert upsert)) {
                    throw new IllegalStateException("the generator made an event the worker rejects: " + event);
                }
                upserts.add(upsert);
            }
            seconds += write(upserts);
            written += chunk;
            progress.say("  ceiling: %,d events written, %,.0f events/s so far", written, written / seconds);
        }
        return seconds;
    }

    /** Writes parsed events, each writer thread its share of the keys in order; returns the elapsed seconds. */
    public double write(List<ParsedEvent.Upsert> upserts) throws Exception {
        List<List<ParsedEvent.Upsert>> shares = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            shares.add(new ArrayList<>(upserts.size() / writers + 16));
        }
        for (ParsedEvent.Upsert upsert : upserts) {
            shares.get(Math.floorMod(upsert.key().hashCode(), writers)).add(upsert);
        }
        List<List<TableBatch>> batches = shares.stream().map(share -> BenchEvents.batches(stream, share, batchSize)).toList();
        long start = System.nanoTime();
        List<Future<Double>> running = new ArrayList<>();
        for (List<TableBatch> share : batches) {
            running.add(threads.submit(() -> BenchEvents.write(writer, share)));
        }
        for (Future<Double> future : running) {
            future.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void close() {
        threads.shutdownNow();
        pool.close();
    }
}
