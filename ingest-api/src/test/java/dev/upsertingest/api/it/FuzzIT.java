package dev.upsertingest.api.it;

import dev.upsertingest.fuzz.Door;
import dev.upsertingest.fuzz.FuzzAudit;
import dev.upsertingest.fuzz.FuzzLimits;
import dev.upsertingest.fuzz.FuzzStream;
import dev.upsertingest.fuzz.FuzzStreams;
import dev.upsertingest.fuzz.HostileBodies;
import dev.upsertingest.fuzz.HostileEvents;
import dev.upsertingest.fuzz.HttpDoor;
import dev.upsertingest.fuzz.KafkaDoor;
import dev.upsertingest.fuzz.Ledger;
import dev.upsertingest.fuzz.Violations;
import dev.upsertingest.fuzz.WorkerAccounts;
import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.errors.FailingBatches;
import dev.upsertingest.worker.consume.StreamConsumers;
import dev.upsertingest.worker.it.WorkerHarness;
import dev.upsertingest.worker.metrics.IngestMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile inputs through both doors at once, a bounded number of them, on a real broker and a real PostgreSQL with
 * the real worker and API (issue 13's guarantee, tested the way an attacker or a broken producer would): random bytes,
 * every way of breaking a rule (each predicted), mangled events, sizes around every limit, record keys and headers
 * of megabytes, with and without producer compression (none, gzip, lz4, zstd) straight onto the topics, and JSON
 * arrays, NDJSON and broken bodies over HTTP. Then {@link FuzzAudit} accounts for every record: conservation per
 * stream, no partition left behind, every answer the documented one, every accepted document stored as sent.
 *
 * <p>Each run draws a new seed (logged, and in every violation's description); {@code -Dfuzz.seed=...} replays one,
 * {@code -Dfuzz.kafka-events} and {@code -Dfuzz.http-requests} change how many inputs are tried. The longer run is
 * {@code bin/ingest bench fuzz}.
 */
class FuzzIT {

    private static final Logger log = LoggerFactory.getLogger(FuzzIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void everyHostileInputThroughEitherDoorIsAccountedForAndNoPartitionStalls() throws Exception {
        long seed = Long.getLong("fuzz.seed", new SecureRandom().nextLong());
        int kafkaEvents = Integer.getInteger("fuzz.kafka-events", 1200);
        int httpRequests = Integer.getInteger("fuzz.http-requests", 160);
        log.info("FuzzIT: seed {}, {} records through Kafka, {} requests over HTTP (replay with -Dfuzz.seed={})",
                seed, kafkaEvents, httpRequests, seed);

        KafkaBroker kafka = TestInfrastructure.kafka();
        TestDatabase db = TestInfrastructure.migratedDatabase("fuzz");
        FuzzLimits limits = FuzzLimits.standard();
        FuzzStreams streams = FuzzStreams.standard("fz", UUID.randomUUID().toString().substring(0, 8));
        for (FuzzStream stream : streams.streams()) {
            if (stream.smallTopic()) {
                kafka.createTopic(stream.topic(), 2, Map.of("cleanup.policy", "delete",
                        "max.message.bytes", Integer.toString(limits.smallTopicMaxMessageBytes())));
            }
            db.execute(stream.declaration());
        }
        WorkerHarness.Builder workerBuilder = WorkerHarness.builder(db, kafka)
                .property("ingest.consumer.max-poll-records", 300) // more, smaller batches: more of them mixed
                .property("ingest.refresh.enabled", false);
        limits.eventProperties().forEach(workerBuilder::property);
        ApiHarness.Builder apiBuilder = ApiHarness.builder(db, kafka.bootstrapServers())
                .property("ingest.api.security.requests-per-second", 100_000);
        limits.apiProperties().forEach(apiBuilder::property);

        try (WorkerHarness worker = workerBuilder.start(); ApiHarness api = apiBuilder.start()) {
            StreamConsumers consumers = worker.bean(StreamConsumers.class);
            await().atMost(PATIENCE).until(() -> consumers.assignedPartitions().size() == 3 * 3 + 2);
            Ledger ledger = new Ledger(seed);
            Violations violations = new Violations();
            HostileEvents records = new HostileEvents(seed, Door.KAFKA, streams, limits);
            HostileBodies bodies = new HostileBodies(seed, streams, limits);
            HttpDoor http = new HttpDoor(api.url(""), PRODUCER_KEY, ledger, violations);
            AtomicReference<Throwable> httpFailure = new AtomicReference<>();
            try (KafkaDoor door = new KafkaDoor(kafka.bootstrapServers(), ledger)) {
                Thread overHttp = Thread.ofPlatform().name("fuzz-http").start(() -> {
                    try {
                        for (long r = 0; r < Math.max(httpRequests, bodies.coverageSize()); r++) {
                            http.send(bodies.request(r));
                        }
                    } catch (Throwable e) {
                        httpFailure.set(e);
                    }
                });
                for (long i = 0; i < Math.max(kafkaEvents, records.coverageSize()); i++) {
                    door.send(records.event(i));
                }
                door.flush();
                overHttp.join();
            }
            assertThat(httpFailure.get()).as("the HTTP door itself").isNull();

            Map<String, Object> figures = new FuzzAudit(kafka.bootstrapServers(), worker.groupId(), streams, limits,
                    db.jdbcUrl(), db.user(), db.password(), accounts(worker), ledger, violations).run(PATIENCE);
            CircuitBreaker breaker = api.bean(CircuitBreakerRegistry.class).circuitBreaker("kafka-publish");
            if (breaker.getState() != CircuitBreaker.State.CLOSED || breaker.getMetrics().getNumberOfFailedCalls() > 0) {
                violations.add(Violations.Kind.BREAKER_OPENED, "seed " + seed + ": kafka-publish is " + breaker.getState()
                        + " after " + breaker.getMetrics().getNumberOfFailedCalls() + " failed calls");
            }
            log.info("FuzzIT seed {}: {} records tried through Kafka ({} refused by the broker: {}), {} events in {} requests "
                            + "over HTTP; per stream {}", seed, ledger.tried(Door.KAFKA), ledger.refusedByKafka().values().stream()
                            .mapToLong(Long::longValue).sum(), ledger.refusedByKafka(), ledger.tried(Door.HTTP), ledger.requests(), figures);
            assertThat(violations.isEmpty()).as("seed %d (replay with -Dfuzz.seed=%d): %s", seed, seed, violations.describe()).isTrue();
            assertThat(ledger.acknowledged(streams.get(0).name())).as("records that reached the topics").isNotEmpty();
        }
    }

    private static WorkerAccounts accounts(WorkerHarness worker) {
        return new WorkerAccounts() {
            @Override
            public long consumed(String stream) {
                return worker.consumed(stream);
            }

            @Override
            public Map<String, Long> outcomes(String stream) {
                return worker.outcomes(stream);
            }

            @Override
            public long conservationViolations() {
                return (long) worker.counter(IngestMetrics.CONSERVATION_VIOLATIONS);
            }

            @Override
            public String failingBatch() {
                return worker.bean(FailingBatches.class).longest()
                        .map(b -> b.attempts() + " failed attempts of a batch from " + b.partitions() + ": " + b.lastError())
                        .orElse("");
            }
        };
    }
}
