package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.VerdictReason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The wait's logic on a fake ticker: every pause and check advances it by hand, nothing reads the wall clock. */
class BootWaitTest {
    static final NtpServer POOL0 = Checks.FALLBACK;
    static final NtpServer POOL1 = new NtpServer("1.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    static final NtpServer POOL2 = new NtpServer("2.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    static final NtpServer POOL3 = new NtpServer("3.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    static final Duration CHECK = Duration.ofSeconds(1);
    static final Duration DEADLINE = Duration.ofSeconds(2);

    final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    final List<Duration> pauses = new ArrayList<>();
    final List<Duration> budgets = new ArrayList<>();
    final Deque<Object> script = new ArrayDeque<>();
    Object last;

    /** Answers from the script (a CheckResult, or a String for a check that gave no result), each taking 1 s. */
    final BootWait.Attempt attempt = budget -> {
        budgets.add(budget);
        nanos.addAndGet(CHECK.toNanos());
        if (!script.isEmpty()) {
            last = script.poll();
        }
        if (last instanceof String why) {
            throw new BootWait.Unfinished(why);
        }
        return (CheckResult) last;
    };

    final BootWait.Pause pause = d -> {
        pauses.add(d);
        nanos.addAndGet(d.toNanos());
    };

    BootWaitTest then(Object... answers) {
        script.addAll(List.of(answers));
        return this;
    }

    BootWait.Outcome await(BootWait.Options o) {
        return new BootWait(o, attempt, DEADLINE, nanos::get, pause).await();
    }

    static BootWait.Options timeout(int seconds) {
        return BootWait.Options.ofDefaults().withTimeout(Duration.ofSeconds(seconds));
    }

    static List<Duration> seconds(long... s) {
        List<Duration> out = new ArrayList<>();
        for (long x : s) {
            out.add(Duration.ofSeconds(x));
        }
        return out;
    }

    static CheckResult pool(int agree, NtpServer... servers) {
        List<SourceReport> reports = new ArrayList<>(List.of(Checks.lost(Checks.PRIMARY)));
        for (int i = 0; i < servers.length; i++) {
            reports.add(i < agree ? Checks.ok(servers[i], Duration.ofMillis(2)) : Checks.lost(servers[i]));
        }
        boolean synced = agree > 0;
        return new CheckResult(synced ? Verdict.FALLBACK_SYNCED : Verdict.UNSYNCHRONIZED,
                synced ? Optional.of(reports.get(1)) : Optional.empty(), reports,
                synced ? Checks.synced(reports.get(1)) : new VerdictReason.NoValidAnswer(reports.size()),
                synced ? SyncQuality.MEDIUM : SyncQuality.NONE, Checks.T0, Duration.ofMillis(5));
    }

    @Test
    void theFirstCheckVerifyingAgainstThePrimaryEndsTheWaitAtOnce() {
        BootWait.Outcome o = then(Checks.primary(Checks.T0)).await(BootWait.Options.ofDefaults());
        assertTrue(o.verified(), o.message());
        assertEquals(1, o.checks());
        assertEquals(CHECK, o.waited());
        assertEquals(List.of(), pauses);
        assertEquals("time verified against the primary 192.168.4.2 (127.0.0.2:123): offset +1.000 ms, root distance"
                + " 1.000 ms; after 1 check in 1.0 s", o.message());
    }

    @Test
    void checksAgainWithDoublingPausesUntilThePrimaryAnswers() {
        CheckResult none = Checks.none(Checks.T0);
        BootWait.Outcome o = then(none, none, none, none, Checks.primary(Checks.T0)).await(timeout(180));
        assertTrue(o.verified(), o.message());
        assertEquals(5, o.checks());
        assertEquals(seconds(2, 4, 8, 16), pauses);
        assertEquals(Duration.ofSeconds(5 + 2 + 4 + 8 + 16), o.waited());
    }

    @Test
    void pausesStopGrowingAtTheMaximumInterval() {
        BootWait.Options o = timeout(180).withMaxInterval(Duration.ofSeconds(5));
        CheckResult none = Checks.none(Checks.T0);
        then(none, none, none, none, none, Checks.primary(Checks.T0)).await(o);
        assertEquals(seconds(2, 4, 5, 5, 5), pauses);
    }

    @Test
    void timesOutWithTheLastReasonAndMakesNoCheckThatCouldNotEndInTime() {
        BootWait.Outcome o = then(Checks.none(Checks.T0)).await(timeout(20));
        assertFalse(o.verified());
        // checks at 0, 3, 8, 17 and 18 s (each 1 s); after the last one 1 s is left, less than a check's deadline
        assertEquals(seconds(2, 4, 8, 0), pauses);
        assertEquals(5, o.checks());
        assertEquals(Duration.ofSeconds(19), o.waited());
        assertTrue(o.message().startsWith("time not verified within the timeout of 20s (5 checks in 19.0 s; required:"
                + " a primary): last check: no primary verified it: UNSYNCHRONIZED: none of the 2 sources gave a valid"
                + " answer; 192.168.4.2 TIMEOUT;"
                + " 0.debian.pool.ntp.org TIMEOUT; time-sync.target is reached without verified time"), o.message());
        assertTrue(o.message().endsWith("units with Requires= and After=ntp-monitor-wait.service do not"), o.message());
    }

    @Test
    void aFallbackDoesNotVerifyTheTimeWhenAPrimaryIsRequired() {
        BootWait.Outcome o = then(Checks.fallback(Checks.T0)).await(timeout(10));
        assertFalse(o.verified());
        assertTrue(o.message().contains("last check: no primary verified it: 192.168.4.2 TIMEOUT; the check:"
                + " FALLBACK_SYNCED via 0.debian.pool.ntp.org"), o.message());
    }

    @Test
    void aMajorityOfThePoolVerifiesTheTimeWhenAllowed() {
        BootWait.Options majority = timeout(180).withRequire(BootWait.Require.MAJORITY);
        BootWait.Outcome o = then(pool(2, POOL0, POOL1, POOL2)).await(majority);
        assertTrue(o.verified(), o.message());
        assertEquals("time verified by a majority of the pool, 2 of 3 pool sources agree; closest"
                + " 0.debian.pool.ntp.org (127.0.0.3:123): offset +2.000 ms, root distance 1.000 ms; after 1 check in"
                + " 1.0 s", o.message());
    }

    @Test
    void aMajorityIsMoreThanHalfOfThePoolAndAtLeastTwo() {
        assertFalse(BootWait.verified(pool(1, POOL0), BootWait.Require.MAJORITY).isPresent(), "one of one");
        assertFalse(BootWait.verified(pool(2, POOL0, POOL1, POOL2, POOL3), BootWait.Require.MAJORITY).isPresent(),
                "half is no majority");
        assertTrue(BootWait.verified(pool(3, POOL0, POOL1, POOL2, POOL3), BootWait.Require.MAJORITY).isPresent());
        assertTrue(BootWait.verified(pool(2, POOL0, POOL1), BootWait.Require.MAJORITY).isPresent());
        assertFalse(BootWait.verified(pool(3, POOL0, POOL1, POOL2), BootWait.Require.PRIMARY).isPresent());
        assertTrue(BootWait.verified(Checks.primary(Checks.T0), BootWait.Require.MAJORITY).isPresent(),
                "a primary verifies under either rule");
        assertEquals("no primary verified it and 2 of 4 pool sources agree (more than half and at least 2 needed): "
                + "192.168.4.2 TIMEOUT; the check: " + CheckText.check(pool(2, POOL0, POOL1, POOL2, POOL3)),
                BootWait.notVerified(pool(2, POOL0, POOL1, POOL2, POOL3), BootWait.Require.MAJORITY));
    }

    @Test
    void aCheckThatGaveNoResultIsRetriedAndNamedWhenItWasTheLast() {
        BootWait.Outcome ok = then("the check did not finish within 12.0 s", Checks.primary(Checks.T0))
                .await(timeout(180));
        assertTrue(ok.verified());
        assertEquals(2, ok.checks());
        script.clear();
        BootWait.Outcome failed = then("the check failed: boom").await(timeout(5));
        assertFalse(failed.verified());
        assertTrue(failed.message().contains("last check: the check gave no result: the check failed: boom;"),
                failed.message());
    }

    @Test
    void eachCheckIsGivenTheRemainingTimeAtMostItsDeadlinePlusTheGrace() {
        then(Checks.none(Checks.T0)).await(timeout(5));
        // 5 s left: all of it; after the check and a 2 s pause, 2 s left
        assertEquals(seconds(5, 2), budgets);
        budgets.clear();
        pauses.clear();
        script.clear();
        then(Checks.primary(Checks.T0)).await(timeout(180));
        assertEquals(List.of(DEADLINE.plus(MonitorJob.CHECK_GRACE)), budgets);
    }

    @Test
    void anInterruptedPauseEndsTheWaitUnverified() {
        BootWait.Pause interrupted = d -> {
            throw new InterruptedException();
        };
        then(Checks.none(Checks.T0));
        BootWait.Outcome o = new BootWait(timeout(180), attempt, DEADLINE, nanos::get, interrupted)
                .await();
        try {
            assertFalse(o.verified());
            assertTrue(o.message().contains("interrupted while pausing; last check: no primary verified it"),
                    o.message());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theIntervalDoublesFromTwoSecondsUpToTheMaximum() {
        Duration max = Duration.ofSeconds(30);
        assertEquals(seconds(2, 4, 8, 16, 30, 30), List.of(BootWait.interval(1, max), BootWait.interval(2, max),
                BootWait.interval(3, max), BootWait.interval(4, max), BootWait.interval(5, max),
                BootWait.interval(1000, max)));
        assertEquals(Duration.ofSeconds(1), BootWait.interval(1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> BootWait.interval(0, max));
    }

    @Test
    void badOptionsAreRefusedNamingTheOptionAndItsRange() {
        BootWait.Options d = BootWait.Options.ofDefaults();
        assertEquals("--timeout must be 1s to 1d, was 0",
                assertThrows(IllegalArgumentException.class, () -> d.withTimeout(Duration.ZERO)).getMessage());
        assertEquals("--timeout must be 1s to 1d, was 1d 1s", assertThrows(IllegalArgumentException.class,
                () -> d.withTimeout(Duration.ofDays(1).plusSeconds(1))).getMessage());
        assertEquals("--max-interval must be 1s to 10min, was 500ms", assertThrows(IllegalArgumentException.class,
                () -> d.withMaxInterval(Duration.ofMillis(500))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BootWait.span("--timeout", "infinity"))
                .getMessage().startsWith("--timeout must be finite"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BootWait.span("--timeout", "-5s"))
                .getMessage().startsWith("--timeout: negative time span"));
        assertEquals("--require must be primary or majority, was 'most\\x0a'",
                assertThrows(IllegalArgumentException.class, () -> BootWait.Require.of("--require", "most\n")).getMessage());
        assertEquals(Duration.ofSeconds(90), BootWait.span("--timeout", "1min 30s"));
    }

    @Test
    void optionsBecomeTheWordsOfTheCommandLineInSystemdUnits() {
        assertEquals(List.of("--timeout", "3min", "--require", "primary", "--max-interval", "30s"),
                BootWait.Options.ofDefaults().arguments());
        assertEquals(List.of("--timeout", "1min 30s", "--require", "majority", "--max-interval", "1s 500ms"),
                new BootWait.Options(Duration.ofSeconds(90), BootWait.Require.MAJORITY, Duration.ofMillis(1500))
                        .arguments());
    }
}
