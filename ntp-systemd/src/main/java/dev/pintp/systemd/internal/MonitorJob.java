package dev.pintp.systemd.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DriftAlert;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.Verdict;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cycle of the job, what {@code run} does once and {@code daemon} every interval: check, hysteresis, the
 * controller's drop-in, timesyncd steering, alerts, metrics. Runs are serialized by a file lock. Not thread-safe:
 * one thread calls {@link #runOnce()}.
 */
public final class MonitorJob {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");
    static final String TIMESYNCD = "systemd-timesyncd.service";
    /** The timesyncd steering drop-in the job writes, on the target system (uninstall removes it too). */
    static final Path STEERING = Settings.STEERING_DIR.resolve(Settings.STEERING_DROP_IN);
    /** How long a check may run over its own deadline before the run gives up on it (as NtpMonitor waits). */
    static final Duration CHECK_GRACE = Duration.ofSeconds(10);

    private final Settings settings;
    private final Path root;
    private final Systemctl systemctl;
    private final AtomicFiles files;
    private final Clock clock;
    private final Function<BackoffState, NtpChecker> checkers;
    private final AlertSink alerts;
    private final Consumer<String> metrics;
    private final StateStore store;
    private final Duration lockWait;
    private NtpChecker checker;
    private FutureTask<CheckResult> pending;
    private Duration checkGrace = CHECK_GRACE;
    // What the running cycle loaded, for failClosed: null before the state was read
    private JobState loaded;
    private boolean appliedKnown;

    /**
     * @param root the file root ({@code /} in production)
     * @param checkers makes the checker from the persisted backoff; called once, at the first run
     * @param metrics receives the Prometheus text after each run (the daemon's {@code /metrics}); may ignore it
     * @param lockWait how long to wait for another run holding the lock before giving up
     */
    public MonitorJob(Settings settings, Path root, Systemctl systemctl, AtomicFiles files, Clock clock,
            Function<BackoffState, NtpChecker> checkers, AlertSink alerts, Consumer<String> metrics, Duration lockWait) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.root = Objects.requireNonNull(root, "root");
        this.systemctl = Objects.requireNonNull(systemctl, "systemctl");
        this.files = Objects.requireNonNull(files, "files");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.checkers = Objects.requireNonNull(checkers, "checkers");
        this.alerts = Objects.requireNonNull(alerts, "alerts");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.lockWait = Objects.requireNonNull(lockWait, "lockWait");
        this.store = new StateStore(Settings.under(root, settings.stateDirectory()),
                Settings.under(root, settings.runtimeDirectory()), files);
    }

    /** The store this job uses. */
    public StateStore store() {
        return store;
    }

    /**
     * Runs one cycle under the lock. A cycle that cannot do its job (a state file unreadable, a file that cannot be
     * written, the lock not obtained, the check not finished in time, any unexpected exception) fails closed: the
     * controller's drop-in is removed, the manager reloaded and the controller try-restarted as for a loss of sync,
     * the reason logged at {@code err}, and 1 returned. A corrupt state file is moved aside first
     * ({@link StateStore#load}) and the run fails closed the same way.
     *
     * @return 0 when the cycle did what it had to (synchronized or not), 1 when systemctl failed (the state did not
     *     advance; the next run retries) or the run failed closed
     */
    public int runOnce() {
        loaded = null;
        appliedKnown = true;
        FileChannel ch = null;
        FileLock lock = null;
        try {
            Files.createDirectories(store.runtimeDir());
            Files.createDirectories(store.stateDir());
            ch = store.openLock();
            lock = acquire(ch);
            return cycle();
        } catch (CannotDecide e) {
            return failClosed(e.getMessage());
        } catch (IOException | RuntimeException e) {
            return failClosed(FailSafe.describe(e));
        } catch (Error e) {
            try {
                failClosed(FailSafe.describe(e));
            } catch (Throwable t) {
                e.addSuppressed(t);
            }
            throw e;
        } finally {
            try {
                if (lock != null) {
                    lock.release();
                }
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException e) {
                LOG.warn("cannot release {}: {}", store.lockFile(), FailSafe.describe(e));
            }
        }
    }

    /** Why a run cannot do its job, in words for the log line. */
    private static final class CannotDecide extends Exception {
        private static final long serialVersionUID = 1L;

        CannotDecide(String reason) {
            super(reason);
        }
    }

    /**
     * Ends power saving because this run cannot do its job: removes the drop-in, reloads and try-restarts the
     * controller when the drop-in was there or the manager may still have it, records that in the state when the
     * state is known, and logs {@code run failed, no power saving: REASON; ACTION} at {@code err}.
     *
     * @return 1, the exit status of a failed run
     */
    public int failClosed(String reason) {
        reason = StateStore.oneLine(reason);
        Path dropIn = dropInPath();
        String action;
        try {
            boolean existed = Files.exists(dropIn, LinkOption.NOFOLLOW_LINKS);
            files.delete(dropIn);
            JobState state = loaded;
            if (state == null) {
                try {
                    StateStore.Loaded peeked = store.peek();
                    state = peeked.state();
                    appliedKnown = peeked.appliedKnown();
                } catch (IOException | RuntimeException e) {
                    state = null; // not known: restart only if a drop-in was there
                }
            }
            boolean managerMayHaveIt = existed || !appliedKnown
                    || state != null && !JobState.ABSENT.equals(state.appliedDropIn());
            if (!managerMayHaveIt) {
                action = "no drop-in was in place";
            } else {
                String what = existed ? "removed " + settings.dropInFile() : "the drop-in was already gone";
                try {
                    systemctl.daemonReload();
                    systemctl.tryRestart(settings.targetUnit());
                    action = what + ", restarted " + settings.targetUnit();
                    if (state != null && loaded != null) {
                        store.save(state.withAppliedDropIn(JobState.ABSENT));
                    }
                } catch (SystemctlException e) {
                    action = what + ", but systemctl failed (" + e.getMessage() + "); the next run retries";
                }
            }
        } catch (IOException | RuntimeException e) {
            action = "could not remove " + settings.dropInFile() + " (" + FailSafe.describe(e) + ")";
        }
        LOG.error("run failed, no power saving: {}; {}", reason, action);
        try {
            store.saveLastCheck("checked_at=" + clock.instant() + "\ncheck=-\nstable=-\nstable_since=-\nresult=failed: "
                    + reason + "\n");
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write the last check: {}", FailSafe.describe(e));
        }
        // the metrics of the last good run would still say power_saving 1
        String text = PrometheusText.renderFailed(clock.instant(), Files.exists(dropIn, LinkOption.NOFOLLOW_LINKS));
        try {
            metrics.accept(text);
            if (settings.textfilePath().isPresent()) {
                files.writeIfChanged(Settings.under(root, settings.textfilePath().get()), text);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot write the textfile-collector file {}: {}", settings.textfilePath().orElse(null),
                    FailSafe.describe(e));
        }
        return 1;
    }

    private FileLock acquire(FileChannel ch) throws IOException, CannotDecide {
        long deadline = System.nanoTime() + lockWait.toNanos();
        boolean said = false;
        while (true) {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by another run in this JVM (a manual run next to the daemon's, or a test)
            }
            if (lock != null) {
                return lock;
            }
            if (!said) {
                LOG.info("another run holds {}; waiting", store.lockFile());
                said = true;
            }
            if (System.nanoTime() > deadline) {
                // a run that holds the lock this long is stuck: nobody is verifying the time
                throw new CannotDecide("another run held " + store.lockFile() + " for more than "
                        + lockWait.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CannotDecide("interrupted while waiting for " + store.lockFile());
            }
        }
    }

    private Path dropInPath() {
        return Settings.under(root, settings.dropInFile());
    }

    private Path steeringPath() {
        return Settings.under(root, STEERING);
    }

    /** The steps of one run; each may throw, and the caller fails closed. */
    private int cycle() throws IOException, CannotDecide {
        StateStore.Loaded read = load();
        JobState state = baselineAfterBoot(read.state());
        if (checker == null) {
            checker = checkers.apply(state.backoff());
        }
        CheckResult result = timedCheck();
        Instant now = clock.instant();
        SyncState before = state.sync();
        SyncState after = before.next(result, now, settings.ntp());
        DriftHistory drift = read.drift().next(result, settings.ntp());

        Step controller = controlDropIn(state, after);
        Step steering = steer(controller.state(), after, result);
        boolean failed = controller.failed() || steering.failed();
        log(result, before, after, controller.action() + (steering.action().isEmpty() ? "" : "; " + steering.action()),
                failed);

        // a transition that failed is computed again by the next run: it is committed (and alerted) once, then
        SyncState committed = failed ? before : after;
        store.save(failed ? steering.state()
                : steering.state().withSync(after).withBackoff(checker.backoffState().pruned(now)));
        store.saveDrift(drift);
        sendAlerts(before, committed, drift, result);
        report(result, committed, failed, drift);
        return failed ? 1 : 0;
    }

    /** The persisted state; a state file that is not what the job writes ends the run. */
    private StateStore.Loaded load() throws IOException, CannotDecide {
        StateStore.Loaded read = store.load(clock.instant());
        loaded = read.state();
        appliedKnown = read.appliedKnown();
        if (!read.problems().isEmpty()) {
            throw new CannotDecide(String.join(", ", read.problems()));
        }
        return read;
    }

    /** At the first run of a boot, what the manager runs the units with now: the drop-ins on disk (none in /run). */
    private JobState baselineAfterBoot(JobState state) throws IOException {
        if (!store.isNewBoot()) {
            return state;
        }
        state = state.withAppliedDropIn(JobState.digest(AtomicFiles.read(dropInPath())))
                .withAppliedSteering(JobState.digest(AtomicFiles.read(steeringPath())))
                .withTimesyncdAbsent(false);
        if (settings.dropInLocation() == Settings.DropInLocation.RUN) {
            state = state.withSync(SyncState.initial()); // power saving starts off until verified again
        }
        store.save(state);
        loaded = state;
        store.markBoot();
        LOG.debug("first run of this boot: state baseline taken");
        return state;
    }

    /**
     * What one part of a run did.
     *
     * @param action what the log line says about it, or empty
     * @param failed true when systemctl failed (the state did not advance for it; the next run retries)
     */
    private record Step(JobState state, String action, boolean failed) {
    }

    /**
     * The controller's drop-in for the stable state {@code s}: planned against the disk, applied, then activated
     * (reload and try-restart) when it differs from what the manager was last given, or the file was not what was
     * last applied (a failed run or a person removed or changed it, and the manager may have been reloaded since).
     */
    private Step controlDropIn(JobState state, SyncState s) throws IOException {
        Optional<String> desired = desiredDropIn(s);
        Plan.Builder plan = Plan.under(root);
        Optional<String> onDisk = plan.text(settings.dropInFile());
        plan.content(settings.dropInFile(), desired).build().apply(files);
        String digest = JobState.digest(desired);
        if (digest.equals(state.appliedDropIn()) && JobState.digest(onDisk).equals(state.appliedDropIn())) {
            return new Step(state, "drop-in unchanged", false);
        }
        try {
            systemctl.daemonReload();
            systemctl.tryRestart(settings.targetUnit());
            return new Step(state.withAppliedDropIn(digest), (desired.isPresent() ? "wrote " : "removed ")
                    + settings.dropInFile() + ", restarted " + settings.targetUnit(), false);
        } catch (SystemctlException e) {
            return new Step(state, "drop-in " + (desired.isPresent() ? "written" : "removed")
                    + " but systemctl failed (" + e.getMessage() + "); state kept, the next run retries", true);
        }
    }

    private void log(CheckResult result, SyncState before, SyncState after, String actions, boolean failed) {
        String line = "check " + CheckText.check(result) + "; stable " + CheckText.stable(after)
                + (after.changed() ? " (changed from " + CheckText.stable(before) + ")" : "") + "; " + actions;
        if (failed) {
            LOG.error(line);
        } else if (after.changed() && !after.verdict().isSynced()) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
        if (LOG.isDebugEnabled()) {
            result.sources().forEach(src -> LOG.debug("source {}", CheckText.source(src)));
        }
    }

    /** The last check for {@code status}, and the metrics (the daemon's /metrics, the textfile collector). */
    private void report(CheckResult result, SyncState committed, boolean failed, DriftHistory drift) throws IOException {
        store.saveLastCheck("checked_at=" + result.checkedAt() + "\ncheck=" + CheckText.check(result) + "\nstable="
                + CheckText.stable(committed) + "\nstable_since=" + committed.since().map(Instant::toString).orElse("-")
                + "\nresult=" + (failed ? "systemctl failed" : "ok") + "\n");
        String text = PrometheusText.render(result, committed, drift, Files.exists(dropInPath()));
        metrics.accept(text);
        if (settings.textfilePath().isPresent()) {
            try {
                files.writeIfChanged(Settings.under(root, settings.textfilePath().get()), text);
            } catch (IOException e) {
                LOG.warn("cannot write the textfile-collector file {}: {}", settings.textfilePath().get(), e.toString());
            }
        }
    }

    /**
     * The check, on its own thread, waited for at most the check's deadline plus {@link #CHECK_GRACE}: the checker
     * keeps its deadline itself, so a check still running after that is stuck (a resolver or a thread that hangs),
     * and the run must not wait for the unit's start timeout with the drop-in in place. A stuck check is not started
     * again: the next run fails the same way until it has ended.
     */
    private CheckResult timedCheck() throws CannotDecide {
        if (pending != null && !pending.isDone()) {
            throw new CannotDecide("the previous check has still not finished (it ran over its deadline of "
                    + seconds(settings.ntp().checkDeadline()) + ")");
        }
        NtpChecker c = checker;
        FutureTask<CheckResult> task = new FutureTask<>(new Callable<CheckResult>() {
            @Override
            public CheckResult call() {
                return c.check();
            }
        });
        Thread t = new Thread(task, "ntp-monitor-check");
        t.setDaemon(true);
        pending = task;
        t.start();
        Duration wait = settings.ntp().checkDeadline().plus(checkGrace);
        try {
            return task.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CannotDecide("the check did not finish within " + seconds(wait) + " (its deadline "
                    + seconds(settings.ntp().checkDeadline()) + " plus " + seconds(checkGrace) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CannotDecide("interrupted while checking");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            throw new CannotDecide("the check failed: " + FailSafe.describe(cause));
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(java.util.Locale.US, "%.3f s",
                d.toMillis() / 1000.0);
    }

    /** Sets the time a check may run over its deadline before the run fails closed; tests shorten it. */
    void checkGrace(Duration grace) {
        this.checkGrace = Objects.requireNonNull(grace, "grace");
    }

    /** The drop-in for a stable state, or empty when the controller must not save power. */
    Optional<String> desiredDropIn(SyncState s) {
        boolean allowed = s.verdict() == Verdict.PRIMARY_SYNCED
                || s.verdict() == Verdict.FALLBACK_SYNCED && settings.conservePowerOnFallback();
        if (!allowed) {
            return Optional.empty();
        }
        return Optional.of(Render.controllerDropIn(settings.variables(), s.server().orElseThrow(), s.quality().level()));
    }

    /**
     * Points timesyncd where {@link Steering#decide} says, for the stable state {@code s} after {@code result}: the
     * steering drop-in planned against the disk, applied, and timesyncd restarted, unless it is already so and was
     * applied, or timesyncd is not installed (then the drop-in goes and the state remembers it).
     */
    private Step steer(JobState state, SyncState s, CheckResult result) throws IOException {
        Plan.Builder plan = Plan.under(root);
        Optional<String> onDisk = plan.text(STEERING);
        Steering.Decision decision = Steering.decide(s.verdict(), result);
        Optional<String> desired;
        if (!settings.steerTimesyncd()) {
            desired = Optional.empty();
        } else {
            desired = switch (decision.target()) {
                case PRIMARY -> Optional.empty();
                case FALLBACKS -> Optional.of(Render.steeringDropIn(settings.ntp().fallbacks()));
                case UNCHANGED -> onDisk;
            };
        }
        String digest = JobState.digest(desired);
        if (onDisk.equals(desired) && digest.equals(state.appliedSteering()) || state.timesyncdAbsent()) {
            return new Step(state, "", false);
        }
        try {
            if (!systemctl.isInstalled(TIMESYNCD)) {
                LOG.info("systemd-timesyncd is not installed (a chrony system?): not steering it");
                plan.content(STEERING, Optional.empty()).build().apply(files);
                return new Step(state.withTimesyncdAbsent(true).withAppliedSteering(JobState.ABSENT), "", false);
            }
            plan.content(STEERING, desired).build().apply(files);
            systemctl.tryRestart(TIMESYNCD);
        } catch (SystemctlException e) {
            return new Step(state, "timesyncd steering failed (" + e.getMessage() + "); the next run retries", true);
        }
        String why = settings.steerTimesyncd() ? ": " + decision.reason() : "";
        return new Step(state.withAppliedSteering(digest), desired.isPresent()
                ? "timesyncd pointed at the fallbacks (" + STEERING + ")" + why
                : "timesyncd back on its configured servers" + why, false);
    }

    private void sendAlerts(SyncState before, SyncState after, DriftHistory drift, CheckResult result)
            throws IOException {
        boolean syncAlert = after.changed() && before.verdict().isSynced() != after.verdict().isSynced();
        if (!syncAlert && drift.alerts().isEmpty()) {
            return;
        }
        String host = AtomicFiles.read(Settings.under(root, Path.of("/etc/hostname"))).map(String::strip)
                .filter(h -> !h.isEmpty()).orElse("unknown");
        if (syncAlert) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("host", host);
            f.put("verdict", after.verdict().name());
            f.put("previous", before.verdict().name());
            f.put("server", after.server().or(before::server).orElse(""));
            f.put("reason", CheckText.check(result));
            boolean lost = !after.verdict().isSynced();
            alerts.send(new Alert(lost ? "sync_lost" : "sync_restored", lost, result.checkedAt(), f));
        }
        for (DriftAlert a : drift.alerts()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("host", host);
            f.put("server", a.server());
            f.put("value", a.value());
            f.put("threshold", a.threshold());
            f.put("unit", a.kind() == DriftAlert.Kind.OFFSET ? "s" : "ppm");
            alerts.send(new Alert(a.kind() == DriftAlert.Kind.OFFSET ? "drift_offset" : "drift_frequency", a.raised(),
                    a.at(), f));
        }
    }
}
