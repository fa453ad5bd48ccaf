package dev.upsertingest.ops;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jooq.Query;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operations straight against PostgreSQL and Kafka: what {@code bin/ingest} does with {@code --jdbc-url} and
 * {@code --bootstrap-servers}, and what the API's admin endpoints do on their own connections.
 */
public final class DirectOperations implements Operations {

    /** Letters claimed, sent and recorded per transaction of a replay. */
    static final int REPLAY_BATCH = 500;
    /** Header a replayed event carries: where it came from ({@code <dead-letter topic>/<partition>/<offset>}). */
    public static final String REPLAY_OF = "ingest.replay.of";
    /** Header a replayed event carries: the replay that sent it. */
    public static final String REPLAY_ID = "ingest.replay.id";

    private final OpsDatabase database;
    private final OpsKafka kafka;
    private final boolean ownsKafka;

    /** @param ownsKafka close {@code kafka} with these operations */
    public DirectOperations(OpsDatabase database, OpsKafka kafka, boolean ownsKafka) {
        this.database = database;
        this.kafka = kafka;
        this.ownsKafka = ownsKafka;
    }

    @Override
    public SystemStatus status(Duration sample) {
        record Sample(OffsetDateTime at, Map<String, Long> changes, Map<TopicPartition, Long> committed) {
        }
        List<StatusStatements.StreamRow> streams = database.transaction(dsl -> new StatusStatements(dsl).streams());
        Sample before = null;
        if (!sample.isZero()) {
            before = database.transaction(dsl -> new Sample(new StatusStatements(dsl).now(),
                    new StatusStatements(dsl).changeCounters(), kafka.committed()));
            try {
                Thread.sleep(sample.toMillis()); // a rate needs two readings this far apart
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperationException(OperationException.Kind.UNAVAILABLE, "interrupted", e);
            }
        }
        Sample after = database.transaction(dsl -> new Sample(new StatusStatements(dsl).now(),
                new StatusStatements(dsl).changeCounters(), kafka.committed()));
        double seconds = before == null ? 0 : Duration.between(before.at(), after.at()).toNanos() / 1e9;
        List<SystemStatus.Stream> result = new ArrayList<>();
        for (StatusStatements.StreamRow stream : streams) {
            List<TopicPartition> partitions = kafka.partitions(stream.topic()).orElse(List.of());
            Map<TopicPartition, Long> ends = partitions.isEmpty() ? Map.of() : kafka.offsets(partitions, OffsetSpec.latest());
            List<SystemStatus.PartitionLag> lags = new ArrayList<>();
            long lag = 0;
            for (TopicPartition partition : partitions.stream().sorted(java.util.Comparator.comparingInt(TopicPartition::partition)).toList()) {
                long end = ends.get(partition);
                Long committed = after.committed().get(partition);
                long partitionLag = Math.max(0, end - (committed == null ? 0 : committed));
                lag += partitionLag;
                lags.add(new SystemStatus.PartitionLag(partition.partition(), end, committed, partitionLag));
            }
            Double rows = null;
            Double events = null;
            if (before != null && seconds > 0) {
                rows = Math.max(0, after.changes().getOrDefault(stream.name(), 0L)
                        - before.changes().getOrDefault(stream.name(), 0L)) / seconds;
                long eventsBefore = 0;
                long eventsAfter = 0;
                for (TopicPartition partition : partitions) {
                    eventsBefore += before.committed().getOrDefault(partition, 0L);
                    eventsAfter += after.committed().getOrDefault(partition, 0L);
                }
                events = Math.max(0, eventsAfter - eventsBefore) / seconds;
            }
            Map<String, Long> byReason = new TreeMap<>();
            new DeadLetterReader(kafka).read(dltTopic(stream), DeadLetterSelection.all(),
                    record -> byReason.merge(DeadLetterReader.reason(record), 1L, Long::sum));
            long replayed = database.transaction(dsl -> new ReplayStatements(dsl).replayedCount(stream.name()));
            RebuildProgress rebuild = rebuildProgress(stream.name(), after.committed());
            result.add(new SystemStatus.Stream(stream.name(), stream.topic(), stream.durability(), stream.liveRows(),
                    stream.bytes(), lag, lags, rows, events, byReason, replayed, rebuild));
        }
        List<SystemStatus.View> views = database.transaction(dsl -> new StatusStatements(dsl).views()).stream()
                .map(v -> new SystemStatus.View(v.name(), v.stream(), v.mode(), isoInterval(v.interval()),
                        instant(v.refreshedAt()), instant(v.asOf()), v.stalenessSeconds(), v.rows(), v.lastOutcome(),
                        v.lastError(), v.pendingChanges(), instant(v.refreshRequestedAt())))
                .toList();
        return new SystemStatus(after.at().toInstant(), kafka.groupId(), result, views);
    }

