package dev.upsertingest.worker.metrics;

import dev.upsertingest.core.event.RejectReason;
import dev.upsertingest.worker.write.TableWriteResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every meter the worker publishes, declared here with its description. Names are dot-case with base units
 * (Prometheus renders {@code ingest.batch.duration} as {@code ingest_batch_duration_seconds}); tags are low
 * cardinality: stream, reason, phase, operation; never a key.
 */
public class IngestMetrics {

    public static final String EVENTS_CONSUMED = "ingest.events.consumed";
    public static final String EVENTS_DEAD_LETTERED = "ingest.events.dead.lettered";
    public static final String EVENTS_DEAD_LETTERED_WITHOUT_VALUE = "ingest.events.dead.lettered.without.value";
    public static final String EVENTS_OUTCOME = "ingest.events.outcome";
    public static final String CONSERVATION_VIOLATIONS = "ingest.conservation.violations";
    public static final String EVENTS_COLLAPSED = "ingest.events.collapsed";
    public static final String EVENTS_STALE = "ingest.events.stale";
    public static final String ROWS_UPSERTED = "ingest.rows.upserted";
    public static final String ROWS_UNCHANGED = "ingest.rows.unchanged";
    public static final String ROWS_DELETED = "ingest.rows.deleted";
    public static final String BATCH_DURATION = "ingest.batch.duration";
    public static final String BATCH_EVENTS = "ingest.batch.events";
    public static final String BATCH_FAILURES = "ingest.batch.failures";
    public static final String BATCH_FAILING = "ingest.batch.failing";
    public static final String CONSUMER_LAG = "ingest.consumer.lag";
    public static final String WRITERS_BUSY = "ingest.writers.busy";
    public static final String WRITERS_WAITING = "ingest.writers.waiting";
    public static final String DATABASE_AVAILABLE = "ingest.database.available";
    public static final String DATABASE_OUTAGE = "ingest.database.outage.duration";
    public static final String REBUILDS = "ingest.rebuilds";
    public static final String REBUILD_DURATION = "ingest.rebuild.duration";
    public static final String STREAMS_REBUILDING = "ingest.streams.rebuilding";
    public static final String BATCH_SPLITS = "ingest.batch.splits";
    public static final String LAST_BATCH = "ingest.batch.last.success";
    public static final String VIEW_REFRESHES = "ingest.view.refreshes";
    public static final String VIEW_REFRESH_DURATION = "ingest.view.refresh.duration";
    public static final String VIEW_REFRESH_FAILURES = "ingest.view.refresh.failures";
    public static final String VIEW_ROWS = "ingest.view.rows";
    public static final String VIEW_STALENESS = "ingest.view.staleness";

    /**
     * Phases of a batch, the {@code phase} tag of {@link #BATCH_DURATION}: parse (scan, validate, route rejects),
     * writer_wait (a prepared batch waiting for a writer slot), write (grouping and the transaction), dead_letter
     * (awaiting the broker's acknowledgement of the batch's dead letters), total.
     */
    public enum Phase {
        PARSE, WRITER_WAIT, WRITE, DEAD_LETTER, TOTAL;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final MeterRegistry registry;
    private final DistributionSummary batchEvents;
    private final AtomicLong lastBatchEpochSeconds = new AtomicLong();

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchEvents = DistributionSummary.builder(BATCH_EVENTS)
                .description("Records per consumed batch")
                .baseUnit("events")
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder(LAST_BATCH, lastBatchEpochSeconds, AtomicLong::get)
                .description("When a batch was last written and committed (epoch seconds); 0 before the first")
                .baseUnit("seconds")
                .register(registry);
        for (Phase phase : Phase.values()) {
            timer(phase); // registered up front so dashboards show zero rather than nothing
        }
    }

    public void consumed(String stream, int events) {
        counter(EVENTS_CONSUMED, "Events consumed, including tombstones and events later dead-lettered", "stream", stream)
                .increment(events);
    }

    public void deadLettered(String stream, RejectReason reason) {
        Counter.builder(EVENTS_DEAD_LETTERED)
                .description("Events sent to the dead-letter topic, by reason")
                .tags("stream", stream, "reason", reason.code())
                .register(registry)
                .increment();
    }

    /** A dead letter too large for the producer or the dead-letter topic was sent without its value. */
    public void deadLetteredWithoutValue(String stream, RejectReason reason) {
        Counter.builder(EVENTS_DEAD_LETTERED_WITHOUT_VALUE)
                .description("Dead letters sent without their value (header ingest.dlt.value.dropped), because the "
                        + "whole record was too large for the dead-letter producer or topic")
                .tags("stream", stream, "reason", reason.code())
                .register(registry)
                .increment();
    }

