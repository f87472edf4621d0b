package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NtpMonitorTest {
    final MutableClock clock = new MutableClock(Fixtures.T0);
    final NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbacks(List.of())
            .driftAlertOffset(Duration.ofMillis(50)).build();
    final ManualScheduler scheduler = new ManualScheduler();
    final Deque<Supplier<CheckResult>> script = new ArrayDeque<>();
    final NtpChecker checker = () -> script.poll().get();
    final Recorder recorder = new Recorder();

    /** A recording listener. */
    static final class Recorder implements NtpMonitorListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onCheck(CheckResult result) {
            events.add("check " + result.verdict());
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void onVerdictChange(MonitorStatus previous, MonitorStatus current) {
            events.add("change " + previous.verdict() + " -> " + current.verdict());
        }

        @Override
        public void onDriftAlert(DriftAlert alert) {
            events.add("drift " + alert.kind() + " " + alert.raised());
        }
    }

    void synced(Duration offset) {
        script.add(() -> Fixtures.primaryCheck(config, clock.instant(), offset));
    }

    void dead() {
        script.add(() -> Fixtures.deadCheck(config, clock.instant()));
    }

    NtpMonitor monitor() {
        return NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler).listener(recorder).build();
    }

    void tick() {
        clock.advance(config.checkInterval());
        assertEquals(1, scheduler.runDue());
    }

    @Test
    void currentIsUnknownBeforeTheFirstCheck() {
        try (NtpMonitor m = monitor()) {
            m.start();
            MonitorStatus s = m.current();
            assertEquals(Verdict.UNKNOWN, s.verdict());
            assertFalse(s.maySavePower());
            assertTrue(s.lastCheck().isEmpty());
            assertEquals(0, s.checks());
        }
    }

    @Test
    void startSchedulesTheFirstCheckAtOnceThenOneEveryInterval() {
        try (NtpMonitor m = monitor()) {
            m.start();
            m.start();
            assertEquals(1, scheduler.tasks.size(), "start twice schedules once");
            assertEquals(Duration.ZERO, scheduler.tasks.get(0).initialDelay);
            assertEquals(Duration.ofSeconds(60), scheduler.tasks.get(0).period);
        }
    }

    @Test
    void listenersHearEveryCheckAndOnlyStableVerdictChanges() {
        try (NtpMonitor m = monitor().start()) {
            synced(Duration.ZERO);
            synced(Duration.ZERO);
            synced(Duration.ZERO);
            dead();
            synced(Duration.ZERO);
            dead();
            dead();
            for (int i = 0; i < 7; i++) {
                tick();
            }
            // losing at once, regaining at the next good check; the third change lifts the flap penalty above the
            // suppress threshold, but losing is never held back
            assertEquals(List.of(
                    "check PRIMARY_SYNCED", "change UNKNOWN -> PRIMARY_SYNCED",
                    "check PRIMARY_SYNCED",
                    "check PRIMARY_SYNCED",
                    "check UNSYNCHRONIZED", "change PRIMARY_SYNCED -> UNSYNCHRONIZED",
                    "check PRIMARY_SYNCED", "change UNSYNCHRONIZED -> PRIMARY_SYNCED",
                    "check UNSYNCHRONIZED", "change PRIMARY_SYNCED -> UNSYNCHRONIZED",
                    "check UNSYNCHRONIZED"), recorder.events);
            assertEquals(7, m.current().checks());
            assertEquals(Verdict.UNSYNCHRONIZED, m.current().verdict());
        }
    }

    @Test
    void currentShowsTheStableVerdictServerAndLastCheck() {
        try (NtpMonitor m = monitor().start()) {
            synced(Duration.ofMillis(1));
            synced(Duration.ofMillis(1));
            tick();
            tick();
            MonitorStatus s = m.current();
            assertEquals(Verdict.PRIMARY_SYNCED, s.verdict());
            assertEquals("192.0.2.2", s.server().orElseThrow());
            assertEquals(SyncQuality.HIGH, s.quality());
            assertTrue(s.maySavePower());
            assertEquals(Verdict.PRIMARY_SYNCED, s.lastCheck().orElseThrow().verdict());
            assertEquals(2, s.drift().points().size());
        }
    }

    @Test
    void driftAlertsReachTheListener() {
        try (NtpMonitor m = monitor().start()) {
            synced(Duration.ofMillis(10));
            synced(Duration.ofMillis(80));
            tick();
            tick();
            assertTrue(recorder.events.contains("drift OFFSET true"), recorder.events.toString());
            assertTrue(m.current().drift().offsetAlert());
        }
    }

    /** What a buggy listener or checker may throw: an exception, an Error, a checked exception thrown sneakily. */
    static List<Throwable> throwables() {
        return List.of(new IllegalStateException("bug"), new AssertionError("bug"),
                new java.io.IOException("checked, thrown sneakily"));
    }

    // Anything escaping the scheduled task would cancel every later run of a real ScheduledExecutorService; with the
    // manual scheduler it would escape runDue() and fail the test.
    @ParameterizedTest
    @MethodSource("throwables")
    void aThrowingListenerIsLoggedAndCannotStopTheMonitorOrOtherListeners(Throwable thrown) {
        NtpMonitorListener bad = new NtpMonitorListener() {
            @Override
            public void onCheck(CheckResult result) {
                NtpMonitorTest.<RuntimeException>sneakyThrow(thrown);
            }

            @Override
            public void onVerdictChange(MonitorStatus previous, MonitorStatus current) {
                NtpMonitorTest.<RuntimeException>sneakyThrow(thrown);
            }
        };
        try (NtpMonitor m = NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler).listener(bad)
                .listener(recorder).build().start()) {
            synced(Duration.ZERO);
            synced(Duration.ZERO);
            tick();
            tick();
            assertEquals(2, m.current().checks());
            assertEquals(Verdict.PRIMARY_SYNCED, m.current().verdict());
            assertEquals(List.of("check PRIMARY_SYNCED", "change UNKNOWN -> PRIMARY_SYNCED", "check PRIMARY_SYNCED"),
                    recorder.events);
        }
    }

    @ParameterizedTest
    @MethodSource("throwables")
    void aThrowingCheckerDoesNotStopTheSchedule(Throwable thrown) {
        try (NtpMonitor m = monitor().start()) {
            script.add(() -> {
                NtpMonitorTest.<RuntimeException>sneakyThrow(thrown);
                return null;
            });
            synced(Duration.ZERO);
            tick();
            assertEquals(1, m.current().checks(), "a failed check counts as attempted");
            assertTrue(m.current().failure().isPresent());
            tick();
            assertEquals(2, m.current().checks());
            assertTrue(m.current().failure().isEmpty());
            assertTrue(m.current().maySavePower());
        }
    }

    @Test
    void aWrongPiZeroAgainstTheOnlyPoolServerAnsweringNeverAllowsPowerSaving() {
        java.net.InetSocketAddress pi = Fixtures.addr("192.0.2.2");
        java.net.InetSocketAddress pool = Fixtures.addr("198.51.100.1");
        NtpConfig cfg = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool-a.test").build();
        FakeSntpClient client = new FakeSntpClient();
        NtpChecker real = NtpChecker.custom(cfg).sntpClient(client).clock(clock).executor(Runnable::run)
                .resolver(new FakeResolver().name("192.0.2.2", "192.0.2.2").name("pool-a.test", "198.51.100.1"))
                .build();
        Duration y2k = Duration.between(clock.instant(), java.time.Instant.parse("2000-01-01T00:00:00Z"));
        try (NtpMonitor m = NtpMonitor.custom(cfg).checker(real).clock(clock).scheduler(scheduler).build().start()) {
            client.results(pi, Fixtures.ok(pi, Duration.ofMillis(1)));
            client.results(pool, Fixtures.ok(pool, Duration.ofMillis(2)));
            clock.advance(cfg.checkInterval());
            assertEquals(1, scheduler.runDue());
            assertTrue(m.current().maySavePower());
            // seconds off, its RTC in 2000, and right while this clock is off: no majority or no accurate source
            List<Duration[]> wrong = List.of(new Duration[] {Duration.ofSeconds(5), Duration.ofMillis(2)},
                    new Duration[] {y2k, Duration.ofMillis(2)}, new Duration[] {Duration.ofSeconds(5),
                        Duration.ofSeconds(5)});
            for (Duration[] offsets : wrong) {
                client.results(pi, Fixtures.ok(pi, offsets[0]));
                client.results(pool, Fixtures.ok(pool, offsets[1]));
                clock.advance(cfg.checkInterval());
                assertEquals(1, scheduler.runDue());
                assertEquals(Verdict.UNSYNCHRONIZED, m.current().verdict(), offsets[0] + " " + offsets[1]);
                assertFalse(m.current().maySavePower(), offsets[0] + " " + offsets[1]);
            }
        }
    }

    @Test
    void aCheckThatThrowsLosesPowerSavingAtOnceAndIsNotReportedAsTheLastGoodOne() {
        try (NtpMonitor m = monitor().start()) {
            synced(Duration.ZERO);
            tick();
            assertTrue(m.current().maySavePower());
            script.add(() -> {
                throw new IllegalStateException("bug in a checker");
            });
            tick();
            MonitorStatus s = m.current();
            assertFalse(s.maySavePower());
            assertEquals(Verdict.UNSYNCHRONIZED, s.verdict());
            assertTrue(s.lastCheck().isEmpty(), "the failed check is not reported as the last good one");
            assertTrue(s.failure().orElseThrow().contains("bug in a checker"), s.failure().toString());
            assertEquals(List.of("check PRIMARY_SYNCED", "change UNKNOWN -> PRIMARY_SYNCED",
                    "change PRIMARY_SYNCED -> UNSYNCHRONIZED"), recorder.events);
        }
    }

    @Test
    void aCheckThatEndsAfterItsDeadlineIsAFailedCheck() {
        long[] nanos = {0};
        try (NtpMonitor m = NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler)
                .ticker(() -> nanos[0]).listener(recorder).build().start()) {
            synced(Duration.ZERO);
            tick();
            assertTrue(m.current().maySavePower());
            MonitorStatus[] during = new MonitorStatus[2];
            script.add(() -> {
                nanos[0] += config.checkDeadline().plus(NtpMonitor.DEADLINE_GRACE).toNanos();
                during[0] = m.current();
                nanos[0] += 1;
                during[1] = m.current();
                return Fixtures.primaryCheck(config, clock.instant(), Duration.ZERO);
            });
            tick();
            assertTrue(during[0].maySavePower(), "at the deadline plus grace the check still counts");
            assertFalse(during[1].maySavePower(), "beyond it, current() reports the overdue check at once");
            assertTrue(during[1].failure().orElseThrow().startsWith("check still running after"));
            MonitorStatus s = m.current();
            assertFalse(s.maySavePower(), "a late answer is not trusted");
            assertTrue(s.lastCheck().isEmpty());
            assertTrue(s.failure().orElseThrow().startsWith("check took 3.000 s, beyond its deadline of 2.000 s"),
                    s.failure().toString());
        }
    }

    @SuppressWarnings("unchecked")
    static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void metricsAreFedByTheMonitor() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (NtpMonitor m = monitor().start()) {
            m.metrics().bindTo(registry);
            synced(Duration.ofMillis(4));
            tick();
            assertEquals(0.004, registry.get("ntp.offset").tag("server", "192.0.2.2").gauge().value(), 1e-9);
            assertEquals(1, registry.get("ntp.check.duration").timer().count());
        }
    }

    @Test
    void theStableVerdictMeterFollowsDampingWhileTheVerdictMeterShowsEachCheck() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (NtpMonitor m = monitor().start()) {
            m.metrics().bindTo(registry);
            assertEquals(1, registry.get("ntp.stable.verdict").tag("verdict", "UNKNOWN").gauge().value());
            synced(Duration.ofMillis(1));
            tick();
            assertEquals(1, registry.get("ntp.stable.verdict").tag("verdict", "PRIMARY_SYNCED").gauge().value());
            assertEquals(3, registry.get("ntp.stable.level").gauge().value());
            // flapping: lost, regained, lost; the next good check is suppressed by flap damping
            dead();
            synced(Duration.ofMillis(1));
            dead();
            synced(Duration.ofMillis(1));
            for (int i = 0; i < 4; i++) {
                tick();
            }
            assertEquals(1, registry.get("ntp.verdict").tag("verdict", "PRIMARY_SYNCED").gauge().value());
            assertEquals(1, registry.get("ntp.stable.verdict").tag("verdict", "UNSYNCHRONIZED").gauge().value());
            assertEquals(0, registry.get("ntp.stable.verdict").tag("verdict", "PRIMARY_SYNCED").gauge().value());
            assertEquals(0, registry.get("ntp.stable.level").gauge().value());
        }
    }

    @Test
    void initialStateIsTheStartingPointOfDamping() {
        SyncState synced = SyncState.stableSince(new SyncState.Observation(Verdict.PRIMARY_SYNCED,
                java.util.Optional.of("192.0.2.2"), SyncQuality.HIGH), Fixtures.T0.minus(Duration.ofHours(5)));
        try (NtpMonitor m = NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler)
                .initialState(synced).build().start()) {
            assertEquals(synced, m.current().state());
            synced(Duration.ZERO);
            tick();
            assertEquals(Verdict.PRIMARY_SYNCED, m.current().verdict());
            assertFalse(m.current().state().changed(), "the same observation is no change");
            assertEquals(synced.since(), m.current().state().since());
        }
    }

    @Test
    void closeCancelsTheScheduleAndLeavesAnInjectedSchedulerRunning() {
        NtpMonitor m = monitor().start();
        m.close();
        m.close();
        assertTrue(scheduler.tasks.get(0).isCancelled());
        assertFalse(scheduler.isShutdown());
        assertThrows(IllegalStateException.class, m::start);
    }

    @Test
    void withItsOwnSchedulerTheMonitorChecksOnOneNamedThreadAndStopsOnClose() throws Exception {
        CountDownLatch twoChecks = new CountDownLatch(2);
        List<String> threads = new CopyOnWriteArrayList<>();
        NtpConfig fast = config.toBuilder().checkInterval(Duration.ofSeconds(1)).build();
        NtpChecker always = () -> Fixtures.primaryCheck(fast, clock.instant(), Duration.ZERO);
        NtpMonitor m = NtpMonitor.custom(fast).checker(always).listener(new NtpMonitorListener() {
            @Override
            public void onCheck(CheckResult result) {
                threads.add(Thread.currentThread().getName());
                twoChecks.countDown();
            }
        }).build();
        try {
            m.start();
            assertTrue(twoChecks.await(10, TimeUnit.SECONDS));
        } finally {
            m.close();
        }
        long after = m.current().checks(); // close() waited for a check in progress: nothing runs any more
        Thread.sleep(1500);
        assertEquals(after, m.current().checks(), "no check after close");
        assertEquals(after, threads.size(), "no listener call after close");
        assertEquals(List.of("ntp-monitor"), new ArrayList<>(new java.util.LinkedHashSet<>(threads)));
    }

    @Test
    void closeWaitsForTheCheckInProgressAndItsListeners() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> events = new CopyOnWriteArrayList<>();
        NtpChecker always = () -> Fixtures.primaryCheck(config, clock.instant(), Duration.ZERO);
        NtpMonitor m = NtpMonitor.custom(config).checker(always).listener(new NtpMonitorListener() {
            @Override
            public void onCheck(CheckResult result) {
                inListener.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.add("listener returned");
            }
        }).build();
        Thread closer = new Thread(() -> {
            m.close();
            events.add("close returned");
        });
        try {
            m.start();
            assertTrue(inListener.await(10, TimeUnit.SECONDS));
            closer.start();
            // close() must not return while the listener runs; give it every chance to do so wrongly.
            closer.join(300);
            assertTrue(events.isEmpty(), events.toString());
        } finally {
            release.countDown();
            closer.join(10_000);
            m.close();
        }
        assertEquals(List.of("listener returned", "close returned"), events);
    }

    @Test
    void closeFromAListenerDoesNotWaitForItself() {
        List<String> events = new ArrayList<>();
        NtpMonitor[] self = new NtpMonitor[1];
        self[0] = NtpMonitor.custom(config).checker(checker).clock(clock).scheduler(scheduler)
                .listener(new NtpMonitorListener() {
                    @Override
                    public void onCheck(CheckResult result) {
                        self[0].close();
                        events.add("closed from the listener");
                    }
                }).build().start();
        synced(Duration.ZERO);
        synced(Duration.ZERO);
        tick();
        assertEquals(List.of("closed from the listener"), events);
        assertTrue(scheduler.tasks.get(0).isCancelled());
        scheduler.tasks.get(0).command.run(); // a run that was already due when close() was called
        assertEquals(1, self[0].current().checks(), "a closed monitor runs no more checks");
    }
}
