package dev.pintp.systemd.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code daemon}: the job's cycle every interval on the calling thread, until {@link #stop}. Cycles start on a fixed
 * rate from the first one; a cycle that overruns delays the next, never overlaps it. A failing cycle fails closed
 * as a failed {@code run} does ({@link MonitorJob#runOnce()}: the drop-in removed, the controller restarted, the
 * reason logged at {@code err}) and the next one runs as planned. {@link #stop} may be called from any thread (the
 * shutdown hook).
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    private final MonitorJob job;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** A daemon running {@code job} every {@code interval}. */
    public Daemon(MonitorJob job, Duration interval) {
        this.job = Objects.requireNonNull(job, "job");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    /** Runs cycles until {@link #stop()}; returns 0. */
    public int run() {
        LOG.info("daemon started: a check every {} s", interval.toSeconds());
        try {
            long next = System.nanoTime();
            while (stop.getCount() > 0) {
                try {
                    job.runOnce(); // a cycle that fails ends power saving and logs why
                } catch (RuntimeException e) {
                    // runOnce fails closed on its own; this is only a last resort
                    job.failClosed("unexpected " + e);
                }
                next += interval.toNanos();
                long wait = next - System.nanoTime();
                if (wait < 0) {
                    next = System.nanoTime();
                    wait = 0;
                }
                if (stop.await(wait, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOG.info("daemon stopped");
            stopped.countDown();
        }
        return 0;
    }

    /** Asks the loop to end after the current cycle and waits at most {@code timeout} for it. */
    public void stop(Duration timeout) throws InterruptedException {
        stop.countDown();
        stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
