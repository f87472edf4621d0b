package dev.pintp.ntp;

import static dev.pintp.ntp.Fixtures.addr;
import static dev.pintp.ntp.Fixtures.ok;
import static dev.pintp.ntp.Fixtures.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NtpCheckerTest {
    static final InetSocketAddress PI_ZERO = addr("192.0.2.2");
    static final InetSocketAddress A1 = addr("198.51.100.1");
    static final InetSocketAddress A2 = addr("198.51.100.2");
    static final InetSocketAddress B1 = addr("198.51.100.11");
    static final InetSocketAddress C1 = addr("198.51.100.21");

    final FakeSntpClient client = new FakeSntpClient();
    final FakeResolver resolver = new FakeResolver()
            .name("192.0.2.2", "192.0.2.2")
            .name("pool-a.test", "198.51.100.1", "198.51.100.2")
            .name("pool-b.test", "198.51.100.11")
            .name("pool-c.test", "198.51.100.21");
    final MutableClock clock = new MutableClock(Fixtures.T0);

    static NtpConfig.Builder config() {
        return NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool-a.test", "pool-b.test", "pool-c.test");
    }

    NtpChecker checker(NtpConfig config) {
        return NtpChecker.custom(config).sntpClient(client).resolver(resolver).clock(clock).executor(Runnable::run)
                .build();
    }

    static SourceReport report(CheckResult r, InetSocketAddress a) {
        return r.sources().stream().filter(s -> s.address().equals(Optional.of(a))).findFirst().orElseThrow();
    }

    @Test
    void primaryAnsweringWithinLimitsGivesPrimarySyncedAndIsSelected() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(3)));
        client.results(A1, ok(A1, Duration.ofMillis(5)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
        assertEquals(Optional.of(PI_ZERO), r.selected().get().address());
        assertEquals(SyncQuality.HIGH, r.quality());
        assertEquals(Fixtures.T0, r.checkedAt());
        // primaries first, then every fallback address, in configuration order
        assertEquals(List.of(Optional.of(PI_ZERO), Optional.of(A1), Optional.of(A2), Optional.of(B1), Optional.of(C1)),
                r.sources().stream().map(SourceReport::address).toList());
        assertEquals(Outcome.TIMEOUT, report(r, A2).outcome());
        assertEquals(Optional.empty(), report(r, A2).reason());
    }

    @Test
    void onlyAFallbackAnsweringGivesFallbackSyncedWithTheSmallestDistance() {
        client.results(A1, ok(A1, Duration.ofMillis(5), Duration.ofMillis(30), Duration.ofMillis(40)));
        client.results(B1, ok(B1, Duration.ofMillis(6), Duration.ofMillis(10), Duration.ofMillis(15)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
        assertEquals(Optional.of(B1), r.selected().get().address());
        assertEquals(Outcome.TIMEOUT, report(r, PI_ZERO).outcome());
        assertEquals(Duration.ofMillis(6), r.selectedSample().orElseThrow().offset());
        assertEquals(2, r.sourcesOf(r.sources().get(1).server()).size(), "pool-a.test has two addresses");
    }

    @Test
    void noSourceAnsweringGivesUnsynchronized() {
        CheckResult r = checker(config().build()).check();
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        assertEquals(SyncQuality.NONE, r.quality());
        assertTrue(r.selected().isEmpty());
        assertEquals(5, r.sources().size());
    }

    @Test
    void offsetBeyondTheMaximumIsAValidAnswerThatShowsThisClockOff() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(400)));
        CheckResult r = checker(config().fallbacks(List.of()).build()).check();
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        assertEquals(Outcome.OK, report(r, PI_ZERO).outcome(), "the Pi Zero answered validly");
        assertFalse(report(r, PI_ZERO).isUsable());
        assertEquals(VerdictReason.ClockOff.class, r.reason().getClass());
        assertEquals(Optional.of(CheckDecision.OFFSET_TOO_LARGE), report(r, PI_ZERO).reason());
        assertTrue(report(r, PI_ZERO).sample().isPresent(), "the measured sample stays in the report");
    }

    @Test
    void rootDistanceBeyondTheMaximumIsRejectedEvenIfTheClientLetItThrough() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ZERO, Duration.ofSeconds(6), Duration.ofSeconds(6)));
        CheckResult r = checker(config().fallbacks(List.of()).build()).check();
        assertEquals(Optional.of(RefusalReason.ROOT_DISTANCE_TOO_LARGE), report(r, PI_ZERO).reason());
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
    }

    @Test
    void wrongPiZeroIsAFalsetickerWhenThePoolDisagreesAndTheLocalClockFollowedIt() {
        // The local clock follows the Pi Zero, whose RTC is 3 s ahead: the pool says we are 3 s fast.
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(1)));
        client.results(A1, ok(A1, Duration.ofMillis(-3000)));
        client.results(A2, ok(A2, Duration.ofMillis(-3002)));
        client.results(B1, ok(B1, Duration.ofMillis(-2999)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Optional.of(CheckDecision.FALSETICKER), report(r, PI_ZERO).reason());
        assertEquals(Optional.of(CheckDecision.OFFSET_TOO_LARGE), report(r, A1).reason());
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
    }

    @Test
    void wrongPiZeroIsAFalsetickerAndThePoolIsSelectedWhenTheLocalClockIsRight() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(2500)));
        client.results(A1, ok(A1, Duration.ofMillis(4)));
        client.results(B1, ok(B1, Duration.ofMillis(-3)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Optional.of(CheckDecision.FALSETICKER), report(r, PI_ZERO).reason());
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
    }

    @Test
    void smallDisagreementWithinMaxOffsetIsNotAFalseticker() {
        // Pi Zero in chrony local mode claims a near-zero error bound; 30 ms from the pool is still accurate.
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(30), Duration.ZERO, Duration.ofMillis(1)));
        client.results(A1, ok(A1, Duration.ZERO));
        client.results(B1, ok(B1, Duration.ofMillis(1)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
    }

    @Test
    void twoDisagreeingSourcesWithoutMajorityAreBothUntrusted() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(1)));
        client.results(A1, ok(A1, Duration.ofMillis(900)));
        CheckResult r = checker(config().build()).check();
        assertEquals(Optional.of(CheckDecision.FALSETICKER), report(r, PI_ZERO).reason());
        assertEquals(Optional.of(CheckDecision.FALSETICKER), report(r, A1).reason());
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
    }

    @Test
    void everyAddressOfAPoolNameIsACandidateUpToTheCap() {
        resolver.name("pool-a.test", "198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4",
                "198.51.100.5");
        NtpConfig config = config().primaries(List.of()).fallbackHosts("pool-a.test").maxAddressesPerName(3).build();
        CheckResult r = checker(config).check();
        assertEquals(List.of(Optional.of(A1), Optional.of(A2), Optional.of(addr("198.51.100.3"))),
                r.sources().stream().map(SourceReport::address).toList());
        assertEquals(3, client.calls().size());
    }

    @Test
    void anAddressSharedByTwoNamesIsQueriedAndCountedOnce() {
        resolver.name("pool-b.test", "198.51.100.1", "198.51.100.11");
        client.results(A1, ok(A1, Duration.ofMillis(900)));
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ZERO));
        client.results(B1, ok(B1, Duration.ZERO));
        CheckResult r = checker(config().fallbackHosts("pool-a.test", "pool-b.test").build()).check();
        assertEquals(1, client.callsTo(A1));
        assertEquals(1, r.sources().stream().filter(s -> s.address().equals(Optional.of(A1))).count());
        // Counted twice, the far-off A1 would tie the vote; counted once it is the falseticker it is.
        assertEquals(Optional.of(CheckDecision.FALSETICKER), report(r, A1).reason());
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
    }

    @Test
    void anAddressSharedByTwoNamesBelongsToTheFirstInConfigurationOrderNotTheFirstResolved() throws Exception {
        // pool-a.test is configured first but resolves only after pool-b.test's query of the shared address began.
        CountDownLatch sharedQueried = new CountDownLatch(1);
        NameResolver ordered = waitingFor("pool-a.test", sharedQueried);
        resolver.name("pool-a.test", "198.51.100.1");
        resolver.name("pool-b.test", "198.51.100.1", "198.51.100.11");
        client.answer(A1, o -> {
            sharedQueried.countDown();
            return ok(A1, Duration.ZERO);
        });
        client.results(B1, ok(B1, Duration.ZERO));
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            NtpConfig config = config().primaries(List.of()).fallbackHosts("pool-a.test", "pool-b.test")
                    .checkDeadline(Duration.ofSeconds(10)).build();
            CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(ordered).executor(pool).build()
                    .check();
            assertEquals(0, sharedQueried.getCount(), "pool-b.test's query of the shared address came first");
            assertEquals(1, client.callsTo(A1));
            assertEquals(List.of("pool-a.test", "pool-b.test"),
                    r.sources().stream().map(x -> x.server().host()).toList());
            assertEquals(Optional.of(A1), r.sources().get(0).address());
            assertEquals(Outcome.OK, r.sources().get(0).outcome());
            assertEquals(Optional.of(B1), r.sources().get(1).address());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unresolvableNameIsReportedAsUnresolvedAndOthersStillCount() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ZERO));
        NtpConfig config = config().fallbackHosts("nowhere.test").build();
        CheckResult r = checker(config).check();
        SourceReport nowhere = r.sources().get(1);
        assertEquals("nowhere.test", nowhere.server().host());
        assertEquals(Outcome.UNRESOLVED, nowhere.outcome());
        assertTrue(nowhere.address().isEmpty());
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
    }

    @Test
    void everySourceThatIsNotUsedSaysWhyInWords() {
        resolver.name("empty.test");
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(2500)));
        client.results(A1, ok(A1, Duration.ofMillis(4)));
        client.results(A2, new QueryResult(A2, Outcome.UNREACHABLE, Optional.empty(), List.of(), List.of(),
                Optional.empty(), Duration.ZERO, 1, DropCounts.NONE, "ICMP port unreachable from " + A2));
        client.results(B1, ok(B1, Duration.ofMillis(-3)));
        NtpConfig config = config().fallbackHosts("pool-a.test", "pool-b.test", "nowhere.test", "empty.test").build();
        CheckResult r = checker(config).check();
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
        assertEquals("offset +2.500000 s disagrees with the 2 of 3 answering sources that agree (offsets -0.003000 s"
                + " to +0.004000 s)", report(r, PI_ZERO).detail());
        assertEquals("ICMP port unreachable from " + A2, report(r, A2).detail(), "the query's own detail");
        List<SourceReport> unresolved = r.sources().stream().filter(s -> s.outcome() == Outcome.UNRESOLVED).toList();
        assertEquals(List.of("unknown host nowhere.test", "the resolver gave no address"),
                unresolved.stream().map(SourceReport::detail).toList());
    }

    @Test
    void withoutAMajorityAndBeyondTheLimitsTheDetailSaysSo() {
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(1)));
        client.results(A1, ok(A1, Duration.ofMillis(900)));
        CheckResult r = checker(config().build()).check();
        assertEquals("offset +0.001000 s: no majority agrees, at most 1 of 2 answering sources agree within their"
                + " error bounds", report(r, PI_ZERO).detail());

        client.results(A1, ok(A1, Duration.ZERO, Duration.ofSeconds(6), Duration.ofSeconds(6)));
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ofMillis(-400)));
        r = checker(config().build()).check();
        assertEquals("root distance +6.000000 s above the maximum +5.000000 s", report(r, A1).detail());
        assertEquals("offset -0.400000 s beyond the maximum of +0.128000 s either way", report(r, PI_ZERO).detail());
    }

    @Test
    void sourcesCutOffByTheDeadlineSayHowLongItWas() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        NameResolver hung = waitingFor("pool-b.test", release);
        hang(PI_ZERO, new CountDownLatch(1), release);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            NtpConfig config = config().timeout(Duration.ofMillis(100)).checkDeadline(Duration.ofMillis(200)).build();
            CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(hung).executor(pool).build().check();
            assertEquals("no answer within the check deadline of 0.2 s", report(r, PI_ZERO).detail());
            assertEquals("not resolved within the check deadline of 0.2 s", r.sources().stream()
                    .filter(s -> s.server().host().equals("pool-b.test")).findFirst().orElseThrow().detail());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aLocalClockCenturiesOffIsUnsynchronizedNotAnArithmeticOverflow() {
        // A local clock set to 2400 (a corrupt RTC, a bad manual date) against servers in 2026: offsets of -374
        // years do not fit a long of nanoseconds. Every layer must still give values, not throw.
        Duration centuries = Duration.ofDays(-365L * 374);
        client.results(PI_ZERO, ok(PI_ZERO, centuries));
        client.results(A1, ok(A1, centuries.plusMillis(2)));
        client.results(B1, ok(B1, centuries.minusMillis(1)));
        NtpConfig config = config().build();
        CheckResult r = checker(config).check();
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        assertEquals(Optional.of(CheckDecision.OFFSET_TOO_LARGE), report(r, PI_ZERO).reason(), r.toString());

        DriftHistory drift = DriftHistory.empty().next(r, config);
        assertTrue(drift.offsetAlert());
        DriftHistory read = DriftHistory.decode(drift.encode());
        assertTrue(read.offsetAlert());
        assertTrue(read.points().get(0).offset().compareTo(Duration.ofDays(-365L * 100)) < 0, read.toString());
        NtpMetrics metrics = new NtpMetrics(config);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        metrics.bindTo(registry);
        metrics.record(r);
        assertEquals(-365.0 * 374 * 86400, registry.get("ntp.offset").tag("server", "192.0.2.2").gauge().value(),
                1.0);
        assertEquals(SyncQuality.LOW, SyncQuality.of(r.sources().get(0).sample().orElseThrow(), config));
    }

    @Test
    void primaryGetsItsBurstAndItsRetryAndFallbacksOneSampleWithinTheTimeout() {
        checker(config().primarySamples(4).fallbackSamples(1).timeout(Duration.ofMillis(700)).build()).check();
        List<FakeSntpClient.Call> calls = client.calls();
        FakeSntpClient.Call primaryFirst = calls.stream().filter(c -> c.server().equals(PI_ZERO)).findFirst()
                .orElseThrow();
        assertEquals(4, primaryFirst.options().samples());
        for (FakeSntpClient.Call c : calls) {
            int expected = c == primaryFirst ? 4 : 1; // the primary's retry and every fallback get one sample
            assertEquals(expected, c.options().samples(), c.toString());
            assertTrue(c.options().timeout().compareTo(Duration.ofMillis(700)) <= 0);
            assertEquals(Duration.ofSeconds(5), c.options().maxRootDistance());
        }
    }

    @Test
    void primaryIsRetriedOnceAfterATimeoutAndFallbacksAreNot() {
        client.results(PI_ZERO, timeout(PI_ZERO), ok(PI_ZERO, Duration.ZERO));
        CheckResult r = checker(config().build()).check();
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
        assertEquals(2, client.callsTo(PI_ZERO));
        assertEquals(1, client.callsTo(A1));
    }

    @Test
    void aSilentPrimaryIsGivenUpOneTimeoutAfterItsFirstRequestWithItsResendsSpacedWithinIt() {
        // Time passes only as the fake client waits out each exchange: samples x per-exchange timeout per query.
        long[] now = {0};
        List<Long> sentAt = new ArrayList<>();
        client.answer(PI_ZERO, o -> {
            for (int i = 0; i < o.samples(); i++) {
                sentAt.add(now[0]);
                now[0] += o.timeout().toNanos();
            }
            return timeout(PI_ZERO);
        });
        client.results(A1, ok(A1, Duration.ofMillis(2)));
        NtpConfig config = config().fallbackHosts("pool-a.test").primarySamples(4).timeout(Duration.ofSeconds(1))
                .checkDeadline(Duration.ofSeconds(2)).build();
        CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(resolver).clock(clock)
                .ticker(() -> now[0]).executor(Runnable::run).build().check();
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
        assertEquals(Outcome.TIMEOUT, report(r, PI_ZERO).outcome());
        // the burst of 4 and the retry, 200 ms apart: the last wait ends exactly one timeout after the first send
        assertEquals(List.of(0L, 200_000_000L, 400_000_000L, 600_000_000L, 800_000_000L), sentAt);
        assertEquals(Duration.ofSeconds(1), r.elapsed());
    }

    @Test
    void aPrimaryStartedLateGetsWhatIsLeftOfTheCheckDeadlineNotAWholeTimeout() {
        long[] now = {0};
        List<Long> sentAt = new ArrayList<>();
        client.answer(PI_ZERO, o -> {
            for (int i = 0; i < o.samples(); i++) {
                sentAt.add(now[0]);
                now[0] += o.timeout().toNanos();
            }
            return timeout(PI_ZERO);
        });
        NameResolver slow = name -> {
            now[0] += Duration.ofMillis(1500).toNanos(); // the lookup used 1.5 s of the 2 s deadline
            return resolver.resolve(name);
        };
        NtpConfig config = config().fallbacks(List.of()).primarySamples(4).timeout(Duration.ofSeconds(1))
                .checkDeadline(Duration.ofSeconds(2)).build();
        CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(slow).clock(clock)
                .ticker(() -> now[0]).executor(Runnable::run).build().check();
        assertEquals(Outcome.TIMEOUT, report(r, PI_ZERO).outcome());
        assertEquals(List.of(1_500_000_000L, 1_600_000_000L, 1_700_000_000L, 1_800_000_000L, 1_900_000_000L),
                sentAt);
        assertEquals(Duration.ofSeconds(2), r.elapsed());
    }

    /** The fake resolver, but {@code host} is resolved only once {@code latch} is down (or after 30 s). */
    NameResolver waitingFor(String host, CountDownLatch latch) {
        return name -> {
            if (name.equals(host)) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return resolver.resolve(name);
        };
    }

    /** Scripts {@code a} to hang until {@code release} (or 30 s), counting down {@code entered} when it starts. */
    void hang(InetSocketAddress a, CountDownLatch entered, CountDownLatch release) {
        client.answer(a, o -> {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return timeout(a);
        });
    }

    @Test
    void deadSourcesCostOneDeadlineNotASumOfTimeouts() throws Exception {
        // The primary and both addresses of pool-a hang for 30 s each; pool-b answers at once. Waiting for any one
        // of the hung queries would take 30 s, for all of them in turn 90 s; the check must end at its deadline.
        // The margins are wide on purpose (2 s deadline, 30 s hang): this is about behaviour, not speed.
        CountDownLatch entered = new CountDownLatch(3);
        CountDownLatch release = new CountDownLatch(1);
        for (InetSocketAddress a : List.of(PI_ZERO, A1, A2)) {
            hang(a, entered, release);
        }
        client.results(B1, ok(B1, Duration.ofMillis(1)));
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            NtpConfig config = config().fallbackHosts("pool-a.test", "pool-b.test").timeout(Duration.ofSeconds(1))
                    .checkDeadline(Duration.ofSeconds(2)).build();
            NtpChecker checker = NtpChecker.custom(config).sntpClient(client).resolver(resolver).executor(pool).build();
            long start = System.nanoTime();
            CheckResult r = checker.check();
            long took = System.nanoTime() - start;
            assertEquals(0, entered.getCount(), "all three hung queries were under way at once");
            assertEquals(1, release.getCount(), "the check returned while all of them were still hung");
            assertTrue(took < TimeUnit.SECONDS.toNanos(30), "waited for a hung query: " + took / 1_000_000 + " ms");
            assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
            for (InetSocketAddress a : List.of(PI_ZERO, A1, A2)) {
                assertEquals(Outcome.TIMEOUT, report(r, a).outcome());
            }
            assertTrue(r.elapsed().compareTo(Duration.ofSeconds(2)) >= 0, "waited for the deadline: " + r.elapsed());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void slowNameResolutionIsCutOffByTheDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        NameResolver slow = waitingFor("pool-a.test", release);
        client.results(PI_ZERO, ok(PI_ZERO, Duration.ZERO));
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            NtpConfig config = config().timeout(Duration.ofSeconds(1)).checkDeadline(Duration.ofSeconds(2)).build();
            CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(slow).executor(pool).build().check();
            assertEquals(1, release.getCount(), "the check returned while the resolver was still hung");
            SourceReport a = r.sources().stream().filter(s -> s.server().host().equals("pool-a.test")).findFirst()
                    .orElseThrow();
            assertEquals(Outcome.UNRESOLVED, a.outcome());
            assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void queriesOfAllSourcesRunConcurrently() throws Exception {
        // Each answer waits until all four addresses are being queried at once: only concurrent queries finish.
        CountDownLatch allStarted = new CountDownLatch(4);
        for (InetSocketAddress a : List.of(PI_ZERO, A1, A2, B1)) {
            client.answer(a, o -> {
                allStarted.countDown();
                try {
                    allStarted.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return allStarted.getCount() == 0 ? ok(a, Duration.ZERO) : timeout(a);
            });
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            NtpConfig config = config().fallbackHosts("pool-a.test", "pool-b.test")
                    .checkDeadline(Duration.ofSeconds(10)).build();
            CheckResult r = NtpChecker.custom(config).sntpClient(client).resolver(resolver).executor(pool).build()
                    .check();
            assertTrue(r.sources().stream().allMatch(SourceReport::isUsable), r.sources().toString());
        } finally {
            pool.shutdownNow();
        }
    }
}
