package dev.upsertingest.worker.consume;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class WriterSlotsTest {

    private final AtomicLong clock = new AtomicLong();

    @Test
    void noMoreTransactionsRunAtOnceThanThereAreSlots() throws Exception {
        WriterSlots slots = new WriterSlots(2, clock::get);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            threads.add(writer(slots, () -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                release.await();
                running.decrementAndGet();
                return null;
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.busy() == 2 && slots.waiting() == 3);
        assertThat(running.get()).isEqualTo(2);
        release.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(most.get()).isEqualTo(2);
        assertThat(slots.busy()).isZero();
        assertThat(slots.waiting()).isZero();
    }

    @Test
    void slotsAreGrantedInArrivalOrder() throws Exception {
        WriterSlots slots = new WriterSlots(1, clock::get);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = writer(slots, () -> {
            holding.countDown();
            release.await();
            return null;
        });
        holding.await();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Thread> waiters = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            waiters.add(Thread.ofPlatform().start(() -> slots.run(() -> order.add(id), new WriterSlots.Waited())));
            int queued = i + 1;
            await().atMost(Duration.ofSeconds(10)).until(() -> slots.waiting() == queued);
        }
        release.countDown();
        holder.join(10_000);
        for (Thread waiter : waiters) {
            waiter.join(10_000);
        }
        assertThat(order).containsExactly(0, 1, 2, 3);
    }

    @Test
    void aFailedTransactionGivesItsSlotBackAndItsErrorToTheCaller() {
        WriterSlots slots = new WriterSlots(1, clock::get);
        assertThatThrownBy(() -> slots.run(() -> {
            throw new SQLException("connection refused", "08001");
        }, new WriterSlots.Waited())).isInstanceOf(SQLException.class).hasMessage("connection refused");
        assertThat(slots.busy()).isZero();
        assertThat(slots.run(() -> "written", new WriterSlots.Waited())).isEqualTo("written");
    }

    @Test
    void theWaitIsAddedUpAcrossTheTransactionsOfOneBatch() throws Exception {
        // A clock that moves 3 ns each time it is read: once before waiting, once after the slot was granted.
        WriterSlots ticking = new WriterSlots(1, () -> clock.addAndGet(3));
        WriterSlots.Waited waited = new WriterSlots.Waited();
        ticking.run(() -> null, waited);
        ticking.run(() -> null, waited);
        assertThat(waited.nanos()).isEqualTo(6);
    }

    @Test
    void aThreadInterruptedWhileWaitingDoesNotWriteAndKeepsItsInterrupt() throws Exception {
        WriterSlots slots = new WriterSlots(1, clock::get);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = writer(slots, () -> {
            holding.countDown();
            release.await();
            return null;
        });
        holding.await();
        AtomicInteger wrote = new AtomicInteger();
        AtomicInteger interruptedAfter = new AtomicInteger();
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                slots.run(wrote::incrementAndGet, new WriterSlots.Waited());
            } catch (RuntimeException e) {
                thrown.add(e);
                interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> slots.waiting() == 1);
        waiter.interrupt();
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        release.countDown();
        holder.join(10_000);
        assertThat(thrown).singleElement().isInstanceOf(WriterSlots.WriterSlotInterruptedException.class);
        assertThat(interruptedAfter.get()).isEqualTo(1);
        assertThat(wrote.get()).isZero();
        assertThat(slots.busy()).isZero();
        assertThat(slots.waiting()).isZero();
    }

    /** A thread that writes {@code work} in a slot. */
    private static Thread writer(WriterSlots slots, WriterSlots.Work<Object, Exception> work) {
        return Thread.ofPlatform().start(() -> {
            try {
                slots.run(work, new WriterSlots.Waited());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aSlotIsNeeded() {
        assertThatThrownBy(() -> new WriterSlots(0, clock::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
