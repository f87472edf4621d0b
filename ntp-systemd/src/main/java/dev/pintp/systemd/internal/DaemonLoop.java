package dev.pintp.systemd.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both daemon modes ({@link Daemon}, {@link CheckServer}) share: a loop on the calling thread until it is asked
 * to stop, a {@link #stop} callable from any thread that waits for the loop's end, and the shutdown hook that calls
 * it when systemd stops the unit (SIGTERM). The loop's end is logged once, {@code daemon stopped}, however it ends.
 */
public abstract class DaemonLoop {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");
    /** How long the shutdown hook waits for the current check to end. */
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Subclasses only. */
    DaemonLoop() {
    }

    /**
     * The loop itself, on the calling thread, until {@link #requestStop} takes effect.
     *
     * @return {@link #run}'s status
     * @throws InterruptedException when the thread is interrupted while waiting; {@link #run} then returns 0
     */
    abstract int loop() throws InterruptedException;

    /** Makes {@link #loop} end after the current check; called once per {@link #stop}, from any thread. */
    abstract void requestStop();

    /**
     * Runs the loop until {@link #stop}, or until it ends on its own.
     *
     * @return the loop's status; 0 when the thread was interrupted (the interrupt is kept)
     */
    public final int run() {
        try {
            return loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            LOG.info("daemon stopped");
            stopped.countDown();
        }
    }

    /** Asks the loop to end after the current check and waits at most {@code timeout} for it. */
    public final void stop(Duration timeout) throws InterruptedException {
        requestStop();
        stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Installs a JVM shutdown hook (thread {@code ntp-monitor-shutdown}) that stops this loop and waits
     * {@link #SHUTDOWN_WAIT} at most for the current check, so that SIGTERM never cuts a check in half.
     */
    public final void stopAtShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stop(SHUTDOWN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ntp-monitor-shutdown"));
    }
}
