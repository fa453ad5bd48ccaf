package dev.upsertingest.api.it;

import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.errors.DeadLetterHeaders;
import dev.upsertingest.worker.it.TestEvents;
import dev.upsertingest.worker.it.WorkerHarness;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.upsertingest.api.it.ApiHarness.PRODUCER_KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One byte-level validation for both doors: the same malformed bytes get the same reason over HTTP (per event, never
 * the whole request) and through Kafka (dead-lettered by the worker), and what is accepted is stored as it was sent.
 */
class EventBytesIT {

    private static final JsonMapper JSON = JsonMapper.shared();
    private static final String GOOD_TEXT = "\u00e9\u20ac\ud83d\ude00 \u0800\uffff";

    /** Events by id: {@code {"id": "<id>", "x": "<bytes>"}} with the bytes raw inside the string. */
    private static final Map<String, byte[]> MALFORMED = new LinkedHashMap<>();

    static {
        MALFORMED.put("overlong", withRaw("overlong", 0xC0, 0xAF));
        MALFORMED.put("overlong3", withRaw("overlong3", 0xE0, 0x80, 0xAF));
        MALFORMED.put("cesu", withRaw("cesu", 0xED, 0xA0, 0x80));
        MALFORMED.put("truncated", withRaw("truncated", 0xE2, 0x82));
        MALFORMED.put("above", withRaw("above", 0xF4, 0x90, 0x80, 0x80));
        MALFORMED.put("stray", withRaw("stray", 0x80));
        MALFORMED.put("name", utf8("{\"id\": \"name\", \"\\ud800\": 1}"));
        MALFORMED.put("value", utf8("{\"id\": \"value\", \"x\": \"\\ud800\"}"));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withRaw(String id, int... raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"id\": \"" + id + "\", \"x\": \"a"));
        for (int b : raw) {
            out.write(b);
        }
        out.writeBytes(utf8("b\"}"));
        return out.toByteArray();
    }

    private static byte[] bom(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xEF);
        out.write(0xBB);
        out.write(0xBF);
        out.writeBytes(json);
        return out.toByteArray();
    }

    private static HttpResponse<String> post(ApiHarness api, String contentType, byte[] body) throws Exception {
        return api.send(HttpRequest.newBuilder(URI.create(api.url("/api/v1/streams/docs/events")))
                .timeout(Duration.ofSeconds(30)).header("X-API-Key", PRODUCER_KEY).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    @Test
    void theSameBytesGetTheSameReasonThroughEitherDoorAndWhatPassesIsStoredAsSent() throws Exception {
        KafkaBroker kafka = TestInfrastructure.kafka();
        TestDatabase db = TestInfrastructure.migratedDatabase("event_bytes");
        String topic = TestEvents.uniqueTopic("docs");
        kafka.createTopic(topic, 1);
        db.execute("select ingest.declare_stream('docs', '" + topic + "', '[{\"name\": \"id\", \"type\": \"text\", \"pointer\": \"/id\"}]')");
        String good = "{\"id\": \"good\", \"x\": \"" + GOOD_TEXT + "\"}";

        try (ApiHarness api = ApiHarness.builder(db, kafka.bootstrapServers()).start()) {
            // HTTP, a JSON array: each malformed element is its own rejection; the request as a whole is fine
            ByteArrayOutputStream array = new ByteArrayOutputStream();
            array.writeBytes(utf8("[" + good));
            for (byte[] bad : MALFORMED.values()) {
                array.write(',');
                array.writeBytes(bad);
            }
            array.writeBytes(utf8(", {\"id\": \"good2\", \"n\": 1}]"));
            HttpResponse<String> response = post(api, "application/json", array.toByteArray());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("accepted").asInt()).isEqualTo(2);
            Map<Integer, String> reasons = new LinkedHashMap<>();
            body.get("rejections").forEach(r -> reasons.put(r.get("index").asInt(), r.get("reason").asString()));
            Map<Integer, String> expected = new LinkedHashMap<>();
            for (int i = 1; i <= MALFORMED.size(); i++) {
                expected.put(i, "invalid_unicode");
            }
            assertThat(reasons).isEqualTo(expected);
            assertThat(body.get("rejections").get(0).get("detail").asString())
                    .isEqualTo("the value is not well-formed UTF-8: an overlong encoding (0xC0) at byte 26");

            // NDJSON: a byte order mark before an event is that event's rejection, and says why
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            lines.writeBytes(bom(utf8("{\"id\": \"bom\"}")));
            lines.writeBytes(utf8("\n{\"id\": \"nd-good\"}\n"));
            HttpResponse<String> ndjson = post(api, "application/x-ndjson", lines.toByteArray());
            assertThat(ndjson.statusCode()).as(ndjson.body()).isEqualTo(202);
            JsonNode bomRejection = JSON.readTree(ndjson.body()).get("rejections").get(0);
            assertThat(bomRejection.get("reason").asString()).isEqualTo("invalid_json");
            assertThat(bomRejection.get("detail").asString()).contains("byte order mark");

            // a byte order mark before the array is the body's problem: 400, saying so
            HttpResponse<String> bomBody = post(api, "application/json", bom(utf8("[" + good + "]")));
            assertThat(bomBody.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bomBody.body()).get("detail").asString()).contains("byte order mark");
        }

        // Kafka: the same malformed values, a blank one and one with a byte order mark, straight onto the topic
        Map<String, String> deadLettered = new LinkedHashMap<>();
        try (TestEvents events = new TestEvents(kafka)) {
            MALFORMED.forEach((id, value) -> {
                events.sendBytes(topic, utf8(id), value);
                deadLettered.put(id, "invalid_unicode");
            });
            events.sendBytes(topic, utf8("blank"), utf8(" \n\t "));
            deadLettered.put("blank", "invalid_json");
            events.sendBytes(topic, utf8("bom-kafka"), bom(utf8("{\"id\": \"bom-kafka\"}")));
            deadLettered.put("bom-kafka", "invalid_json");
            events.send(topic, "kafka-good", "{\"id\": \"kafka-good\", \"x\": \"" + GOOD_TEXT + "\"}").flush();

            try (WorkerHarness worker = WorkerHarness.builder(db, kafka).start()) {
                await().atMost(Duration.ofSeconds(120)).until(() -> db.count("select count(*) from streams.docs") == 4);
                List<ConsumerRecord<byte[], byte[]>> letters = events.readAll(topic + ".dlt", deadLettered.size(), Duration.ofSeconds(120));
                Map<String, String> reasons = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> letter : letters) {
                    reasons.put(new String(letter.key(), StandardCharsets.UTF_8),
                            new String(letter.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8));
                }
                assertThat(reasons).isEqualTo(deadLettered);
            }
        }
        assertThat(db.query("select id from streams.docs order by id").stream().map(r -> r.get("id")).toList())
                .containsExactly("good", "good2", "kafka-good", "nd-good");
        assertThat(db.query("select doc->>'x' as x from streams.docs where id in ('good', 'kafka-good')"))
                .extracting(r -> r.get("x")).containsOnly(GOOD_TEXT);
    }
}
