package dev.upsertingest.worker.errors;

import dev.upsertingest.worker.errors.DeadLetterException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class FailingBatchesTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final FailingBatches failing = new FailingBatches(Duration.ofSeconds(60), now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void aBatchThatKeepsFailingIsStuckOnceItFailedLongerThanTheGrace() {
        assertThat(failing.failingFor()).isZero();
        failing.failed(new DeadLetterException("a dead letter could not be sent: too large\nsecond line", null), List.of(P0));
        advance(Duration.ofSeconds(30));
        FailingBatches.Attempt second = failing.failed(
                new DeadLetterException("a dead letter could not be sent: still too large", null), List.of(P0));

        assertThat(second.batch().lastError()).isEqualTo("DeadLetterException: a dead letter could not be sent: still too large");
        assertThat(second.becameStuck()).isFalse();
        assertThat(failing.failingFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(failing.stuck()).as("within the grace").isEmpty();

        advance(Duration.ofSeconds(31));
        assertThat(failing.stuck()).hasValueSatisfying(batch -> assertThat(batch.stuck()).as("no attempt saw it yet").isFalse());
        assertThat(failing.failed(new IllegalStateException("third"), List.of(P0)).becameStuck()).isTrue();
        assertThat(failing.failed(new IllegalStateException("fourth"), List.of(P0)).becameStuck()).as("said once").isFalse();
        assertThat(failing.stuck()).hasValueSatisfying(batch -> {
            assertThat(batch.attempts()).isEqualTo(4);
            assertThat(batch.stuck()).isTrue();
            assertThat(batch.partitions()).containsExactly(P0);
        });
    }

    @Test
    void aSuccessEndsIt() {
        failing.failed(new IllegalStateException("boom"), List.of(P0));
        advance(Duration.ofMinutes(5));
        assertThat(failing.succeeded()).hasValueSatisfying(batch -> assertThat(batch.attempts()).isEqualTo(1));

        assertThat(failing.failingFor()).isZero();
        assertThat(failing.stuck()).isEmpty();
    }

    @Test
    void theErrorShownIsItsFirstLineOnlyAndShort() {
        failing.failed(new IllegalStateException("x".repeat(1000) + "\nDetail: Failing row contains (secret)"), List.of(P0));

        String error = failing.longest().orElseThrow().lastError();
        assertThat(error).doesNotContain("secret").hasSizeLessThan(310).endsWith("...");
    }

    @Test
    void aRebalanceThatTakesTheBatchsPartitionsAwayForgetsItOneThatKeepsThemDoesNot() {
        failing.failed(new IllegalStateException("boom"), List.of(P0, P1));
        advance(Duration.ofSeconds(10));

        failing.assigned(Set.of(P1));
        assertThat(failing.failingFor()).as("P1 stayed: the batch is retried and keeps its time").isEqualTo(Duration.ofSeconds(10));

        failing.assigned(Set.of(new TopicPartition("orders", 2)));
        assertThat(failing.longest()).as("another consumer has the partitions now").isEmpty();
    }

    @Test
    void threadsFailOnTheirOwnAndTheLongestCounts() throws InterruptedException {
        failing.failed(new IllegalStateException("first"), List.of(P0));
        advance(Duration.ofSeconds(20));
        Thread other = new Thread(() -> failing.failed(new IllegalStateException("second"), List.of(P1)));
        other.start();
        other.join();
        advance(Duration.ofSeconds(5));

        assertThat(failing.failingFor()).isEqualTo(Duration.ofSeconds(25));
        failing.succeeded(); // this thread's batch went through; the other thread's still fails
        assertThat(failing.failingFor()).isEqualTo(Duration.ofSeconds(5));
        failing.clear();
        assertThat(failing.longest()).isEmpty();
    }
}