    @Override
    public RebuildProgress requestRebuild(String stream, boolean emptyTable, String requestedBy) {
        database.transaction(dsl -> new RequestStatements(dsl).requestRebuild(stream, requestedBy, emptyTable));
        return rebuild(stream);
    }

    @Override
    public RebuildProgress rebuild(String stream) {
        streamRow(stream);
        RebuildProgress progress = rebuildProgress(stream, kafka.committed());
        if (progress == null) {
            throw new OperationException(OperationException.Kind.NOT_FOUND, "stream " + stream + " was never rebuilt");
        }
        return progress;
    }

    private RebuildProgress rebuildProgress(String stream, Map<TopicPartition, Long> committed) {
        StatusStatements.RebuildRow row = database.transaction(dsl -> new StatusStatements(dsl).latestRebuild(stream));
        if (row == null) {
            return null;
        }
        String topic = streamRow(stream).topic();
        long toReplay = 0;
        long replayed = 0;
        for (Map.Entry<Integer, long[]> partition : row.partitions().entrySet()) {
            long start = partition.getValue()[0];
            long target = partition.getValue()[1];
            toReplay += target - start;
            long at = committed.getOrDefault(new TopicPartition(topic, partition.getKey()), start);
            replayed += Math.min(target, Math.max(start, at)) - start;
        }
        if (row.state().equals("done")) {
            replayed = toReplay;
        }
        return new RebuildProgress(row.id(), row.stream(), row.state(), row.reason(), row.detectedBy(),
                instant(row.detectedAt()), instant(row.replayStartedAt()), instant(row.finishedAt()), toReplay, replayed);
    }

    @Override
    public RefreshProgress requestRefresh(String view, String requestedBy) {
        OffsetDateTime requested = database.transaction(dsl -> new RequestStatements(dsl).requestRefresh(view, requestedBy));
        return refresh(view, requested.toInstant());
    }

    @Override
    public RefreshProgress refresh(String view, Instant requestedAt) {
        RequestStatements.RefreshRow row = database.transaction(dsl -> new RequestStatements(dsl).refreshState(view));
        boolean done = row.lastStartedAt() != null && !row.lastStartedAt().toInstant().isBefore(requestedAt);
        return new RefreshProgress(row.view(), row.mode(), requestedAt, done, !done && !row.streamComplete(),
                instant(row.lastStartedAt()), done ? row.outcome() : null, done ? row.error() : null, row.rows());
    }

    @Override
    public DeadLetterList deadLetters(String stream, DeadLetterSelection selection, int limit) {
        StatusStatements.StreamRow row = streamRow(stream);
        String topic = dltTopic(row);
        Map<Long, OffsetDateTime> replayed = database.transaction(dsl -> new ReplayStatements(dsl).replayed(topic, selection.partition()));
        Map<String, Long> byReason = new TreeMap<>();
        List<DeadLetter> letters = new ArrayList<>();
        long[] matched = {0};
        new DeadLetterReader(kafka).read(topic, selection, record -> {
            DeadLetter letter = DeadLetterReader.letter(record, replayedAt(replayed, record), false);
            if (selection.matches(letter)) {
                matched[0]++;
                byReason.merge(letter.reason(), 1L, Long::sum);
                if (letters.size() < limit) {
                    letters.add(letter);
                }
            }
        });
        return new DeadLetterList(stream, topic, matched[0], byReason, letters);
    }

