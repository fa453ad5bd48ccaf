package dev.upsertingest.cli;

import dev.upsertingest.ops.DeadLetterList;
import dev.upsertingest.ops.OpsJson;
import dev.upsertingest.ops.ReplayResult;
import dev.upsertingest.ops.SystemStatus;
import dev.upsertingest.testing.KafkaBroker;
import dev.upsertingest.testing.TestDatabase;
import dev.upsertingest.testing.TestInfrastructure;
import dev.upsertingest.worker.it.TestEvents;
import dev.upsertingest.worker.it.WorkerHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * bin/ingest status | rebuild | refresh | dlt against a running system: a real PostgreSQL and Kafka broker and the
 * real worker, the commands run as bin/ingest runs them, logged in as a login that has nothing but the role
 * ingest_admin (so the grants of V8__operations.sql are what is tested). Each test is an operator's story: look at the
 * system, a dead-letter incident from rejection to replay, a rebuild by hand, a refresh by hand.
 */
class OperationsCommandsIT {

    private static final String KEY = "[{\"name\": \"order_id\", \"type\": \"text\", \"pointer\": \"/order_id\"}]";
    private static final String COLUMNS = "[{\"name\": \"status\", \"type\": \"text\", \"pointer\": \"/status\"}]";

    private final KafkaBroker kafka = TestInfrastructure.kafka();
    private TestDatabase db;
    private String topic;
    private String login;
    private WorkerHarness worker;

    record Run(int status, String out, String err) {
    }

    @BeforeEach
    void aStreamWithAViewAndAnOperatorsLogin() {
        db = TestInfrastructure.migratedDatabase("cli_ops");
        topic = TestEvents.uniqueTopic("orders");
        kafka.createTopic(topic, 2, Map.of("cleanup.policy", "compact"));
        db.execute("select ingest.declare_stream('orders', '" + topic + "', '" + KEY + "')");
        // A long interval: after its first fill the view is refreshed again only when asked.
        db.execute("select ingest.declare_view('orders_view', 'orders', '" + COLUMNS + "', refresh_interval => '1 hour')");
        login = "ops_" + db.name().toLowerCase().replaceAll("[^a-z0-9_]", "_");
        db.execute("create role " + login + " login password 'ops' in role ingest_admin");
        worker = startWorker("16B");
    }

    @AfterEach
    void stop() {
        if (worker != null) {
            worker.close();
        }
        db.execute("drop owned by " + login);
        db.execute("drop role " + login);
    }

    private WorkerHarness startWorker(String maxKeySize) {
        return WorkerHarness.builder(db, kafka)
                .property("ingest.events.max-key-size", maxKeySize)
                .property("ingest.recovery.check-interval", "1s")
                .start();
    }

