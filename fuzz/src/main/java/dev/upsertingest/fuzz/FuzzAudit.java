package dev.upsertingest.fuzz;

import dev.upsertingest.core.event.EventKey;
import dev.upsertingest.core.event.EventParser;
import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.event.RejectReason;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * After the doors are shut: checks that every record is accounted for, from outside the worker and against its own
 * counts. Per stream:
 *
 * <ol>
 *   <li>the consumer group's committed offsets reach the end of every partition (no partition stalls);</li>
 *   <li>the topic holds what the doors got acknowledged (Kafka door) or accepted (HTTP door), the worker consumed
 *   exactly that, and its outcomes add up to it (applied + dead-lettered + ignored);</li>
 *   <li>every dead letter carries exactly one reason, from the README's table, the letters by reason match the
 *   {@code dead_lettered} counts, and each record's answer (a letter or none) is the one its rule says, and the one
 *   the rules give the very bytes on the topic;</li>
 *   <li>every event the API accepted is on the topic byte for byte;</li>
 *   <li>every row is what its key's last accepted event says (its document equal to those bytes as jsonb, its version),
 *   no row is missing or extra, and each row's key is what its document holds at the key pointer.</li>
 * </ol>
 */
public final class FuzzAudit {

    // The worker's dead-letter headers (README, "Dead letters").
    static final String REASON = "ingest.dlt.reason";
    static final String STREAM = "ingest.dlt.stream";
    static final String ORIGINAL_TOPIC = "ingest.dlt.original.topic";
    static final String ORIGINAL_PARTITION = "ingest.dlt.original.partition";
    static final String ORIGINAL_OFFSET = "ingest.dlt.original.offset";
    static final String VALUE_DROPPED = "ingest.dlt.value.dropped";
    static final String ORIGINAL_VALUE_SIZE = "ingest.dlt.original.value.size";

    private final String bootstrapServers;
    private final String groupId;
    private final FuzzStreams streams;
    private final EventParser parser;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final WorkerAccounts worker;
    private final Ledger ledger;
    private final Violations violations;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    public FuzzAudit(String bootstrapServers, String groupId, FuzzStreams streams, FuzzLimits limits, String jdbcUrl,
                     String user, String password, WorkerAccounts worker, Ledger ledger, Violations violations) {
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        this.streams = streams;
        this.parser = new EventParser(limits.eventLimits());
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.worker = worker;
        this.ledger = ledger;
        this.violations = violations;
    }