    @Override
    public DeadLetter deadLetter(String stream, int partition, long offset, boolean withValue) {
        StatusStatements.StreamRow row = streamRow(stream);
        String topic = dltTopic(row);
        Map<Long, OffsetDateTime> replayed = database.transaction(dsl -> new ReplayStatements(dsl).replayed(topic, partition));
        DeadLetter[] found = {null};
        new DeadLetterReader(kafka).read(topic, new DeadLetterSelection(Set.of(), partition, offset, offset, null, null),
                record -> found[0] = DeadLetterReader.letter(record, replayedAt(replayed, record), withValue));
        if (found[0] == null) {
            throw new OperationException(OperationException.Kind.NOT_FOUND,
                    "there is no dead letter at " + topic + " partition " + partition + " offset " + offset);
        }
        return found[0];
    }

    @Override
    public ReplayResult replay(String stream, DeadLetterSelection selection, boolean dryRun, String requestedBy, int listLimit) {
        StatusStatements.StreamRow row = streamRow(stream);
        String dltTopic = dltTopic(row);
        Map<Long, OffsetDateTime> replayed = database.transaction(dsl -> new ReplayStatements(dsl).replayed(dltTopic, selection.partition()));
        UUID replayId = dryRun ? null : UUID.randomUUID();
        Map<String, Long> byReason = new TreeMap<>();
        List<DeadLetter> listed = new ArrayList<>();
        long[] counts = new long[4]; // matched, sent, already, without value
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        new DeadLetterReader(kafka).read(dltTopic, selection, record -> {
            DeadLetter letter = DeadLetterReader.letter(record, replayedAt(replayed, record), false);
            if (!selection.matches(letter)) {
                return;
            }
            counts[0]++;
            if (letter.replayedAt() != null) {
                counts[2]++;
            } else if (letter.valueDropped()) {
                counts[3]++;
            } else if (dryRun) {
                counts[1]++;
                byReason.merge(letter.reason(), 1L, Long::sum);
                if (listed.size() < listLimit) {
                    listed.add(letter);
                }
            } else {
                batch.add(record);
                if (batch.size() >= REPLAY_BATCH) {
                    sendBatch(row, dltTopic, batch, replayId, requestedBy, counts, byReason, listed, listLimit);
                }
            }
        });
        if (!batch.isEmpty()) {
            sendBatch(row, dltTopic, batch, replayId, requestedBy, counts, byReason, listed, listLimit);
        }
        return new ReplayResult(stream, row.topic(), dryRun, replayId == null ? null : replayId.toString(), counts[0],
                counts[1], counts[2], counts[3], byReason, listed);
    }

