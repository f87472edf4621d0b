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
 * reason logged at {@code err}) and the next one runs as planned. Run, stop and shutdown as {@link DaemonLoop}.
 */
public final class Daemon extends DaemonLoop {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    private final MonitorJob job;
    private final Duration interval;
    private final CountDownLatch stop = new CountDownLatch(1);

    /** A daemon running {@code job} every {@code interval}. */
    public Daemon(MonitorJob job, Duration interval) {
        this.job = Objects.requireNonNull(job, "job");
        this.interval = Objects.requireNonNull(interval, "interval");
    }

    /** Runs cycles until {@link #stop}; returns 0. */
    @Override
    int loop() throws InterruptedException {
        LOG.info("daemon started: a check every {} s", interval.toSeconds());
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
        return 0;
    }

    /** The loop ends after the current cycle. */
    @Override
    void requestStop() {
        stop.countDown();
    }
}