    /**
     * What became of {@code events} events of a stream in one batch that succeeded.
     *
     * @param outcome applied, dead_lettered or ignored
     * @param reason  why (see {@code EventOutcome}): changed, deleted, unverified; a reject reason code; unchanged,
     *                superseded, merged, stale_version
     */
    public void eventOutcome(String stream, String outcome, String reason, long events) {
        Counter.builder(EVENTS_OUTCOME)
                .description("What became of each consumed event: applied, dead_lettered or ignored by a documented "
                        + "rule, by reason. Per stream, the outcomes add up to ingest.events.consumed")
                .tags("stream", stream, "outcome", outcome, "reason", reason)
                .register(registry)
                .increment(events);
    }

    /** A batch whose outcome counts did not add up to the events it consumed for a stream: a bug. */
    public void conservationViolated(String stream) {
        counter(CONSERVATION_VIOLATIONS, "Batches whose event outcomes did not add up to the events consumed "
                + "(a bug; the worker logs the accounts at ERROR)", "stream", stream).increment();
    }

    public void written(TableWriteResult result) {
        String stream = result.stream();
        counter(EVENTS_COLLAPSED, "Events folded into a later event of the same key in the same batch", "stream", stream)
                .increment(result.collapsed());
        counter(EVENTS_STALE, "Events dropped because a newer version of their key came first in the batch", "stream", stream)
                .increment(result.stale());
        counter(ROWS_UPSERTED, "Rows sent as upserts (one per distinct key and batch)", "stream", stream)
                .increment(result.upserts());
        if (result.unchanged() >= 0) {
            counter(ROWS_UNCHANGED, "Upserts the table skipped: same document, or an older version than stored", "stream", stream)
                    .increment(result.unchanged());
        }
        counter(ROWS_DELETED, "Rows deleted by tombstones", "stream", stream).increment(result.deleted());
    }

    public void batch(int events, long parseNanos, long writerWaitNanos, long writeNanos, long deadLetterNanos,
                      long totalNanos) {
        batchEvents.record(events);
        timer(Phase.PARSE).record(Duration.ofNanos(parseNanos));
        timer(Phase.WRITER_WAIT).record(Duration.ofNanos(writerWaitNanos));
        timer(Phase.WRITE).record(Duration.ofNanos(writeNanos));
        timer(Phase.DEAD_LETTER).record(Duration.ofNanos(deadLetterNanos));
        timer(Phase.TOTAL).record(Duration.ofNanos(totalNanos));
        lastBatchEpochSeconds.set(System.currentTimeMillis() / 1000);
    }

    /** How long the longest-failing batch has been failing (and its partitions standing still); 0 when none fails. */
    public void registerBatchFailing(java.util.function.Supplier<Duration> failingFor) {
        Gauge.builder(BATCH_FAILING, () -> failingFor.get().toMillis() / 1000.0)
                .description("How long the current batch of the worst consumer thread has been failing and retried "
                        + "(its partitions do not move meanwhile); 0 when every batch goes through")
                .baseUnit("seconds")
                .register(registry);
    }

    /** Records of a stream not yet committed by the consumer group (end offset - committed offset, all partitions). */
    public void registerConsumerLag(String stream, java.util.function.DoubleSupplier lag) {
        Gauge.builder(CONSUMER_LAG, lag::getAsDouble)
                .description("Records of the stream's topic the consumer group has not committed yet (end offset minus "
                        + "committed offset, summed over partitions), measured by the worker; unlike Kafka's records-lag "
                        + "it grows while a fetched batch keeps failing. NaN while it cannot be measured")
                .tag("stream", stream)
                .register(registry);
    }

    /**
     * The writer slots ({@code ingest.consumer.writers}): how many batch transactions run now, and how many consumer
     * threads hold a prepared batch waiting for a slot.
     */
    public void registerWriterSlots(java.util.function.IntSupplier busy, java.util.function.IntSupplier waiting) {
        Gauge.builder(WRITERS_BUSY, busy::getAsInt)
                .description("Batch transactions running now (at most ingest.consumer.writers)")
                .register(registry);
        Gauge.builder(WRITERS_WAITING, waiting::getAsInt)
                .description("Consumer threads holding a prepared batch and waiting for a writer slot now")
                .register(registry);
    }

