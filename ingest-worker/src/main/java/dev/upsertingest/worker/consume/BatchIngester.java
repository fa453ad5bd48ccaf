package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.errors.DeadLetter;
import dev.upsertingest.worker.errors.DeadLetterPublisher;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.write.TableBatch;
import dev.upsertingest.worker.write.TableWriteResult;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * One consumed batch, start to finish: parse every record against its stream's rules, route rejects to the
 * dead-letter topic, collapse the rest per table, write them in one transaction, and make sure the dead letters were
 * acknowledged. It returns only when all of that is durable in the database and in Kafka, so the container may then
 * commit the offsets; if anything fails it throws and nothing of the batch counts as done.
 */
public class BatchIngester {

    private static final Logger log = LoggerFactory.getLogger(BatchIngester.class);

    private final StreamCatalog catalog;
    private final EventParser parser;
    private final UpsertBatchWriter writer;
    private final DeadLetterPublisher deadLetters;
    private final IngestMetrics metrics;

    public BatchIngester(StreamCatalog catalog, EventParser parser, UpsertBatchWriter writer,
                         DeadLetterPublisher deadLetters, IngestMetrics metrics) {
        this.catalog = catalog;
        this.parser = parser;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    public void ingest(List<ConsumerRecord<byte[], byte[]>> records) {
        long start = System.nanoTime();
        Map<String, TableBatch> tables = new LinkedHashMap<>();
        Map<String, Integer> consumed = new HashMap<>();
        List<DeadLetter> rejected = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            StreamDefinition stream = catalog.byTopic(record.topic()).orElseThrow(() ->
                    new IllegalStateException("consumed topic " + record.topic() + " belongs to no registered stream"));
            consumed.merge(stream.name(), 1, Integer::sum);
            switch (parser.parse(stream, record.key(), record.value())) {
                case ParsedEvent.Upsert upsert -> table(tables, stream).add(upsert, i);
                case ParsedEvent.Delete delete -> table(tables, stream).delete(delete.key(), i);
                case ParsedEvent.Rejected r -> rejected.add(new DeadLetter(record, stream, r.reason(), r.detail()));
            }
        }
        long parsed = System.nanoTime();

        CompletableFuture<Void> sending = deadLetters.publish(rejected);
        List<TableWriteResult> results;
        try {
            results = writer.write(tables.values());
        } catch (SQLException e) {
            throw new BatchWriteException("writing a batch of " + records.size() + " events failed: "
                    + e.getMessage() + " (SQLState " + e.getSQLState() + ")", e);
        }
        long written = System.nanoTime();
        deadLetters.await(sending);
        long done = System.nanoTime();

        consumed.forEach(metrics::consumed);
        results.forEach(metrics::written);
        rejected.forEach(letter -> metrics.deadLettered(letter.stream().name(), letter.reason()));
        metrics.batch(records.size(), parsed - start, written - parsed, done - written, done - start);
        if (!rejected.isEmpty()) {
            logRejected(rejected, records.size());
        }
        if (log.isDebugEnabled()) {
            log.debug("Batch of {} events written in {} ms: {}", records.size(), (done - start) / 1_000_000, results);
        }
    }

    private static TableBatch table(Map<String, TableBatch> tables, StreamDefinition stream) {
        return tables.computeIfAbsent(stream.name(), name -> TableBatch.forStream(stream));
    }

    /** One line per batch with counts by stream and reason; the details (never document contents) at debug. */
    private static void logRejected(List<DeadLetter> rejected, int batchSize) {
        Map<String, Integer> counts = new TreeMap<>();
        for (DeadLetter letter : rejected) {
            counts.merge(letter.stream().name() + "/" + letter.reason().code(), 1, Integer::sum);
            if (log.isDebugEnabled()) {
                log.debug("Dead-lettered {}-{}@{}: {} ({})", letter.record().topic(), letter.record().partition(),
                        letter.record().offset(), letter.reason().code(), letter.detail());
            }
        }
        log.warn("Dead-lettered {} of {} events: {}", rejected.size(), batchSize, counts);
    }
}
