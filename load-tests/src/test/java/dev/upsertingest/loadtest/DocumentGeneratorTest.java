package dev.upsertingest.loadtest;

import dev.upsertingest.core.event.ParsedEvent;
import dev.upsertingest.core.stream.Durability;
import dev.upsertingest.core.stream.KeyColumn;
import dev.upsertingest.core.stream.KeySource;
import dev.upsertingest.core.stream.KeyType;
import dev.upsertingest.core.stream.MergeMode;
import dev.upsertingest.core.stream.StreamDefinition;
import dev.upsertingest.loadtest.workload.BenchEvents;
import dev.upsertingest.loadtest.workload.DocumentGenerator;
import dev.upsertingest.loadtest.workload.Workload;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DocumentGeneratorTest {

    private static final StreamDefinition ORDERS = new StreamDefinition("orders", "orders", "streams", "orders",
            KeySource.VALUE, List.of(new KeyColumn("order_id", KeyType.TEXT, JsonPointer.compile("/order_id"))), null,
            MergeMode.REPLACE, Durability.UNLOGGED);

    @ParameterizedTest
    @CsvSource({"text, 440", "lines, 440", "text, 10240", "lines, 10240"})
    void documentsOfEitherShapeHaveTheirSizeAndPassTheWorkersRules(String shape, int size) {
        Workload workload = new Workload(50, 1_000, "uniform", size, DocumentGenerator.Shape.parse(shape), 42, 0);
        Workload.Generator events = workload.generator();
        for (int i = 0; i < 50; i++) {
            Workload.Event event = events.next();
            JsonNode document = JsonMapper.shared().readTree(event.document());
            assertThat(document.get("order_id").asString()).isEqualTo(event.key());
            assertThat(event.document().length).isBetween(size - 60, size + 10);
            assertThat(document.has(shape.equals("lines") ? "lines" : "note")).isTrue();
            assertThat(BenchEvents.PARSER.parse(ORDERS, null, event.document())).isInstanceOf(ParsedEvent.Upsert.class);
        }
    }
}