    /** Runs bin/ingest's command line in this JVM, with the target appended. */
    private Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--jdbc-url", db.jdbcUrl(), "--db-user", login, "--db-password=ops",
                "--bootstrap-servers", kafka.bootstrapServers(), "--group", worker.groupId(), "--timeout=20s"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = IngestCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int status = cli.execute(all.toArray(String[]::new));
        // What an operator sees, in the test's output (docs/operations.md shows these).
        System.out.printf("$ bin/ingest %s%n%s%s[exit %d]%n", String.join(" ", args), out, err, status);
        return new Run(status, out.toString(), err.toString());
    }

    private void orders(int from, int to, String status) {
        try (TestEvents events = new TestEvents(kafka)) {
            for (int i = from; i <= to; i++) {
                String id = "o-" + i;
                events.send(topic, id, "{\"order_id\": \"" + id + "\", \"status\": \"" + status + "\"}");
            }
            events.flush();
        }
    }

    private void rejectedOnes() {
        try (TestEvents events = new TestEvents(kafka)) {
            String longId = "customer-42-order-000000001"; // 27 bytes, over the 16-byte limit the worker runs with
            events.send(topic, longId, "{\"order_id\": \"" + longId + "\", \"status\": \"paid\"}")
                    .send(topic, "x", "{not json")
                    .flush();
        }
    }

    private SystemStatus status() {
        Run run = cli("status", "--output=json", "--sample=1s");
        assertThat(run.status()).as(run.err()).isZero();
        return OpsJson.MAPPER.readValue(run.out(), SystemStatus.class);
    }

    @Test
    void statusShowsEveryStreamAndViewAsATableAndAsJson() {
        orders(1, 10, "paid");
        rejectedOnes();
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.orders") == 10);
        // The view's first refresh may have run before the events arrived; the next is an hour away: ask for it.
        assertThat(cli("refresh", "orders_view").status()).isZero();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            SystemStatus status = status();
            SystemStatus.Stream orders = status.streams().getFirst();
            assertThat(orders.name()).isEqualTo("orders");
            assertThat(orders.topic()).isEqualTo(topic);
            assertThat(orders.lag()).isZero();
            assertThat(orders.partitions()).hasSize(2);
            assertThat(orders.partitions().stream().mapToLong(SystemStatus.PartitionLag::endOffset).sum()).isEqualTo(12);
            assertThat(orders.deadLetters()).containsExactlyInAnyOrderEntriesOf(Map.of("key_too_long", 1L, "invalid_json", 1L));
            assertThat(orders.tableRows()).as("statistics reach n_live_tup within seconds").isEqualTo(10);
            assertThat(orders.tableBytes()).isPositive();
            assertThat(orders.rowsPerSecond()).isNotNull();
            assertThat(status.groupId()).isEqualTo(worker.groupId());
            SystemStatus.View view = status.views().getFirst();
            assertThat(view.name()).isEqualTo("orders_view");
            assertThat(view.mode()).isEqualTo("incremental");
            assertThat(view.interval()).isEqualTo("PT1H");
            assertThat(view.rows()).isEqualTo(10);
            assertThat(view.lastOutcome()).isEqualTo("ok");
        });

        Run table = cli("status", "--partitions");
        assertThat(table.status()).as(table.err()).isZero();
        assertThat(table.out())
                .contains("Streams (consumer group " + worker.groupId())
                .containsPattern("orders\\s+unlogged\\s+10\\s+\\S+ \\S*B\\s+0\\s")
                .contains("2 (invalid_json 1, key_too_long 1)")
                .contains("PARTITION")
                .containsPattern("orders_view\\s+orders\\s+incremental\\s+1h\\s+10\\s")
                .contains("Dead letters: bin/ingest dlt list orders shows them.");
    }

    @Test
    void aDeadLetterIncidentFromRejectionToReplay() {
        orders(1, 5, "paid");
        rejectedOnes();
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.orders") == 5);
        await().atMost(Duration.ofSeconds(60)).until(() -> cli("dlt", "list", "orders").out().contains("2 dead letter(s) match"));

        Run list = cli("dlt", "list", "orders");
        assertThat(list.out()).contains(topic + ".dlt: 2 dead letter(s) match (invalid_json 1, key_too_long 1)")
                .contains("PARTITION").contains("the key is").doesNotContain("\"status\"");
        DeadLetterList letters = OpsJson.MAPPER.readValue(cli("dlt", "list", "orders", "--reason", "key_too_long", "-o", "json").out(),
                DeadLetterList.class);
        assertThat(letters.matched()).isEqualTo(1);
        var letter = letters.letters().getFirst();
        assertThat(letter.key()).isEqualTo("customer-42-order-000000001");
        assertThat(letter.value()).as("never the document unless asked").isNull();
        assertThat(letter.originalTopic()).isEqualTo(topic);

        Run show = cli("dlt", "show", "orders", String.valueOf(letter.partition()), String.valueOf(letter.offset()));
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("reason:    key_too_long").contains("ingest.dlt.original.offset")
                .contains("not shown (--with-value prints it)").doesNotContain("\"paid\"");
        assertThat(cli("dlt", "show", "orders", String.valueOf(letter.partition()), String.valueOf(letter.offset()), "--with-value").out())
                .contains("\"status\": \"paid\"");
        Run missing = cli("dlt", "show", "orders", "0", "999");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("there is no dead letter at " + topic + ".dlt partition 0 offset 999");

        Run unsaid = cli("dlt", "replay", "orders");
        assertThat(unsaid.status()).isEqualTo(2);
        assertThat(unsaid.err()).contains("--all");
        Run dry = cli("dlt", "replay", "orders", "--reason", "key_too_long", "--dry-run");
        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("dry run: 1 of orders letter(s) matching: 1 would be sent back to " + topic);
        assertThat(db.count("select count(*) from ingest.dead_letter_replay")).as("a dry run sends nothing").isZero();

        // The cause is fixed: keys of that length are allowed now.
        worker.close();
        worker = startWorker("512B");
        Run replay = cli("dlt", "replay", "orders", "--reason", "key_too_long");
        assertThat(replay.status()).as(replay.err()).isZero();
        assertThat(replay.out()).contains("1 of orders letter(s) matching: 1 sent back to " + topic + " (key_too_long 1)")
                .contains("recorded in ingest.dead_letter_replay");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                db.count("select count(*) from streams.orders where order_id = 'customer-42-order-000000001'") == 1);

        Run again = cli("dlt", "replay", "orders", "--reason", "key_too_long", "-o", "json");
        ReplayResult second = OpsJson.MAPPER.readValue(again.out(), ReplayResult.class);
        assertThat(second.replayed()).as("each letter at most once").isZero();
        assertThat(second.alreadyReplayed()).isEqualTo(1);
        assertThat(db.count("select count(*) from ingest.dead_letter_replay where target_offset is not null")).isEqualTo(1);
        assertThat(cli("dlt", "list", "orders").out()).contains("2 dead letter(s) match");
        assertThat(status().streams().getFirst().replayed()).isEqualTo(1);
    }

    @Test
    void aRebuildByHandRefillsTheTableAndRefusesASecondWhileItRuns() {
        orders(1, 20, "paid");
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.orders") == 20);
        db.execute("delete from streams.orders where order_id in ('o-1', 'o-2')"); // someone's hand slipped

        Run started = cli("rebuild", "orders", "--wait=false");
        assertThat(started.status()).as(started.err()).isZero();
        assertThat(started.out()).containsPattern("rebuild \\d+ of orders started \\(requested by ");
        Run second = cli("rebuild", "orders");
        assertThat(second.status()).isEqualTo(1);
        assertThat(second.err()).contains("bin/ingest rebuild: stream orders is being rebuilt already (rebuild ");
        Run unknown = cli("rebuild", "nope");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("there is no stream nope");

        await().atMost(Duration.ofSeconds(90)).until(() ->
                "done".equals(status().streams().getFirst().rebuild().state()));
        assertThat(db.count("select count(*) from streams.orders")).as("the replay put back what the topic has").isEqualTo(20);

        Run emptied = cli("rebuild", "orders", "--empty-table");
        assertThat(emptied.status()).as(emptied.out() + emptied.err()).isZero();
        assertThat(emptied.out()).contains("(table emptied first)").contains("events replayed, took");
        assertThat(db.count("select count(*) from streams.orders")).isEqualTo(20);
    }

    @Test
    void aRefreshByHandRunsNowWhateverTheInterval() {
        orders(1, 3, "paid");
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.orders") == 3);
        // The view's first refresh may have run before the events arrived, and the next is an hour away.
        assertThat(cli("refresh", "orders_view").status()).isZero();
        assertThat(db.count("select count(*) from views.orders_view")).isEqualTo(3);
        orders(4, 6, "shipped");
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("select count(*) from streams.orders") == 6);
        assertThat(db.count("select count(*) from views.orders_view")).as("not due for an hour").isEqualTo(3);

        Run refresh = cli("refresh", "orders_view");
        assertThat(refresh.status()).as(refresh.err()).isZero();
        assertThat(refresh.out()).contains("refresh of orders_view (incremental) asked for at")
                .contains("orders_view refreshed at").contains("ok, 6 rows");
        assertThat(db.count("select count(*) from views.orders_view")).isEqualTo(6);

        Run unknown = cli("refresh", "nope");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).contains("there is no view nope");
    }
}
