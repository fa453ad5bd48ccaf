package dev.upsertingest.ops;

import org.jooq.DSLContext;
import org.jooq.Insert;
import org.jooq.InsertValuesStep7;
import org.jooq.Query;
import org.jooq.ResultQuery;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.upsertingest.schema.Tables.DEAD_LETTER_REPLAY;

/**
 * All SQL of dead-letter replays ({@code ingest.dead_letter_replay}, V8__operations.sql): a letter is claimed by
 * inserting its row before it is sent, in the transaction that commits once the broker acknowledged it, so two replays
 * never send the same letter (the second's insert waits for the first's, then finds the row).
 */
final class ReplayStatements {

    /** A letter to claim: its place on the dead-letter topic and its reason. */
    record Claim(int partition, long offset, String reason) {
    }

    private final DSLContext dsl;

    ReplayStatements(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** (partition, offset) -> when replayed, for every letter of the topic replayed so far. */
    Map<Long, OffsetDateTime> replayed(String dltTopic, Integer partition) {
        Map<Long, OffsetDateTime> replayed = new HashMap<>();
        replayedQuery(dltTopic, partition).fetch().forEach(r ->
                replayed.put(position(r.get(DEAD_LETTER_REPLAY.DLT_PARTITION), r.get(DEAD_LETTER_REPLAY.DLT_OFFSET)),
                        r.get(DEAD_LETTER_REPLAY.REPLAYED_AT)));
        return replayed;
    }

    ResultQuery<? extends Record> replayedQuery(String dltTopic, Integer partition) {
        return dsl.select(DEAD_LETTER_REPLAY.DLT_PARTITION, DEAD_LETTER_REPLAY.DLT_OFFSET, DEAD_LETTER_REPLAY.REPLAYED_AT)
                .from(DEAD_LETTER_REPLAY)
                .where(DEAD_LETTER_REPLAY.DLT_TOPIC.eq(dltTopic))
                .and(partition == null ? DSL.noCondition() : DEAD_LETTER_REPLAY.DLT_PARTITION.eq(partition));
    }

    long replayedCount(String stream) {
        return dsl.fetchCount(DEAD_LETTER_REPLAY, DEAD_LETTER_REPLAY.STREAM.eq(stream));
    }

    /** Claims the letters no replay sent yet; returns the positions claimed (the others were sent before). */
    Set<Long> claim(String stream, String dltTopic, List<Claim> letters, UUID replayId, String replayedBy) {
        Set<Long> claimed = new HashSet<>();
        claimQuery(stream, dltTopic, letters, replayId, replayedBy).fetch().forEach(r ->
                claimed.add(position(r.value1(), r.value2())));
        return claimed;
    }

    ResultQuery<Record2<Integer, Long>> claimQuery(String stream, String dltTopic, List<Claim> letters, UUID replayId,
                                                  String replayedBy) {
        InsertValuesStep7<?, String, Integer, Long, String, String, UUID, String> insert = dsl.insertInto(DEAD_LETTER_REPLAY,
                DEAD_LETTER_REPLAY.DLT_TOPIC, DEAD_LETTER_REPLAY.DLT_PARTITION, DEAD_LETTER_REPLAY.DLT_OFFSET,
                DEAD_LETTER_REPLAY.STREAM, DEAD_LETTER_REPLAY.REASON, DEAD_LETTER_REPLAY.REPLAY_ID,
                DEAD_LETTER_REPLAY.REPLAYED_BY);
        for (Claim letter : letters) {
            insert = insert.values(dltTopic, letter.partition(), letter.offset(), stream, letter.reason(), replayId, replayedBy);
        }
        return insert.onConflictDoNothing().returningResult(DEAD_LETTER_REPLAY.DLT_PARTITION, DEAD_LETTER_REPLAY.DLT_OFFSET);
    }

    /** Where a claimed letter landed on the stream topic. */
    Query recordTargetQuery(String dltTopic, int partition, long offset, String topic, int targetPartition, long targetOffset) {
        return dsl.update(DEAD_LETTER_REPLAY)
                .set(DEAD_LETTER_REPLAY.TARGET_TOPIC, topic)
                .set(DEAD_LETTER_REPLAY.TARGET_PARTITION, targetPartition)
                .set(DEAD_LETTER_REPLAY.TARGET_OFFSET, targetOffset)
                .where(DEAD_LETTER_REPLAY.DLT_TOPIC.eq(dltTopic).and(DEAD_LETTER_REPLAY.DLT_PARTITION.eq(partition))
                        .and(DEAD_LETTER_REPLAY.DLT_OFFSET.eq(offset)));
    }

    void recordTargets(List<Query> updates) {
        if (!updates.isEmpty()) {
            dsl.batch(updates).execute();
        }
    }

    /** One number for a letter's place: partition in the high bits, offset in the low 48. */
    static long position(int partition, long offset) {
        return ((long) partition << 48) | offset;
    }
}
