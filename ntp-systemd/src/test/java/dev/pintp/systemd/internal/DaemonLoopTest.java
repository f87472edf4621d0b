package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link DaemonLoop}: what both daemon modes share, run until stopped and logged once when it ends. */
class DaemonLoopTest {
    @RegisterExtension
    final JournalCapture journal = new JournalCapture(true, JournalSink.INFO);

    /** A loop that waits for its stop request, then for {@code release} (the end of its current check). */
    private static final class Blocking extends DaemonLoop {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch stopRequested = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean ended = new AtomicBoolean();

        @Override
        int loop() throws InterruptedException {
            started.countDown();
            stopRequested.await();
            release.await();
            ended.set(true);
            return 7;
        }

        @Override
        void requestStop() {
            stopRequested.countDown();
        }
    }

    private List<String> stoppedLines() {
        return journal.text().lines().filter(l -> l.endsWith("daemon stopped")).toList();
    }

    @Test
    void stopWaitsForTheLoopToEndAndItsStatusIsReturned() throws Exception {
        Blocking loop = new Blocking();
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> running = ex.submit(loop::run);
            assertTrue(loop.started.await(10, TimeUnit.SECONDS));
            Thread releaser = new Thread(() -> {
                try {
                    loop.stopRequested.await();
                    loop.release.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            releaser.start();
            loop.stop(Duration.ofSeconds(30));
            assertTrue(loop.ended.get(), "stop returned only once the loop had ended");
            assertEquals(7, running.get(10, TimeUnit.SECONDS));
            releaser.join();
        } finally {
            ex.shutdownNow();
        }
        assertEquals(List.of("<6>daemon stopped"), stoppedLines());
    }

    @Test
    void anInterruptedLoopReturnsZeroKeepsTheInterruptAndIsLoggedOnce() throws Exception {
        Blocking loop = new Blocking();
        AtomicBoolean interrupted = new AtomicBoolean();
        int[] status = {-1};
        Thread t = new Thread(() -> {
            status[0] = loop.run();
            interrupted.set(Thread.currentThread().isInterrupted());
        });
        t.start();
        assertTrue(loop.started.await(10, TimeUnit.SECONDS));
        t.interrupt();
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(0, status[0]);
        assertTrue(interrupted.get(), "the interrupt is kept for the caller");
        assertEquals(List.of("<6>daemon stopped"), stoppedLines());
    }
}