    /**
     * Waits up to {@code drain} for the worker to commit everything, then audits every stream.
     *
     * @return per stream, what the audit counted (records on the topic, letters, rows, ...)
     */
    public Map<String, Object> run(Duration drain) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, Long> ends = awaitDrained(admin, drain);
            for (FuzzStream stream : streams.streams()) {
                figures.put(stream.name(), audit(stream, ends));
            }
        }
        if (worker.conservationViolations() > 0) {
            violations.add(Violations.Kind.CONSERVATION, "seed " + ledger.seed() + ": the worker counted "
                    + worker.conservationViolations() + " batches whose accounts did not add up (ingest_conservation_violations_total)");
        }
        return figures;
    }

    /** Polls the group's committed offsets until they reach every partition's end, or {@code drain} passed. */
    private Map<TopicPartition, Long> awaitDrained(Admin admin, Duration drain) throws Exception {
        long deadline = System.nanoTime() + drain.toNanos();
        while (true) {
            Map<TopicPartition, Long> ends = endOffsets(admin, streams.streams().stream().map(FuzzStream::topic).toList());
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            List<String> behind = new ArrayList<>();
            ends.forEach((partition, end) -> {
                OffsetAndMetadata offset = committed.get(partition);
                long at = offset == null ? 0 : offset.offset();
                if (at < end) {
                    behind.add(partition + " committed " + at + " of " + end);
                }
            });
            if (behind.isEmpty()) {
                return ends;
            }
            if (System.nanoTime() > deadline) {
                String failing = worker.failingBatch();
                for (String partition : behind) {
                    violations.add(Violations.Kind.STALLED_PARTITION, "seed " + ledger.seed() + ": " + partition + " after "
                            + drain.toSeconds() + " s" + (failing.isBlank() ? "" : "; the worker says: " + failing));
                }
                return ends;
            }
            Thread.sleep(250);
        }
    }

    private Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((partition, info) -> ends.put(partition, info.offset()));
        return ends;
    }

    private Map<String, Object> audit(FuzzStream stream, Map<TopicPartition, Long> ends) throws Exception {
        String where = "seed " + ledger.seed() + " stream " + stream.name();
        long onTopic = ends.entrySet().stream().filter(e -> e.getKey().topic().equals(stream.topic()))
                .mapToLong(Map.Entry::getValue).sum();
        Map<Long, Ledger.Sent> acknowledged = ledger.acknowledged(stream.name());
        long sent = acknowledged.size() + ledger.acceptedOverHttp(stream.name());
        if (sent != onTopic) {
            violations.add(Violations.Kind.TOPIC_VS_SENT, where + ": " + onTopic + " records on " + stream.topic() + ", the doors got "
                    + acknowledged.size() + " acknowledged by Kafka and " + ledger.acceptedOverHttp(stream.name()) + " accepted by the API");
        }
        long consumed = worker.consumed(stream.name());
        if (consumed != onTopic) {
            violations.add(Violations.Kind.CONSUMED_VS_TOPIC, where + ": consumed " + consumed + " of " + onTopic + " records on the topic");
        }
        Map<String, Long> outcomes = worker.outcomes(stream.name());
        long accounted = outcomes.values().stream().mapToLong(Long::longValue).sum();
        if (accounted != consumed) {
            violations.add(Violations.Kind.CONSERVATION, where + ": consumed " + consumed + ", applied + dead_lettered + ignored = "
                    + accounted + " " + outcomes);
        }

        Map<Long, String> letters = letters(stream, where);
        Map<String, Long> lettersByReason = new TreeMap<>();
        letters.values().forEach(reason -> lettersByReason.merge("dead_lettered/" + reason, 1L, Long::sum));
        Map<String, Long> counted = new TreeMap<>(outcomes);
        counted.keySet().removeIf(key -> !key.startsWith("dead_lettered/"));
        if (!counted.equals(lettersByReason)) {
            violations.add(Violations.Kind.DEAD_LETTERS_VS_COUNTS, where + ": letters on " + stream.deadLetterTopic() + " "
                    + lettersByReason + ", the worker counted " + counted);
        }

        acknowledged.forEach((coordinates, record) -> {
            String reason = letters.get(coordinates);
            RejectReason rejection = reason == null || !ReasonCodes.DOCUMENTED.contains(reason) ? null
                    : RejectReason.valueOf(reason.toUpperCase(java.util.Locale.ROOT));
            if (reason != null && rejection == null) {
                return; // an unknown reason, reported with the letter
            }
            if (!record.expectation().allows(rejection)) {
                violations.add(Violations.Kind.WRONG_ANSWER, where + ", Kafka door, " + record.describe() + " at "
                        + describe(coordinates) + ": " + (reason == null ? "not dead-lettered" : "dead-lettered as " + reason)
                        + ", expected " + record.expectation().describe());
            }
        });

        RowModel model = new RowModel(stream);
        Map<String, Deque<String>> published = new HashMap<>(ledger.published(stream.name()));
        long[] scanned = {0};
        readAll(stream.topic(), record -> {
            scanned[0]++;
            long coordinates = Ledger.coordinates(record.partition(), record.offset());
            String letter = letters.get(coordinates);
            ParsedEvent verdict = parser.parse(stream.definition(), record.key(), record.value());
            if (verdict instanceof ParsedEvent.Rejected rejected) {
                if (!rejected.reason().code().equals(letter)) {
                    violations.add(Violations.Kind.VERDICT_DIFFERS, where + " at " + describe(coordinates) + ": the rules refuse it as "
                            + rejected.reason().code() + ", the worker " + (letter == null ? "did not dead-letter it" : "dead-lettered it as " + letter));
                }
            } else if (letter != null) {
                if (letter.equals(RejectReason.DATABASE_REJECTED.code())) {
                    violations.add(Violations.Kind.SLIPPED_THROUGH, where + " at " + describe(coordinates) + " ("
                            + sentAs(acknowledged, coordinates) + "): the rules accept it, the database refused it");
                } else {
                    violations.add(Violations.Kind.VERDICT_DIFFERS, where + " at " + describe(coordinates)
                            + ": the rules accept it, the worker dead-lettered it as " + letter);
                }
            } else {
                switch (verdict) {
                    case ParsedEvent.Upsert upsert -> model.upsert(upsert.key(), record.partition(), record.value(), upsert.version());
                    case ParsedEvent.Delete delete -> model.delete(delete.key(), record.partition());
                    case ParsedEvent.Rejected ignored -> throw new IllegalStateException("unreachable");
                }
            }
            if (record.value() != null) {
                Deque<String> expected = published.get(Ledger.digest(record.value()));
                if (expected != null && !expected.isEmpty()) {
                    expected.poll();
                }
            }
        });
        published.values().forEach(left -> left.forEach(what -> violations.add(Violations.Kind.NOT_PUBLISHED_AS_SENT,
                "seed " + ledger.seed() + " " + what + ": accepted, but no record on " + stream.topic() + " holds its bytes")));

        int rows = model.check(where);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("records_on_topic", onTopic);
        counts.put("acknowledged_by_kafka", acknowledged.size());
        counts.put("accepted_by_api", ledger.acceptedOverHttp(stream.name()));
        counts.put("consumed", consumed);
        counts.put("outcomes", outcomes);
        counts.put("dead_letters", letters.size());
        counts.put("rows", rows);
        counts.put("keys", model.keys());
        return counts;
    }

    /** The dead letters of a stream by original coordinates, their headers checked; duplicates (a retried batch) once. */
    private Map<Long, String> letters(FuzzStream stream, String where) throws Exception {
        Map<Long, String> letters = new HashMap<>();
        readAll(stream.deadLetterTopic(), letter -> {
            List<String> reasons = values(letter, REASON);
            String at = stream.deadLetterTopic() + "-" + letter.partition() + "@" + letter.offset();
            if (reasons.size() != 1) {
                violations.add(Violations.Kind.BAD_LETTER, where + ": the letter at " + at + " carries " + reasons.size() + " reasons " + reasons);
                if (reasons.isEmpty()) {
                    return;
                }
            }
            String reason = reasons.getLast();
            if (!ReasonCodes.DOCUMENTED.contains(reason) && !reason.equals(RejectReason.DATABASE_REJECTED.code())) {
                violations.add(Violations.Kind.UNKNOWN_REASON, where + ": the letter at " + at + " says '" + reason + "'");
            }
            List<String> dropped = values(letter, VALUE_DROPPED);
            boolean withoutValue = dropped.equals(List.of("true"));
            if (withoutValue && letter.value() != null && letter.value().length > 0
                    || !withoutValue && (!dropped.isEmpty() || !values(letter, ORIGINAL_VALUE_SIZE).isEmpty())) {
                violations.add(Violations.Kind.BAD_LETTER, where + ": the letter at " + at + " says value dropped " + dropped
                        + ", original size " + values(letter, ORIGINAL_VALUE_SIZE) + ", and carries "
                        + (letter.value() == null ? "no value" : letter.value().length + " bytes of value"));
            }
            List<String> topics = values(letter, ORIGINAL_TOPIC);
            List<String> names = values(letter, STREAM);
            List<String> partitions = values(letter, ORIGINAL_PARTITION);
            List<String> offsets = values(letter, ORIGINAL_OFFSET);
            if (!topics.equals(List.of(stream.topic())) || !names.equals(List.of(stream.name())) || partitions.size() != 1
                    || offsets.size() != 1) {
                violations.add(Violations.Kind.BAD_LETTER, where + ": the letter at " + at + " names topic " + topics + ", stream "
                        + names + ", partition " + partitions + ", offset " + offsets);
                return;
            }
            long coordinates = Ledger.coordinates(Integer.parseInt(partitions.getFirst()), Long.parseLong(offsets.getFirst()));
            String earlier = letters.put(coordinates, reason);
            if (earlier != null && !earlier.equals(reason)) {
                violations.add(Violations.Kind.BAD_LETTER, where + ": two letters for " + describe(coordinates) + ": " + earlier
                        + " and " + reason);
            }
        });
        return letters;
    }

    private static List<String> values(ConsumerRecord<byte[], byte[]> record, String header) {
        List<String> values = new ArrayList<>();
        for (Header h : record.headers().headers(header)) {
            values.add(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8));
        }
        return values;
    }

    /** Reads every record of {@code topic} from the beginning to its end offsets now. */
    private void readAll(String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) throws Exception {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < ends.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 5 minutes");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        sink.accept(record);
                    }
                });
            }
        }
    }

    private static String describe(long coordinates) {
        return "partition " + (coordinates >>> 40) + " offset " + (coordinates & ((1L << 40) - 1));
    }

    private static String sentAs(Map<Long, Ledger.Sent> acknowledged, long coordinates) {
        Ledger.Sent sent = acknowledged.get(coordinates);
        return sent == null ? "sent over HTTP" : "Kafka door " + sent.describe();
    }

    /**
     * What each key's row must be, from the accepted records in topic order: per key and partition the state the
     * stream's rules leave (the last upsert or tombstone; in a versioned stream an older version never replaces a
     * newer one). A key whose records all sit in one partition has one right answer; one spread over several
     * partitions (a producer that keyed its records otherwise) may end as any partition's last word.
     */
    private final class RowModel {

        /** A row as one partition's records leave it; {@code document} is null when the last word was a tombstone. */
        private record State(byte[] document, Long version) {
        }

        private final FuzzStream stream;
        private final Map<EventKey, Map<Integer, State>> states = new HashMap<>();

        RowModel(FuzzStream stream) {
            this.stream = stream;
        }

        void upsert(EventKey key, int partition, byte[] value, Long version) {
            Map<Integer, State> byPartition = states.computeIfAbsent(key, k -> new HashMap<>());
            State current = byPartition.get(partition);
            if (stream.versioned() && current != null && current.document() != null && version < current.version()) {
                return; // an older version never replaces a newer one
            }
            byPartition.put(partition, new State(stream.merge() ? new byte[0] : value, version));
        }

        void delete(EventKey key, int partition) {
            states.computeIfAbsent(key, k -> new HashMap<>()).put(partition, new State(null, null));
        }

        int keys() {
            return states.size();
        }

        /** Compares the table with the model; returns the rows the table holds. */
        int check(String where) throws SQLException {
            String table = "streams." + quote(stream.name());
            String keyList = stream.keys().stream().map(k -> quote(k.property())).collect(Collectors.joining(", "));
            String keyMatch = stream.keys().stream().map(k -> quote(k.property()) + " = ?").collect(Collectors.joining(" and "));
            try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
                Set<EventKey> rows = new HashSet<>();
                try (PreparedStatement select = connection.prepareStatement("select " + keyList + " from " + table);
                     ResultSet result = select.executeQuery()) {
                    while (result.next()) {
                        List<Object> values = new ArrayList<>();
                        for (int k = 1; k <= stream.keys().size(); k++) {
                            values.add(result.getObject(k));
                        }
                        rows.add(new EventKey(values));
                    }
                }
                for (EventKey row : rows) {
                    if (!states.containsKey(row)) {
                        violations.add(Violations.Kind.ROW_UNEXPECTED, where + ": a row for key " + row + ", which no accepted event has");
                    }
                }
                String compare = "select " + (stream.merge() ? "true" : "doc = ?::jsonb") + ", "
                        + (stream.versioned() ? "version" : "null::bigint") + " from " + table + " where " + keyMatch;
                try (PreparedStatement row = connection.prepareStatement(compare)) {
                    for (Map.Entry<EventKey, Map<Integer, State>> entry : states.entrySet()) {
                        checkRow(row, entry.getKey(), entry.getValue().values(), rows.contains(entry.getKey()), where);
                    }
                }
                checkKeys(connection, table, where);
                return rows.size();
            }
        }

        private void checkRow(PreparedStatement row, EventKey key, java.util.Collection<State> candidates, boolean present,
                              String where) throws SQLException {
            boolean mayBeAbsent = candidates.stream().anyMatch(s -> s.document() == null);
            boolean mayBePresent = candidates.stream().anyMatch(s -> s.document() != null);
            if (!present) {
                if (!mayBeAbsent) {
                    violations.add(Violations.Kind.ROW_MISSING, where + ": no row for key " + key + ", whose last event was an upsert");
                }
                return;
            }
            if (!mayBePresent) {
                violations.add(Violations.Kind.ROW_UNEXPECTED, where + ": a row for key " + key + ", whose last event was a tombstone");
                return;
            }
            for (State candidate : candidates) {
                if (candidate.document() == null) {
                    continue;
                }
                int p = 1;
                if (!stream.merge()) {
                    row.setString(p++, new String(candidate.document(), StandardCharsets.UTF_8));
                }
                for (int k = 0; k < key.size(); k++) {
                    row.setObject(p++, key.get(k));
                }
                try (ResultSet result = row.executeQuery()) {
                    if (result.next() && result.getBoolean(1)
                            && (!stream.versioned() || result.getLong(2) == candidate.version())) {
                        return;
                    }
                }
            }
            violations.add(Violations.Kind.ROW_NOT_AS_SENT, where + ": the row of key " + key + " is not what its last event says"
                    + (candidates.size() > 1 ? " (in any of its " + candidates.size() + " partitions)" : ""));
        }

        /** Each row's key columns (and version) equal what its document holds at their pointers. */
        private void checkKeys(Connection connection, String table, String where) throws SQLException {
            List<String> differs = new ArrayList<>();
            for (FuzzStream.Key key : stream.keys()) {
                String column = quote(key.property());
                String atPointer = "doc->>'" + key.property() + "'";
                differs.add(switch (key.type()) {
                    case TEXT -> atPointer + " is distinct from " + column;
                    case BIGINT, INTEGER -> "(" + atPointer + ")::numeric is distinct from " + column;
                    case UUID -> "lower(" + atPointer + ") is distinct from " + column + "::text";
                });
            }
            if (stream.versioned()) {
                differs.add("(doc->>'" + stream.versionProperty() + "')::numeric is distinct from version");
            }
            try (PreparedStatement count = connection.prepareStatement("select count(*), min(" + keyListText() + ") from " + table
                    + " where " + String.join(" or ", differs));
                 ResultSet result = count.executeQuery()) {
                result.next();
                if (result.getLong(1) > 0) {
                    violations.add(Violations.Kind.ROW_KEY_MISMATCH, where + ": " + result.getLong(1)
                            + " rows whose key differs from their document's, e.g. " + result.getString(2));
                }
            }
        }

        private String keyListText() {
            return stream.keys().stream().map(k -> quote(k.property()) + "::text").collect(Collectors.joining(" || ',' || "));
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