    /** 1 while the database circuit breaker is closed (batches are written), 0 while consuming is paused. */
    public void registerDatabaseAvailable(java.util.function.BooleanSupplier available) {
        Gauge.builder(DATABASE_AVAILABLE, () -> available.getAsBoolean() ? 1 : 0)
                .description("1 while PostgreSQL accepts batches, 0 while the worker has paused consuming for an outage")
                .register(registry);
    }

    public void databaseOutage(Duration outage) {
        Timer.builder(DATABASE_OUTAGE).description("From the circuit breaker opening to the first batch written again")
                .register(registry).record(outage);
    }

    /** Streams whose table is being rebuilt from the topic now. */
    public void registerStreamsRebuilding(java.util.function.IntSupplier rebuilding) {
        Gauge.builder(STREAMS_REBUILDING, rebuilding::getAsInt)
                .description("Streams whose unlogged table is being rebuilt from their topic").register(registry);
    }

    public void rebuildStarted(String stream) {
        counter(REBUILDS, "Rebuilds of stream tables from their topic (after crash recovery emptied them)",
                "stream", stream).increment();
    }

    public void rebuildFinished(String stream, Duration took) {
        Timer.builder(REBUILD_DURATION).description("From detecting an emptied table to its replay being complete")
                .tag("stream", stream).register(registry).record(took);
    }

    /** A batch the database refused for a data reason was halved to find the events it refuses. */
    public void batchSplit(String stream) {
        counter(BATCH_SPLITS, "Halvings of batches the database refused for a data reason (SQLState 22/23)",
                "stream", stream).increment();
    }

    public void batchFailed(Throwable cause) {
        Counter.builder(BATCH_FAILURES)
                .description("Batch attempts that failed and will be retried, by exception type")
                .tag("exception", cause.getClass().getSimpleName())
                .register(registry)
                .increment();
    }

    /**
     * Gauges of one view, read from the shared freshness every replica reloads.
     *
     * @param rows       rows in the view, negative if unknown
     * @param newestData the newest {@code updated_at} the view shows, or {@code null} if unknown
     */
    public void registerView(String view, java.util.function.Supplier<Long> rows,
                             java.util.function.Supplier<java.time.OffsetDateTime> newestData) {
        Gauge.builder(VIEW_ROWS, () -> rows.get() < 0 ? Double.NaN : rows.get())
                .description("Rows in the view after its last refresh")
                .tag("view", view)
                .register(registry);
        Gauge.builder(VIEW_STALENESS, () -> {
                    java.time.OffsetDateTime newest = newestData.get();
                    return newest == null ? Double.NaN
                            : Duration.between(newest.toInstant(), java.time.Instant.now()).toMillis() / 1000.0;
                })
                .description("Age of the newest data visible in the view (now - max(updated_at))")
                .baseUnit("seconds")
                .tag("view", view)
                .register(registry);
    }

    /**
     * One look at a view.
     *
     * @param outcome what came of it: populated, refreshed, reconciled, unchanged, not_due, busy, missing, paused, failed
     * @param mode    how it was refreshed when a refresh ran (populate, concurrent, incremental, reconcile), else null
     * @param elapsed how long the refresh ran, when one ran
     */
    public void viewLooked(String view, String outcome, String mode, Duration elapsed) {
        Counter.builder(VIEW_REFRESHES)
                .description("Looks at a view by what came of them (populated, refreshed and reconciled ran a refresh)")
                .tags("view", view, "outcome", outcome)
                .register(registry)
                .increment();
        if (outcome.equals("populated") || outcome.equals("refreshed") || outcome.equals("reconciled")) {
            Timer.builder(VIEW_REFRESH_DURATION)
                    .description("Time a view refresh took, by mode: populate (first fill), concurrent (REFRESH ... "
                            + "CONCURRENTLY), incremental (the changed rows applied), reconcile (compared whole)")
                    .tags("view", view, "mode", mode)
                    .publishPercentileHistogram()
                    .register(registry)
                    .record(elapsed);
        } else if (outcome.equals("failed")) {
            Counter.builder(VIEW_REFRESH_FAILURES)
                    .description("View refreshes that failed (retried at the next interval)")
                    .tag("view", view)
                    .register(registry)
                    .increment();
        }
    }

    private Timer timer(Phase phase) {
        return Timer.builder(BATCH_DURATION)
                .description("Time spent per consumed batch, by phase (total = consumed to committed)")
                .tag("phase", phase.tag())
                .publishPercentileHistogram()
                .register(registry);
    }

    private Counter counter(String name, String description, String tagKey, String tagValue) {
        return Counter.builder(name).description(description).tag(tagKey, tagValue).register(registry);
    }
}
