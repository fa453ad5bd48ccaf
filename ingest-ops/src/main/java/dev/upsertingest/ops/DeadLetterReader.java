package dev.upsertingest.ops;

import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a dead-letter topic from its beginning (or the selection's first offset) to the end it has now, without a
 * consumer group (nothing is committed, no worker is disturbed), and turns each record into a {@link DeadLetter}.
 */
final class DeadLetterReader {

    /** Header names as the worker writes them ({@code ingest-worker/.../errors/DeadLetterHeaders}). */
    static final String REASON = "ingest.dlt.reason";
    static final String DETAIL = "ingest.dlt.detail";
    static final String ORIGINAL_TOPIC = "ingest.dlt.original.topic";
    static final String ORIGINAL_PARTITION = "ingest.dlt.original.partition";
    static final String ORIGINAL_OFFSET = "ingest.dlt.original.offset";
    static final String FAILED_AT = "ingest.dlt.failed.at";
    static final String VALUE_DROPPED = "ingest.dlt.value.dropped";
    /** Every header the worker adds; a replayed event carries none of them. */
    static final String LETTER_HEADER_PREFIX = "ingest.dlt.";

    private final OpsKafka kafka;

    DeadLetterReader(OpsKafka kafka) {
        this.kafka = kafka;
    }

    /**
     * Hands every record of the topic's selected partitions to {@code each}, in offset order per partition. Returns
     * false when the topic does not exist.
     */
    boolean read(String topic, DeadLetterSelection selection, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<TopicPartition> partitions = kafka.partitions(topic).orElse(null);
        if (partitions == null) {
            return false;
        }
        if (selection.partition() != null) {
            partitions = partitions.stream().filter(p -> p.partition() == selection.partition()).toList();
            if (partitions.isEmpty()) {
                throw new OperationException(OperationException.Kind.BAD_REQUEST,
                        "topic " + topic + " has no partition " + selection.partition());
            }
        }
        Map<TopicPartition, Long> start = kafka.offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> end = kafka.offsets(partitions, OffsetSpec.latest());
        List<TopicPartition> toRead = partitions.stream().filter(p -> end.get(p) > first(start.get(p), selection)).toList();
        if (toRead.isEmpty()) {
            return true;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer()) {
            consumer.assign(toRead);
            toRead.forEach(p -> consumer.seek(p, first(start.get(p), selection)));
            Map<TopicPartition, Long> remaining = new LinkedHashMap<>();
            toRead.forEach(p -> remaining.put(p, end.get(p)));
            Instant deadline = Instant.now().plus(kafka.timeout());
            while (!remaining.isEmpty()) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    deadline = Instant.now().plus(kafka.timeout());
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    Long until = remaining.get(partition);
                    if (until != null && record.offset() < until) {
                        if (selection.toOffset() == null || record.offset() <= selection.toOffset()) {
                            each.accept(record);
                        }
                    }
                }
                for (TopicPartition partition : List.copyOf(remaining.keySet())) {
                    long position = consumer.position(partition);
                    boolean pastRange = selection.toOffset() != null && position > selection.toOffset();
                    if (position >= remaining.get(partition) || pastRange) {
                        remaining.remove(partition);
                        consumer.pause(List.of(partition));
                    }
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new OperationException(OperationException.Kind.UNAVAILABLE,
                            "reading " + topic + " made no progress for " + kafka.timeout());
                }
            }
        }
        return true;
    }

    private static long first(long earliest, DeadLetterSelection selection) {
        return selection.fromOffset() == null ? earliest : Math.max(earliest, selection.fromOffset());
    }

    /** The letter of a record; its value as text only with {@code withValue}. */
    static DeadLetter letter(ConsumerRecord<byte[], byte[]> record, Instant replayedAt, boolean withValue) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        int size = record.value() == null ? 0 : record.value().length;
        return new DeadLetter(record.topic(), record.partition(), record.offset(), Instant.ofEpochMilli(record.timestamp()),
                headers.getOrDefault(REASON, "unknown"), headers.get(DETAIL), instant(headers.get(FAILED_AT)),
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8), size,
                "true".equals(headers.get(VALUE_DROPPED)), headers.get(ORIGINAL_TOPIC),
                integer(headers.get(ORIGINAL_PARTITION)), number(headers.get(ORIGINAL_OFFSET)), headers, replayedAt,
                withValue && record.value() != null ? new String(record.value(), StandardCharsets.UTF_8) : null);
    }

    /** The reason header alone, for counting without building letters. */
    static String reason(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(REASON);
        return header == null || header.value() == null ? "unknown" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }

    private static Integer integer(String text) {
        try {
            return text == null ? null : Integer.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
