package dev.pintp.ntp;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the time every {@link NtpConfig#checkInterval()} on one scheduler thread, applies flap damping
 * ({@link SyncState}: losing immediate, regaining at the next good check unless damped) and drift tracking ({@link DriftHistory}), feeds {@link NtpMetrics} and tells listeners.
 * For a controller that embeds the library and switches its power saving live instead of being restarted.
 *
 * <pre>{@code
 * try (NtpMonitor monitor = NtpMonitor.create(NtpConfig.ofDefaults())) {
 *     monitor.addListener(new NtpMonitorListener() {
 *         public void onVerdictChange(MonitorStatus previous, MonitorStatus current) {
 *             powerSaving.set(current.maySavePower());
 *         }
 *     });
 *     monitor.start();
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #current()} never throws and answers {@link Verdict#UNKNOWN} before the first check. A check
 * that throws anything (it should not; an {@link Error} too), or that ends more than {@link #DEADLINE_GRACE} after
 * {@link NtpConfig#checkDeadline()}, is a check that could not be made: it is logged, the stable state is lost at once
 * ({@link SyncState#failed}), {@link MonitorStatus#failure()} says why and {@link MonitorStatus#maySavePower()} is
 * false; the schedule goes on. While a check runs beyond that time, {@link #current()} already reports it so.
 */
public final class NtpMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NtpMonitor.class);
    /**
     * How long after {@link NtpConfig#checkDeadline()} a check may still end and count: the checker itself ends at
     * its deadline, so this only absorbs scheduling delays on a loaded machine.
     */
    public static final java.time.Duration DEADLINE_GRACE = java.time.Duration.ofSeconds(1);

    private final NtpConfig config;
    private final NtpChecker checker;
    private final Clock clock;
    private final Ticker ticker;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final NtpMetrics metrics;
    private final List<NtpMonitorListener> listeners = new CopyOnWriteArrayList<>();
    /** Held while a check and its listeners run, so that close() can wait for them. */
    private final ReentrantLock running = new ReentrantLock();
    private volatile MonitorStatus status;
    /** Ticker reading when the check under way started; {@link Long#MIN_VALUE} when none is under way. */
    private volatile long checkStarted = Long.MIN_VALUE;
    private ScheduledFuture<?> task;
    private volatile boolean closed;

    private NtpMonitor(Builder b) {
        this.config = b.config;
        this.checker = b.checker != null ? b.checker : NtpChecker.create(b.config);
        this.clock = b.clock;
        this.ticker = b.ticker;
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ntp-monitor");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        this.metrics = new NtpMetrics(b.config);
        this.listeners.addAll(b.listeners);
        this.status = MonitorStatus.unknown(b.initialState);
    }

    /** A monitor with a real checker ({@link NtpChecker#create(NtpConfig)}), the system clock and its own thread. */
    public static NtpMonitor create(NtpConfig config) {
        return custom(config).build();
    }

    /** A builder for a monitor of {@code config}. */
    public static Builder custom(NtpConfig config) {
        return new Builder(config);
    }

    /**
     * Schedules the checks: the first at once, then each {@link NtpConfig#checkInterval()} after the previous one
     * ended. Calling it again while running does nothing.
     *
     * @return this monitor
     * @throws IllegalStateException when the monitor was closed
     */
    public synchronized NtpMonitor start() {
        if (closed) {
            throw new IllegalStateException("monitor is closed");
        }
        if (task == null) {
            long interval = config.checkInterval().toNanos();
            task = scheduler.scheduleWithFixedDelay(this::runCheck, 0, interval, TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /**
     * The current status; never throws, never null. Before the first check the verdict is {@link Verdict#UNKNOWN}
     * (with the initial state). While a check runs beyond its deadline plus {@link #DEADLINE_GRACE}, the status is
     * that of a failed check (the stable state lost, {@link MonitorStatus#failure()} present), before the check ends.
     */
    public MonitorStatus current() {
        MonitorStatus s = status;
        long started = checkStarted;
        if (started != Long.MIN_VALUE) {
            long running = ticker.read() - started;
            if (running > limitNanos()) {
                return s.overdue("check still running after " + seconds(running) + ", beyond its deadline of "
                        + seconds(config.checkDeadline().toNanos()), s.state().failed(clock.instant(), config));
            }
        }
        return s;
    }

    private long limitNanos() {
        return config.checkDeadline().plus(DEADLINE_GRACE).toNanos();
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.US, "%.3f s", nanos / 1e9);
    }

    /** The monitor's meters; bind them with {@code monitor.metrics().bindTo(registry)}. */
    public NtpMetrics metrics() {
        return metrics;
    }

    /** The configuration the monitor runs with. */
    public NtpConfig config() {
        return config;
    }

    /** Adds a listener; it sees the checks that complete from now on. Thread-safe. */
    public void addListener(NtpMonitorListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener added before; does nothing if it is not there. Thread-safe. */
    public void removeListener(NtpMonitorListener listener) {
        listeners.remove(listener);
    }

    /**
     * Stops scheduling checks and waits for a check in progress to finish with its listeners (at most
     * {@link NtpConfig#checkDeadline()} plus 10 s, for a listener that hangs): once it returns, no listener is called
     * any more. Called from a listener, it cannot wait for the check it is part of and returns at once. Shuts down the
     * scheduler if the monitor created it, not one that was injected. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (task != null) {
                task.cancel(false);
            }
            if (ownsScheduler) {
                scheduler.shutdown();
            }
        }
        if (running.isHeldByCurrentThread()) {
            return;
        }
        long waitMillis = config.checkDeadline().plusSeconds(10).toMillis();
        try {
            if (running.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
                running.unlock();
            } else {
                LOG.warn("close(): a check or listener still running after {} ms; not waiting for it", waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runCheck() {
        running.lock();
        try {
            if (closed) {
                return;
            }
            runCheckLocked();
        } finally {
            running.unlock();
        }
    }

    private void runCheckLocked() {
        MonitorStatus previous = status;
        CheckResult result;
        String failure = null;
        long start = ticker.read();
        checkStarted = start;
        try {
            result = checker.check();
            long took = ticker.read() - start;
            if (took > limitNanos()) {
                failure = "check took " + seconds(took) + ", beyond its deadline of "
                        + seconds(config.checkDeadline().toNanos());
            }
        } catch (Throwable e) {
            result = null;
            failure = "check failed: " + e;
            LOG.error("NTP check failed; the stable state is lost and the monitor goes on with the next one", e);
        } finally {
            checkStarted = Long.MIN_VALUE;
        }
        try {
            if (failure != null) {
                if (result != null) {
                    LOG.error("NTP {}; counted as a failed check", failure);
                }
                failed(previous, failure);
                return;
            }
            SyncState nextState = previous.state().next(result, clock.instant(), config);
            DriftHistory drift = previous.drift().next(result, config);
            MonitorStatus next = new MonitorStatus(nextState, Optional.of(result), Optional.empty(), drift,
                    previous.checks() + 1);
            status = next;
            CheckResult checked = result;
            metrics.record(result);
            metrics.recordStable(next.verdict(), next.quality());
            metrics.recordDrift(drift);
            for (NtpMonitorListener l : listeners) {
                notify(l, "onCheck", () -> l.onCheck(checked));
            }
            tellChange(previous, next);
            for (DriftAlert alert : drift.alerts()) {
                for (NtpMonitorListener l : listeners) {
                    notify(l, "onDriftAlert", () -> l.onDriftAlert(alert));
                }
            }
        } catch (Throwable e) {
            // Anything escaping a periodic task would silently cancel all later checks.
            LOG.error("NTP check failed; the monitor goes on with the next one", e);
            failed(previous, "check failed: " + e);
        }
    }

    /** Records a check that could not be made: the stable state is lost at once, and the listeners hear it. */
    private void failed(MonitorStatus previous, String why) {
        try {
            SyncState lost = previous.state().failed(clock.instant(), config);
            MonitorStatus next = new MonitorStatus(lost, Optional.empty(), Optional.of(why), previous.drift(),
                    previous.checks() + 1);
            status = next;
            metrics.recordStable(next.verdict(), next.quality());
            tellChange(previous, next);
        } catch (Throwable e) {
            LOG.error("recording a failed check failed", e);
        }
    }

    /** Tells the listeners when the stable state changed, the failure status flipped, or this is the first check. */
    private void tellChange(MonitorStatus previous, MonitorStatus next) {
        if (previous.verdict() == Verdict.UNKNOWN || !next.state().sameStable(previous.state())
                || previous.maySavePower() != next.maySavePower()) {
            for (NtpMonitorListener l : listeners) {
                notify(l, "onVerdictChange", () -> l.onVerdictChange(previous, next));
            }
        }
    }

    private static void notify(NtpMonitorListener listener, String method, Runnable call) {
        try {
            call.run();
        } catch (Throwable e) {
            // Errors and sneaky checked exceptions too: a listener must not be able to stop the monitor.
            LOG.warn("listener {} threw from {}; ignored", listener, method, e);
        }
    }

    /** Builder of {@link NtpMonitor}. Not thread-safe. */
    public static final class Builder {
        private final NtpConfig config;
        private NtpChecker checker;
        private Clock clock = Clock.systemUTC();
        private Ticker ticker = Ticker.system();
        private ScheduledExecutorService scheduler;
        private final List<NtpMonitorListener> listeners = new ArrayList<>();
        private SyncState initialState = SyncState.initial();

        private Builder(NtpConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The checker; default {@link NtpChecker#create(NtpConfig)} of the monitor's configuration. */
        public Builder checker(NtpChecker checker) {
            this.checker = Objects.requireNonNull(checker, "checker");
            return this;
        }

        /** Wall clock for the decay of the flap-damping penalty; default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Elapsed time, to tell a check that ran beyond its deadline; default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The scheduler to run checks and listeners on; default a new single daemon thread named
         * {@code ntp-monitor}, shut down by {@link #close()}. An injected scheduler is not shut down by the monitor;
         * use a single-threaded one, since listeners are promised one call at a time.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Adds a listener. */
        public Builder listener(NtpMonitorListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The stable state to start from, for example one persisted by a previous run; default initial. */
        public Builder initialState(SyncState state) {
            this.initialState = Objects.requireNonNull(state, "state");
            return this;
        }

        /** The monitor, not yet started. */
        public NtpMonitor build() {
            return new NtpMonitor(this);
        }
    }
}
