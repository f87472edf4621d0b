package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.Ticker;
import dev.pintp.ntp.Verdict;
import dev.pintp.sysconf.TimeSpans;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code wait}, what ntp-monitor-wait.service runs before time-sync.target: checks until one check verifies the time
 * (against a primary, or with {@link Require#MAJORITY} also a majority of the pool), pausing between checks with a
 * doubling interval, and gives up after a timeout. Every check is a fresh one made by this process: nothing the job
 * persisted counts as verified (after a reboot its state describes the previous boot, and how old a result is can
 * only be told by the wall clock that is being verified). Writes no file. Not thread-safe: one thread calls
 * {@link #await()}.
 */
public final class BootWait {
    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    /** Default {@code --timeout}: 180 s, as chrony-wait.service waits. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(180);
    /** Longest {@code --timeout}: a day. A wait that may never end is what systemd issue 14061 is about. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);
    /** Pause after the first check that did not verify the time; it doubles after every further one. */
    public static final Duration FIRST_INTERVAL = Duration.ofSeconds(2);
    /** Default {@code --max-interval}: the doubling pause stops growing at 30 s. */
    public static final Duration DEFAULT_MAX_INTERVAL = Duration.ofSeconds(30);
    /** Longest {@code --max-interval}. */
    public static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
    /** Shortest {@code --timeout} and {@code --max-interval}. */
    public static final Duration MIN_SPAN = Duration.ofSeconds(1);

    /** What counts as verified. */
    public enum Require {
        /** A check with the verdict PRIMARY_SYNCED: a primary answered and the local clock is within its limits. */
        PRIMARY,
        /**
         * PRIMARY_SYNCED, or at least two pool (fallback) sources and more than half of all pool sources of the check
         * usable (answered, agreed with each other, and the clock within the limits); a pool source that did not
         * answer counts against.
         */
        MAJORITY;

        /** The word used on the command line. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The requirement named {@code word} ({@code primary}, {@code majority}).
         *
         * @param option the option it was given with, for the error
         * @throws IllegalArgumentException naming the option, the value and the choices
         */
        public static Require of(String option, String word) {
            for (Require r : values()) {
                if (r.word().equals(word)) {
                    return r;
                }
            }
            throw new IllegalArgumentException(option + " must be primary or majority, was '" + Render.printable(word)
                    + "'");
        }
    }

    /**
     * The wait's options; the compact constructor refuses a bad value.
     *
     * @param timeout how long to wait for a verifying check, 1 s to 1 day
     * @param require what counts as verified
     * @param maxInterval the longest pause between two checks, 1 s to 10 min
     */
    public record Options(Duration timeout, Require require, Duration maxInterval) {
        /** @throws IllegalArgumentException naming the option and its range */
        public Options {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(require, "require");
            Objects.requireNonNull(maxInterval, "maxInterval");
            checkRange("--timeout", timeout, MIN_SPAN, MAX_TIMEOUT);
            checkRange("--max-interval", maxInterval, MIN_SPAN, MAX_INTERVAL);
        }

        /** 180 s, primary, 30 s. */
        public static Options ofDefaults() {
            return new Options(DEFAULT_TIMEOUT, Require.PRIMARY, DEFAULT_MAX_INTERVAL);
        }

        /** These options with another timeout. */
        public Options withTimeout(Duration t) {
            return new Options(t, require, maxInterval);
        }

        /** These options with another requirement. */
        public Options withRequire(Require r) {
            return new Options(timeout, r, maxInterval);
        }

        /** These options with another longest pause. */
        public Options withMaxInterval(Duration m) {
            return new Options(timeout, require, m);
        }

        /** The command-line words that give these options to {@code wait}, in systemd's units. */
        public List<String> arguments() {
            return List.of("--timeout", TimeSpans.format(timeout), "--require", require.word(), "--max-interval",
                    TimeSpans.format(maxInterval));
        }

        private static void checkRange(String option, Duration d, Duration min, Duration max) {
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(option + " must be " + TimeSpans.format(min) + " to "
                        + TimeSpans.format(max) + ", was " + TimeSpans.format(d));
            }
        }
    }

    /**
     * A time span option ({@code 180s}, {@code 3min}, {@code 1min 30s}) in systemd's syntax.
     *
     * @throws IllegalArgumentException naming the option, for a text that is no span or is {@code infinity}
     */
    public static Duration span(String option, String text) {
        Duration d;
        try {
            d = TimeSpans.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
        if (d.equals(TimeSpans.INFINITY)) {
            throw new IllegalArgumentException(option + " must be finite: a wait that never ends holds every unit"
                    + " ordered after time-sync.target (systemd issue 14061)");
        }
        return d;
    }

    /** One check, bounded in time. */
    @FunctionalInterface
    public interface Attempt {
        /**
         * Checks once.
         *
         * @param budget the longest this may take; longer, it gives up with {@link Unfinished}
         * @throws Unfinished when no check result came (it did not end within the budget, or it failed)
         * @throws InterruptedException when interrupted while waiting for the check
         */
        CheckResult check(Duration budget) throws Unfinished, InterruptedException;
    }

    /** A check that gave no result; the message says why. */
    public static final class Unfinished extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param reason one line, for the log */
        public Unfinished(String reason) {
            super(reason);
        }
    }

    /** The pause between checks; tests pass one that advances a fake ticker. */
    @FunctionalInterface
    public interface Pause {
        /** Pauses for {@code d}; returns early only by throwing. */
        void sleep(Duration d) throws InterruptedException;

        /** {@link Thread#sleep}. */
        static Pause system() {
            return d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());
        }
    }

    /**
     * How a wait ended.
     *
     * @param verified true when a check verified the time
     * @param checks how many checks were made (attempts that gave no result included)
     * @param waited the elapsed time from the start to the end of the wait
     * @param message the line that was logged: which source and offset, or why the time is not verified
     */
    public record Outcome(boolean verified, int checks, Duration waited, String message) {
        public Outcome {
            Objects.requireNonNull(waited, "waited");
            Objects.requireNonNull(message, "message");
        }
    }

    private final Options options;
    private final Attempt attempt;
    private final Duration attemptTime;
    private final Ticker ticker;
    private final Pause pause;

    /**
     * @param attempt makes one check
     * @param attemptTime how long a check takes at most (the check's deadline): no check is started that could not
     *     end before the timeout, and none is given longer than this plus {@link MonitorJob#CHECK_GRACE}
     * @param ticker elapsed time
     * @param pause how the wait pauses between checks
     */
    public BootWait(Options options, Attempt attempt, Duration attemptTime, Ticker ticker, Pause pause) {
        this.options = Objects.requireNonNull(options, "options");
        this.attempt = Objects.requireNonNull(attempt, "attempt");
        this.attemptTime = Objects.requireNonNull(attemptTime, "attemptTime");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.pause = Objects.requireNonNull(pause, "pause");
        if (attemptTime.isNegative() || attemptTime.isZero()) {
            throw new IllegalArgumentException("attemptTime must be positive, was " + attemptTime);
        }
    }

    /**
     * Checks until a check verifies the time or the timeout has passed; logs each check that does not verify it at
     * info, and the end at info (verified: source and offset) or err (not verified: the timeout, the last check's
     * reasons, and what that means for the units after time-sync.target). The first check is made at once; after
     * the n-th that does not verify, the wait pauses {@link #FIRST_INTERVAL} times 2^(n-1), at most the maximum
     * interval, and never so long that the next check could not end before the timeout; when no check could end in
     * time any more it gives up at once rather than sleep out the rest. Interrupted, it ends unverified.
     */
    public Outcome await() {
        long start = ticker.read();
        long deadline = start + options.timeout().toNanos();
        String last = "no check made";
        int checks = 0;
        while (true) {
            long remaining = deadline - ticker.read();
            Duration budget = min(Duration.ofNanos(Math.max(remaining, 0)), attemptTime.plus(MonitorJob.CHECK_GRACE));
            checks++;
            try {
                CheckResult r = attempt.check(budget);
                Optional<String> ok = verified(r, options.require());
                if (ok.isPresent()) {
                    Duration waited = Duration.ofNanos(ticker.read() - start);
                    String line = ok.get() + "; after " + checks + (checks == 1 ? " check" : " checks") + " in "
                            + seconds(waited);
                    LOG.info(line);
                    return new Outcome(true, checks, waited, line);
                }
                last = notVerified(r, options.require());
            } catch (Unfinished e) {
                last = "the check gave no result: " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return giveUp(start, checks, "interrupted while checking; last: " + last);
            }
            remaining = deadline - ticker.read();
            Duration room = Duration.ofNanos(remaining).minus(attemptTime);
            if (room.isNegative()) {
                // a check started now could not end before the timeout
                return giveUp(start, checks, "last check: " + last);
            }
            Duration next = min(interval(checks, options.maxInterval()), room);
            LOG.info("time not verified yet (check {}): {}; next check in {}", checks, last, seconds(next));
            try {
                pause.sleep(next);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return giveUp(start, checks, "interrupted while pausing; last check: " + last);
            }
        }
    }

    private Outcome giveUp(long start, int checks, String why) {
        Duration waited = Duration.ofNanos(ticker.read() - start);
        String line = "time not verified within the timeout of " + TimeSpans.format(options.timeout()) + " ("
                + checks + (checks == 1 ? " check" : " checks") + " in " + seconds(waited) + "; required: "
                + (options.require() == Require.PRIMARY ? "a primary" : "a primary or a majority of the pool") + "): "
                + why + "; time-sync.target is reached without verified time: units that only order themselves"
                + " After=time-sync.target start now, units with Requires= and After=ntp-monitor-wait.service do not";
        LOG.error(line);
        return new Outcome(false, checks, waited, line);
    }

    /** The pause after the {@code failures}-th check that did not verify: 2 s doubling, at most {@code max}. */
    static Duration interval(int failures, Duration max) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, was " + failures);
        }
        Duration d = FIRST_INTERVAL;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return min(d, max);
    }

    /**
     * The log line for a check that verifies the time under {@code require}, or empty when it does not. A pure
     * function of the check.
     */
    static Optional<String> verified(CheckResult r, Require require) {
        if (r.verdict() == Verdict.PRIMARY_SYNCED) {
            SourceReport s = r.selected().orElseThrow();
            return Optional.of("time verified against the primary " + named(s) + ": " + sample(s));
        }
        if (require == Require.MAJORITY) {
            List<SourceReport> pool = pool(r);
            List<SourceReport> agree = pool.stream().filter(SourceReport::isUsable).toList();
            if (isMajority(agree.size(), pool.size()) && r.selected().isPresent()) {
                SourceReport s = r.selected().get();
                return Optional.of("time verified by a majority of the pool, " + agree.size() + " of " + pool.size()
                        + " pool sources agree; closest " + named(s) + ": " + sample(s));
            }
        }
        return Optional.empty();
    }

    /**
     * Why a check does not verify the time under {@code require}, in one line: each primary's outcome (a check
     * that fell back to the pool names only the source it selected), then the check.
     */
    static String notVerified(CheckResult r, Require require) {
        String check = CheckText.check(r);
        if (r.verdict().isSynced()) {
            List<String> primaries = r.sources().stream().filter(s -> s.server().role() == NtpServer.Role.PRIMARY)
                    .map(CheckText::source).toList();
            check = (primaries.isEmpty() ? "no primary configured" : String.join("; ", primaries)) + "; the check: "
                    + check;
        }
        if (require == Require.MAJORITY) {
            List<SourceReport> pool = pool(r);
            long agree = pool.stream().filter(SourceReport::isUsable).count();
            return "no primary verified it and " + agree + " of " + pool.size() + " pool sources agree (more than half"
                    + " and at least 2 needed): " + check;
        }
        return "no primary verified it: " + check;
    }

    /** At least two, and more than half. */
    static boolean isMajority(long agree, long of) {
        return agree >= 2 && 2 * agree > of;
    }

    private static List<SourceReport> pool(CheckResult r) {
        return r.sources().stream().filter(s -> s.server().role() == NtpServer.Role.FALLBACK).toList();
    }

    private static String named(SourceReport s) {
        return s.server().host() + s.address().map(a -> " (" + a.getAddress().getHostAddress() + ":" + a.getPort()
                + ")").orElse("");
    }

    private static String sample(SourceReport s) {
        NtpSample n = s.sample().orElseThrow();
        return "offset " + CheckText.millis(n.offset()) + ", root distance "
                + CheckText.millis(n.rootDistance()).substring(1);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String seconds(Duration d) {
        return String.format(Locale.US, "%.1f s", d.toNanos() / 1e9);
    }

    /**
     * The production {@link Attempt}: {@code checker} on its own daemon thread, waited for at most the budget. A
     * check still running after that is stuck (a resolver that hangs); it is not started again while it runs.
     */
    public static Attempt threaded(NtpChecker checker) {
        Objects.requireNonNull(checker, "checker");
        return new Attempt() {
            private FutureTask<CheckResult> pending;

            @Override
            public CheckResult check(Duration budget) throws Unfinished, InterruptedException {
                if (pending != null && !pending.isDone()) {
                    throw new Unfinished("the previous check has still not finished");
                }
                FutureTask<CheckResult> task = new FutureTask<>(checker::check);
                Thread t = new Thread(task, "ntp-monitor-wait-check");
                t.setDaemon(true);
                pending = task;
                t.start();
                try {
                    return task.get(budget.toNanos(), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new Unfinished("the check did not finish within " + seconds(budget));
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new Unfinished("the check failed: " + FailSafe.describe(cause));
                }
            }
        };
    }
}
