package dev.upsertingest.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.StringJoiner;

/**
 * {@code bin/ingest local --demo}: sample orders published through the API, as a producer would: orders created,
 * then paid, shipped or cancelled, a few hundred thousand keys, about 40 publishes a second in small batches.
 */
final class DemoTraffic {

    private static final String[] STATUSES = {"created", "paid", "shipped", "delivered", "cancelled"};
    private static final String[] REGIONS = {"eu-west", "eu-north", "us-east", "us-west", "ap-south"};
    private static final String[] CURRENCIES = {"EUR", "EUR", "USD", "GBP"};
    private static final int KEYS = 200_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String apiKey;
    private final int perSecond;
    private final Random random = new Random();
    private volatile boolean running = true;
    /** The example stream keeps the highest version per order: a clock-based counter only grows. */
    private long version = System.currentTimeMillis();
    private Thread thread;

    DemoTraffic(String apiBase, String apiKey, int perSecond) {
        this.endpoint = URI.create(apiBase + "/api/v1/streams/orders/events");
        this.apiKey = apiKey;
        this.perSecond = perSecond;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("demo-traffic").start(this::run);
    }

    void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void run() {
        int perBatch = Math.max(1, perSecond / 20);
        long failuresLogged = 0;
        while (running) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(15))
                        .POST(HttpRequest.BodyPublishers.ofString(batch(perBatch))).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 202 && failuresLogged++ < 5) {
                    LocalRun.say("--demo: the API answered %d: %s", response.statusCode(), response.body());
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (running && failuresLogged++ < 5) {
                    LocalRun.say("--demo: publishing failed: %s", e.getMessage());
                }
            }
        }
    }

    private String batch(int events) {
        StringJoiner json = new StringJoiner(",", "[", "]");
        for (int i = 0; i < events; i++) {
            int id = random.nextInt(KEYS);
            Instant created = Instant.now().minus(random.nextInt(30 * 24 * 60), ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
            json.add("""
                    {"order_id": "o-%d", "version": %d, "status": "%s", "customer_id": %d, "total": %d.%02d, "currency": "%s", \
                    "items": %d, "region": "%s", "created_at": "%s"}"""
                    .formatted(id, version++, STATUSES[random.nextInt(STATUSES.length)], 1000 + id % 5000, random.nextInt(500),
                            random.nextInt(100), CURRENCIES[random.nextInt(CURRENCIES.length)], 1 + random.nextInt(6),
                            REGIONS[id % REGIONS.length], created));
        }
        return json.toString();
    }
}
