package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.event.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generator is pure and seeded, covers every mutation, and knows what it made: every event whose answer it
 * predicts gets exactly that answer from the event rules ({@link EventParser}, the code both doors run). That makes
 * this test a fuzz of the rules themselves, a few thousand events per seed, without a broker or a database.
 */
class HostileEventsTest {

    private static final FuzzLimits LIMITS = FuzzLimits.standard();
    private static final FuzzStreams STREAMS = FuzzStreams.standard("fz", "t");
    private static final EventParser PARSER = new EventParser(LIMITS.eventLimits());
    private static final long[] SEEDS = {1, 42, -7, 20261202L, Long.MAX_VALUE};

    @ParameterizedTest
    @EnumSource(Door.class)
    void theSameSeedAndIndexMakeTheSameEventWithoutTheOnesBefore(Door door) {
        HostileEvents one = new HostileEvents(99, door, STREAMS, LIMITS);
        HostileEvents again = new HostileEvents(99, door, STREAMS, LIMITS);
        HostileEvents other = new HostileEvents(100, door, STREAMS, LIMITS);
        int differing = 0;
        for (long index = 1000; index > 0; index -= 7) { // backwards: no event depends on having made the ones before
            HostileEvent event = one.event(index);
            HostileEvent replayed = again.event(index);
            assertThat(replayed.value()).isEqualTo(event.value());
            assertThat(replayed.recordKey()).isEqualTo(event.recordKey());
            assertThat(replayed.mutation()).isEqualTo(event.mutation());
            assertThat(replayed.compression()).isEqualTo(event.compression());
            if (!java.util.Arrays.equals(other.event(index).value(), event.value())) {
                differing++;
            }
        }
        assertThat(differing).as("another seed makes other events").isGreaterThan(100);
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void theFirstEventsCoverEveryMutationOfEveryStream(Door door) {
        HostileEvents events = new HostileEvents(5, door, STREAMS, LIMITS);
        Set<String> covered = new HashSet<>();
        for (int i = 0; i < events.coverageSize(); i++) {
            HostileEvent event = events.event(i);
            covered.add(event.stream().name() + "/" + event.mutation());
        }
        Set<String> applicable = new HashSet<>();
        for (FuzzStream stream : STREAMS.streams()) {
            for (Mutation mutation : events.applicable(stream)) {
                applicable.add(stream.name() + "/" + mutation);
            }
        }
        assertThat(covered).isEqualTo(applicable);
        Set<Mutation> everyMutation = EnumSet.noneOf(Mutation.class);
        applicable.forEach(pair -> everyMutation.add(Mutation.valueOf(pair.substring(pair.indexOf('/') + 1))));
        if (door == Door.KAFKA) {
            assertThat(everyMutation).containsExactlyInAnyOrder(Mutation.values());
        } else {
            assertThat(everyMutation).allMatch(m -> !m.kafkaOnly());
        }
    }

    @ParameterizedTest
    @EnumSource(Door.class)
    void everyEventWhoseAnswerItKnowsGetsThatAnswerFromTheRules(Door door) {
        List<String> wrong = new ArrayList<>();
        Set<Mutation> checked = EnumSet.noneOf(Mutation.class);
        for (long seed : SEEDS) {
            HostileEvents events = new HostileEvents(seed, door, STREAMS, LIMITS);
            for (long index = 0; index < 2500; index++) {
                HostileEvent event = events.event(index);
                if (event.expectation() instanceof Expectation.Any) {
                    continue;
                }
                checked.add(event.mutation());
                ParsedEvent parsed = PARSER.parse(event.stream().definition(), door == Door.KAFKA ? event.recordKey() : null,
                        event.value());
                RejectReason reason = parsed instanceof ParsedEvent.Rejected rejected ? rejected.reason() : null;
                if (!event.expectation().allows(reason)) {
                    wrong.add("seed " + seed + " " + event.describe() + ": " + (reason == null ? "accepted"
                            : "rejected as " + reason.code() + " (" + ((ParsedEvent.Rejected) parsed).detail() + ")")
                            + ", expected " + event.expectation().describe());
                }
            }
        }
        assertThat(wrong).as("events the rules answer otherwise than the generator expects").isEmpty();
        assertThat(checked).as("mutations checked").hasSizeGreaterThan(25);
    }

    /** The rules' own promise: a rejection's detail says what is wrong, never what the document holds. */
    @Test
    void noRejectionDetailRepeatsTheDocument() {
        List<String> quoting = new ArrayList<>();
        for (long seed : SEEDS) {
            for (Door door : Door.values()) {
                HostileEvents events = new HostileEvents(seed, door, STREAMS, LIMITS);
                for (long index = 0; index < 2500; index++) {
                    HostileEvent event = events.event(index);
                    if (PARSER.parse(event.stream().definition(), event.recordKey(), event.value()) instanceof ParsedEvent.Rejected r
                            && r.detail().contains(HostileEvents.CANARY)) {
                        quoting.add("seed " + seed + " " + event.describe() + ": " + r.detail());
                    }
                }
            }
        }
        assertThat(quoting).isEmpty();
    }

    @Test
    void sizesAreWhatTheyClaim() {
        HostileEvents events = new HostileEvents(3, Door.KAFKA, STREAMS, LIMITS);
        int seen = 0;
        for (long index = 0; index < 4000; index++) {
            HostileEvent event = events.event(index);
            if (event.duplicateOf() >= 0) {
                continue;
            }
            switch (event.mutation()) {
                case DOCUMENT_AT_LIMIT -> {
                    assertThat(event.value().length).isBetween(LIMITS.maxDocumentSize() - 3, LIMITS.maxDocumentSize());
                    seen++;
                }
                case DOCUMENT_OVER_LIMIT -> assertThat(event.value().length).isBetween(LIMITS.maxDocumentSize() + 1,
                        LIMITS.maxDocumentSize() + 64);
                case RECORD_SIZE_LIMIT -> assertThat((long) event.value().length).isBetween(LIMITS.maxRecordSize() - 300,
                        LIMITS.maxRecordSize() + 300);
                case NEAR_TOPIC_LIMIT -> assertThat(event.value().length).isBetween(LIMITS.smallTopicMaxMessageBytes() - 400,
                        LIMITS.smallTopicMaxMessageBytes() + 400);
                case OVERSIZED_COMPRESSED, HUGE_RECORD_KEY, HUGE_HEADERS -> assertThat(event.compression()).isNotEqualTo(Compression.NONE);
                default -> {
                }
            }
        }
        assertThat(seen).isPositive();
    }

    @Test
    void eventsForTheHttpDoorNeedNoKafkaRecord() {
        HostileEvents events = new HostileEvents(11, Door.HTTP, STREAMS, LIMITS);
        for (long index = 0; index < 3000; index++) {
            HostileEvent event = events.event(index);
            assertThat(event.mutation().kafkaOnly()).isFalse();
            assertThat(event.value()).isNotNull();
            assertThat(event.value().length).isLessThan(LIMITS.maxRequestSize() - 16);
            if (event.ndjsonLine()) {
                assertThat(new String(event.value(), StandardCharsets.ISO_8859_1)).doesNotContain("\n");
            }
        }
    }
}
