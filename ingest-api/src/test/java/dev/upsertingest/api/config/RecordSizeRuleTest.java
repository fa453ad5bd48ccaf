package dev.upsertingest.api.config;

import dev.upsertingest.core.event.EventLimits;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The one size rule: the API's producer sends every record an event the rules accepted can make. */
class RecordSizeRuleTest {

    /** What the producer compares with max.request.size before sending (uncompressed, whatever the compression). */
    private static int kafkaSize(byte[] key, byte[] value) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.LZ4,
                ByteBuffer.wrap(key), ByteBuffer.wrap(value), new Header[0]);
    }

    @Test
    void theLargestRecordAnAcceptedEventMakesFitsTheProducersLimit() {
        for (EventLimits limits : List.of(EventLimits.defaults(), new EventLimits(DataSize.ofMegabytes(4), DataSize.ofKilobytes(2)),
                new EventLimits(DataSize.ofBytes(100), DataSize.ofBytes(1)))) {
            byte[] document = new byte[(int) limits.maxDocumentSize().toBytes()];
            // the longest record key: a composite key of control characters, each escaped as six bytes
            int half = (int) limits.maxKeySize().toBytes() / 2;
            String controls = "\u0001".repeat(Math.max(1, half));
            byte[] key = JsonMapper.shared().writeValueAsString(List.of(controls, controls, 9_223_372_036_854_775_807L))
                    .getBytes(StandardCharsets.UTF_8);
            Map<String, Object> settings = ApiConfiguration.recordSizeSettings(limits, Map.of());
            assertThat(kafkaSize(key, document)).as("%s", limits)
                    .isLessThanOrEqualTo((Integer) settings.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
            assertThat((Integer) settings.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).isEqualTo((int) limits.maxRecordSize());
        }
    }

    @Test
    void theDefaultDocumentLimitMakesRecordsLargerThanKafkasDefaultsWhichIsWhyTheyAreRaised() {
        EventLimits limits = EventLimits.defaults();
        assertThat(kafkaSize(new byte[]{'k'}, new byte[(int) limits.maxDocumentSize().toBytes()]))
                .as("a 1 MiB document with its framing").isGreaterThan(1_048_576);
        assertThat(limits.maxRecordSize()).isEqualTo(1_068_032);
    }

    @Test
    void compressesWithLz4UnlessConfiguredAndBuffersTheLargestRecord() {
        EventLimits huge = new EventLimits(DataSize.ofMegabytes(200), DataSize.ofBytes(512));
        Map<String, Object> defaults = ApiConfiguration.recordSizeSettings(EventLimits.defaults(), Map.of());
        assertThat(defaults).containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                .containsEntry(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20);
        Map<String, Object> configured = ApiConfiguration.recordSizeSettings(huge,
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd", ProducerConfig.BUFFER_MEMORY_CONFIG, "1048576"));
        assertThat(configured).doesNotContainKey(ProducerConfig.COMPRESSION_TYPE_CONFIG)
                .containsEntry(ProducerConfig.BUFFER_MEMORY_CONFIG, 2 * huge.maxRecordSize());
    }
}
