package dev.upsertingest.worker.errors;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;

import java.util.Map;

/**
 * How large a dead letter may be, so that the letter of any record the consumer can fetch fits: the consumer is sized
 * for records up to {@code max.partition.fetch.bytes} (and must take every valid document), and a letter is that
 * record plus the {@link DeadLetterHeaders}. The producer's {@code max.request.size}, which Kafka checks against the
 * <em>uncompressed</em> record, and the {@code max.message.bytes} of the dead-letter topics the worker creates, which
 * the broker checks against the compressed batch, are both set to it. Letters are compressed (lz4: no native code,
 * cheap), so a letter whose original arrived compressed usually fits the broker even when it is larger than the limit
 * uncompressed.
 *
 * <p>A letter that still does not fit (a value that was compressed far below its size, a dead-letter topic created
 * with a smaller limit) is sent without its value; see {@link DeadLetterPublisher}.
 *
 * @param maxRecordSize the largest dead letter, in bytes, uncompressed
 */
public record DeadLetterLimits(int maxRecordSize) {

    /** Room for the dead-letter headers (the detail is at most a few hundred bytes) and record overhead. */
    public static final int HEADER_HEADROOM = 64 * 1024;
    /** The producer's own default {@code buffer.memory}; a record larger than the buffer can never be sent. */
    private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
    public static final String COMPRESSION = "lz4";

    public DeadLetterLimits {
        if (maxRecordSize < HEADER_HEADROOM) {
            throw new IllegalArgumentException("a dead letter must be allowed at least " + HEADER_HEADROOM + " bytes");
        }
    }

    /**
     * @param maxPartitionFetchBytes the consumer's {@code max.partition.fetch.bytes}
     * @param maxRecordBytes         the largest record an accepted event makes ({@code EventLimits.maxRecordSize()}:
     *                               the rule the API's producer and the created stream topics follow)
     */
    public static DeadLetterLimits forConsumer(long maxPartitionFetchBytes, long maxRecordBytes) {
        long largest = Math.max(maxPartitionFetchBytes, maxRecordBytes) + HEADER_HEADROOM;
        return new DeadLetterLimits((int) Math.min(largest, Integer.MAX_VALUE - 1024L));
    }

    /** What the dead-letter producer needs on top of its usual settings. */
    public Map<String, Object> producerConfig() {
        return Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordSize,
                ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(DEFAULT_BUFFER_MEMORY, 2L * maxRecordSize),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, COMPRESSION);
    }

    /** The topic configuration a created dead-letter topic gets, so the broker takes what the producer sends. */
    public Map<String, String> topicConfig() {
        return Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecordSize));
    }
}