    /**
     * Claims, sends and records one batch in one transaction: the claim's rows commit only once the broker
     * acknowledged every record, so a failure sends nothing that stays unrecorded, except in the window between the
     * acknowledgement and the commit (then a later replay sends those letters again, which upserts make harmless).
     */
    private void sendBatch(StatusStatements.StreamRow stream, String dltTopic, List<ConsumerRecord<byte[], byte[]>> batch,
                           UUID replayId, String requestedBy, long[] counts, Map<String, Long> byReason,
                           List<DeadLetter> listed, int listLimit) {
        List<ReplayStatements.Claim> claims = batch.stream()
                .map(r -> new ReplayStatements.Claim(r.partition(), r.offset(), DeadLetterReader.reason(r))).toList();
        List<ConsumerRecord<byte[], byte[]>> sent = database.transaction(dsl -> {
            ReplayStatements sql = new ReplayStatements(dsl);
            Set<Long> claimed = sql.claim(stream.name(), dltTopic, claims, replayId, requestedBy);
            List<ConsumerRecord<byte[], byte[]>> toSend = batch.stream()
                    .filter(r -> claimed.contains(ReplayStatements.position(r.partition(), r.offset()))).toList();
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : toSend) {
                sends.add(kafka.producer().send(new ProducerRecord<>(stream.topic(), null, record.key(), record.value(),
                        replayHeaders(record, dltTopic, replayId))));
            }
            kafka.producer().flush();
            List<Query> targets = new ArrayList<>();
            for (int i = 0; i < toSend.size(); i++) {
                RecordMetadata ack = acknowledged(sends.get(i));
                ConsumerRecord<byte[], byte[]> record = toSend.get(i);
                targets.add(sql.recordTargetQuery(dltTopic, record.partition(), record.offset(), ack.topic(),
                        ack.partition(), ack.offset()));
            }
            sql.recordTargets(targets);
            return toSend;
        });
        counts[2] += batch.size() - sent.size(); // a replay running at the same time sent those
        for (ConsumerRecord<byte[], byte[]> record : sent) {
            DeadLetter letter = DeadLetterReader.letter(record, null, false);
            counts[1]++;
            byReason.merge(letter.reason(), 1L, Long::sum);
            if (listed.size() < listLimit) {
                listed.add(letter);
            }
        }
        batch.clear();
    }

    private RecordMetadata acknowledged(Future<RecordMetadata> send) {
        try {
            return send.get(kafka.timeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationException(OperationException.Kind.UNAVAILABLE, "interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new OperationException(OperationException.Kind.UNAVAILABLE,
                    "sending a letter back failed, nothing of this batch was recorded as replayed: " + cause.getMessage(), cause);
        }
    }

    /** The event's own headers (the letter's {@code ingest.dlt.*} left out), and where the replay took it from. */
    private static RecordHeaders replayHeaders(ConsumerRecord<byte[], byte[]> record, String dltTopic, UUID replayId) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(DeadLetterReader.LETTER_HEADER_PREFIX)) {
                headers.add(header);
            }
        }
        headers.add(REPLAY_OF, (dltTopic + "/" + record.partition() + "/" + record.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(REPLAY_ID, replayId.toString().getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private StatusStatements.StreamRow streamRow(String stream) {
        return database.transaction(dsl -> new StatusStatements(dsl).streams()).stream()
                .filter(s -> s.name().equals(stream)).findFirst()
                .orElseThrow(() -> new OperationException(OperationException.Kind.NOT_FOUND, "there is no stream " + stream));
    }

    private static String dltTopic(StatusStatements.StreamRow stream) {
        return stream.topic() + ".dlt";
    }

    private static Instant replayedAt(Map<Long, OffsetDateTime> replayed, ConsumerRecord<byte[], byte[]> record) {
        return instant(replayed.get(ReplayStatements.position(record.partition(), record.offset())));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    /** PostgreSQL's interval text ({@code 00:00:10}, {@code 1 day 02:00:00}) as ISO-8601, when it is that simple. */
    static String isoInterval(String interval) {
        if (interval == null) {
            return null;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(?:(\\d+) days? )?(\\d+):(\\d{2}):(\\d{2}(?:\\.\\d+)?)$")
                .matcher(interval);
        if (!m.matches()) {
            return interval;
        }
        long days = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        Duration duration = Duration.ofDays(days).plusHours(Long.parseLong(m.group(2))).plusMinutes(Long.parseLong(m.group(3)))
                .plusNanos((long) (Double.parseDouble(m.group(4)) * 1e9));
        return duration.toString();
    }

    @Override
    public void close() {
        if (ownsKafka) {
            kafka.close();
        }
    }
}
