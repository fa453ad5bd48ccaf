package dev.upsertingest.worker.consume;

import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.core.stream.StreamCatalog;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.worker.errors.DataErrorSplitter;
import dev.upsertingest.worker.errors.DeadLetter;
import dev.upsertingest.worker.errors.DeadLetterPublisher;
import dev.upsertingest.worker.metrics.IngestMetrics;
import dev.upsertingest.worker.write.TableBatch;
import dev.upsertingest.worker.write.TableWriteResult;
import dev.upsertingest.worker.write.UpsertBatchWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
    private final WriterSlots slots;
    private final IngestMetrics metrics;

    public BatchIngester(StreamCatalog catalog, EventParser parser, UpsertBatchWriter writer,
                         DeadLetterPublisher deadLetters, WriterSlots slots, IngestMetrics metrics) {
        this.catalog = catalog;
        this.parser = parser;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.slots = slots;
        this.metrics = metrics;
    }

    public void ingest(List<ConsumerRecord<byte[], byte[]>> records) {
        long start = System.nanoTime();
        List<Accepted> accepted = new ArrayList<>(records.size());
        BatchLedger ledger = new BatchLedger();
        List<DeadLetter> rejected = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            StreamDefinition stream = catalog.byTopic(record.topic()).orElseThrow(() ->
                    new IllegalStateException("consumed topic " + record.topic() + " belongs to no registered stream"));
            ledger.consumed(stream.name());
            ParsedEvent event = parser.parse(stream, record.key(), record.value());
            if (event instanceof ParsedEvent.Rejected r) {
                rejected.add(new DeadLetter(record, stream, r.reason(), r.detail()));
            } else {
                accepted.add(new Accepted(i, record, stream, event));
            }
        }
        long parsed = System.nanoTime();

        DeadLetterPublisher.Sending sending = deadLetters.publish(rejected);
        List<TableWriteResult> results = new ArrayList<>();
        List<DeadLetter> refused = new ArrayList<>();
        WriterSlots.Waited waited = new WriterSlots.Waited();
        writeOrSplit(accepted, results, refused, waited);
        long written = System.nanoTime();
        List<DeadLetter> withoutValue = new ArrayList<>(deadLetters.await(sending));
        if (!refused.isEmpty()) {
            withoutValue.addAll(deadLetters.await(deadLetters.publish(refused)));
            rejected.addAll(refused);
        }
        long done = System.nanoTime();

        // Everything is durable now: count what became of each event, once, for the attempt that succeeded.
        results.forEach(ledger::written);
        rejected.forEach(letter -> ledger.deadLettered(letter.stream().name(), letter.reason()));
        count(ledger);
        results.forEach(metrics::written);
        rejected.forEach(letter -> metrics.deadLettered(letter.stream().name(), letter.reason()));
        withoutValue.forEach(letter -> metrics.deadLetteredWithoutValue(letter.stream().name(), letter.reason()));
        metrics.batch(records.size(), parsed - start, waited.nanos(), written - parsed - waited.nanos(), done - written,
                done - start);
        if (!rejected.isEmpty()) {
            logRejected(rejected, records.size());
        }
        if (log.isDebugEnabled()) {
            log.debug("Batch of {} events written in {} ms: {}", records.size(), (done - start) / 1_000_000, results);
        }
    }

    /**
     * Publishes the batch's accounts. A stream whose outcomes do not add up to what it consumed is a bug in this
     * worker: it is logged at ERROR with the accounts and counted ({@code ingest.conservation.violations}, which an
     * alert watches). The batch is still committed: its rows and dead letters are durable, and a retry would account
     * for it the same way, forever.
     */
    private void count(BatchLedger ledger) {
        ledger.tallies().forEach((stream, tally) -> {
            metrics.consumed(stream, tally.consumed());
            tally.outcomes().forEach((outcome, events) ->
                    metrics.eventOutcome(stream, outcome.outcome().tag(), outcome.reason(), events));
        });
        for (BatchLedger.Imbalance imbalance : ledger.imbalances()) {
            metrics.conservationViolated(imbalance.stream());
            log.error("Conservation violated in a batch of stream {}: {}. Every consumed event must be applied, "
                    + "dead-lettered or ignored by rule exactly once; this is a bug in the worker, please report it "
                    + "with this line", imbalance.stream(), imbalance.problem());
        }
    }

    /**
     * Writes the events in one transaction, or, when the database refuses them for their data, in the halves
     * {@link DataErrorSplitter} makes, dead-lettering only the events it refuses. Each transaction runs in a
     * {@link WriterSlots writer slot}; the events are grouped and collapsed before one is taken, so that a slot is
     * held only for the transaction itself.
     */
    private void writeOrSplit(List<Accepted> events, List<TableWriteResult> results, List<DeadLetter> refused,
                              WriterSlots.Waited waited) {
        DataErrorSplitter.writeOrSplit(events,
                run -> {
                    List<TableBatch> tables = tables(run);
                    results.addAll(slots.run(() -> writer.write(tables), waited));
                },
                (event, reason) -> refused.add(new DeadLetter(event.record(), event.stream(),
                        RejectReason.DATABASE_REJECTED, reason)),
                run -> metrics.batchSplit(run.getFirst().stream().name()));
    }

    private static List<TableBatch> tables(List<Accepted> events) {
        Map<String, TableBatch> tables = new LinkedHashMap<>();
        for (Accepted event : events) {
            TableBatch table = tables.computeIfAbsent(event.stream().name(), name -> TableBatch.forStream(event.stream()));
            switch (event.event()) {
                case ParsedEvent.Upsert upsert -> table.add(upsert, event.index());
                case ParsedEvent.Delete delete -> table.delete(delete.key(), event.index());
                case ParsedEvent.Rejected ignored -> throw new IllegalStateException("rejected events are not written");
            }
        }
        return List.copyOf(tables.values());
    }

    /** An event that passed the parser, with where it came from and its place in the batch (for ordering). */
    private record Accepted(int index, ConsumerRecord<byte[], byte[]> record, StreamDefinition stream, ParsedEvent event) {
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
