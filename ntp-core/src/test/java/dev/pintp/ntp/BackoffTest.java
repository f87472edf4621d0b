package dev.pintp.ntp;

import static dev.pintp.ntp.Fixtures.addr;
import static dev.pintp.ntp.Fixtures.kiss;
import static dev.pintp.ntp.Fixtures.ok;
import static dev.pintp.ntp.Fixtures.timeout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackoffTest {
    static final InetSocketAddress PI_ZERO = addr("192.0.2.2");
    static final InetSocketAddress POOL = addr("198.51.100.1");

    final FakeSntpClient client = new FakeSntpClient();
    final FakeResolver resolver = new FakeResolver().name("192.0.2.2", "192.0.2.2").name("pool.test", "198.51.100.1");
    final MutableClock clock = new MutableClock(Fixtures.T0);
    final NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool.test").build();

    NtpChecker checker(BackoffState initial) {
        return NtpChecker.custom(config).sntpClient(client).resolver(resolver).clock(clock).executor(Runnable::run)
                .backoffState(initial).build();
    }

    static SourceReport report(CheckResult r, NtpServer.Role role) {
        return r.sources().stream().filter(s -> s.server().role() == role).findFirst().orElseThrow();
    }

    @Test
    void kissRateFromAPoolServerSkipsItUntilTheBackoffEnds() {
        client.results(POOL, kiss(POOL, "RATE"), ok(POOL, Duration.ZERO));
        NtpChecker checker = checker(BackoffState.empty());
        CheckResult first = checker.check();
        assertEquals(Outcome.KISS, report(first, NtpServer.Role.FALLBACK).outcome());

        clock.advance(Duration.ofMinutes(1));
        CheckResult second = checker.check();
        SourceReport pool = report(second, NtpServer.Role.FALLBACK);
        assertEquals(Outcome.SKIPPED, pool.outcome());
        assertEquals(Optional.of(CheckDecision.BACKED_OFF), pool.reason());
        assertEquals(Optional.of(POOL), pool.address());
        assertEquals("KoD RATE (1 in a row): backed off until 2026-11-25T06:15:00Z", pool.detail());
        assertEquals(1, client.callsTo(POOL), "a backed-off server is not sent a packet");

        clock.advance(Duration.ofMinutes(15));
        CheckResult third = checker.check();
        assertEquals(Outcome.OK, report(third, NtpServer.Role.FALLBACK).outcome());
        assertEquals(2, client.callsTo(POOL));
        assertTrue(checker.backoffState().isEmpty(), "a good answer clears the backoff: " + checker.backoffState());
    }

    @Test
    void consecutiveKissRateDoublesTheBackoff() {
        client.results(POOL, kiss(POOL, "RATE"));
        NtpChecker checker = checker(BackoffState.empty());
        checker.check();
        clock.advance(Duration.ofMinutes(16));
        checker.check();
        BackoffState.Entry e = checker.backoffState().entry(POOL).orElseThrow();
        assertEquals(2, e.rateKisses());
        assertEquals(Optional.of(clock.instant().plus(Duration.ofMinutes(30))), e.rateLimitedUntil());
    }

    @Test
    void kissDenyStopsQueriesToThatServer() {
        client.results(POOL, kiss(POOL, "DENY"));
        NtpChecker checker = checker(BackoffState.empty());
        checker.check();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(60));
            SourceReport pool = report(checker.check(), NtpServer.Role.FALLBACK);
            assertEquals(Outcome.SKIPPED, pool.outcome());
            assertEquals(Optional.of(CheckDecision.DENIED), pool.reason());
            assertEquals("KoD DENY/RSTR: not queried until 2026-11-26T06:00:00Z", pool.detail());
        }
        assertEquals(1, client.callsTo(POOL));
    }

    @Test
    void kissRstrIsADenialToo() {
        client.results(POOL, kiss(POOL, "RSTR"));
        NtpChecker checker = checker(BackoffState.empty());
        checker.check();
        assertEquals(Optional.of(CheckDecision.DENIED), report(checker.check(), NtpServer.Role.FALLBACK).reason());
    }

    @Test
    void primaryIsProbedEveryCheckEvenAfterKissAndTimeouts() {
        client.results(PI_ZERO, kiss(PI_ZERO, "RATE"), kiss(PI_ZERO, "DENY"), timeout(PI_ZERO), timeout(PI_ZERO),
                timeout(PI_ZERO), timeout(PI_ZERO), timeout(PI_ZERO), ok(PI_ZERO, Duration.ZERO));
        NtpChecker checker = checker(BackoffState.empty());
        CheckResult last = null;
        for (int i = 0; i < 6; i++) {
            last = checker.check();
            assertTrue(report(last, NtpServer.Role.PRIMARY).outcome() != Outcome.SKIPPED);
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(Outcome.OK, report(last, NtpServer.Role.PRIMARY).outcome(), "recovery seen at once");
        assertEquals(Verdict.PRIMARY_SYNCED, last.verdict());
    }

    @Test
    void circuitBreakerSkipsAPoolServerAfterThreeFailuresAndProbesItLater() {
        NtpChecker checker = checker(BackoffState.empty());
        for (int i = 0; i < 3; i++) {
            assertEquals(Outcome.TIMEOUT, report(checker.check(), NtpServer.Role.FALLBACK).outcome());
            clock.advance(Duration.ofMinutes(1));
        }
        SourceReport skipped = report(checker.check(), NtpServer.Role.FALLBACK);
        assertEquals(Outcome.SKIPPED, skipped.outcome());
        assertEquals(Optional.of(CheckDecision.BACKED_OFF), skipped.reason());
        assertEquals("3 failed queries in a row: backed off until 2026-11-25T06:17:00Z", skipped.detail());
        assertEquals(3, client.callsTo(POOL));
        assertEquals(3, checker.backoffState().entry(POOL).orElseThrow().failures());

        clock.advance(Duration.ofMinutes(15));
        client.results(POOL, ok(POOL, Duration.ZERO));
        assertEquals(Outcome.OK, report(checker.check(), NtpServer.Role.FALLBACK).outcome());
        assertEquals(4, client.callsTo(POOL));
        assertTrue(checker.backoffState().entry(POOL).isEmpty());
    }

    @Test
    void aProbeOfAHalfOpenBreakerThatWasNeverSentDoesNotKeepTheServerSkippedForever() {
        // The deadline can pass before a query is sent (a slow resolver): the breaker's one half-open permission
        // must be given back, or the address would be skipped by every later check of this checker.
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean slowResolver = new java.util.concurrent.atomic.AtomicBoolean();
        NameResolver resolving = host -> {
            if (slowResolver.get()) {
                ticks.addAndGet(config.checkDeadline().toNanos()); // the resolver used up the whole deadline
            }
            return resolver.resolve(host);
        };
        NtpChecker checker = NtpChecker.custom(config).sntpClient(client).resolver(resolving).clock(clock)
                .ticker(ticks::get).executor(Runnable::run).build();
        for (int i = 0; i < 3; i++) {
            checker.check();
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(Outcome.SKIPPED, report(checker.check(), NtpServer.Role.FALLBACK).outcome());
        assertEquals(3, client.callsTo(POOL));

        clock.advance(Duration.ofMinutes(15));
        slowResolver.set(true);
        SourceReport late = report(checker.check(), NtpServer.Role.FALLBACK);
        assertEquals(Outcome.TIMEOUT, late.outcome());
        assertEquals(3, client.callsTo(POOL), "nothing sent after the deadline");

        slowResolver.set(false);
        client.results(POOL, ok(POOL, Duration.ZERO));
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Outcome.OK, report(checker.check(), NtpServer.Role.FALLBACK).outcome());
        assertEquals(4, client.callsTo(POOL));
    }

    @Test
    void backoffStampedByAClockThatWasAheadIsNotHonouredForYears() {
        // Written when the wall clock read two years ahead, since corrected: no backoff lasts more than a day, so
        // an end further away than that is an artefact of the clock, not a backoff to honour.
        Instant ahead = clock.instant().plus(Duration.ofDays(730));
        BackoffState persisted = BackoffState.of(List.of(new BackoffState.Entry(BackoffState.key(POOL),
                Optional.of(ahead), 1, Optional.of(ahead), 0, Optional.of(ahead))));
        client.results(POOL, ok(POOL, Duration.ZERO));
        assertEquals(Outcome.OK, report(checker(persisted).check(), NtpServer.Role.FALLBACK).outcome());
        assertTrue(persisted.pruned(clock.instant()).entry(POOL).orElseThrow().isActive(clock.instant()),
                "the RATE count still matters");
        assertTrue(!persisted.entry(POOL).orElseThrow().isBackedOff(clock.instant()));
        assertTrue(!persisted.entry(POOL).orElseThrow().isDenied(clock.instant()));
    }

    @Test
    void anOpenCircuitBreakerIsNotStuckWhenTheWallClockIsSetBack() {
        // The pool was unreachable at boot while the wall clock (a bad RTC) read a year ahead; then the network
        // came up and the clock was corrected. The breaker's 15 minutes are elapsed time, not wall-clock time.
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong();
        NtpChecker checker = NtpChecker.custom(config).sntpClient(client).resolver(resolver).clock(clock)
                .ticker(ticks::get).executor(Runnable::run).build();
        for (int i = 0; i < 3; i++) {
            checker.check();
            clock.advance(Duration.ofMinutes(1));
            ticks.addAndGet(Duration.ofMinutes(1).toNanos());
        }
        assertEquals(Outcome.SKIPPED, report(checker.check(), NtpServer.Role.FALLBACK).outcome());

        clock.advance(Duration.ofDays(-365));
        ticks.addAndGet(Duration.ofMinutes(16).toNanos());
        client.results(POOL, ok(POOL, Duration.ZERO));
        assertEquals(Outcome.OK, report(checker.check(), NtpServer.Role.FALLBACK).outcome());
        assertEquals(4, client.callsTo(POOL));
    }

    @Test
    void persistedBackoffIsHonouredByANewCheckerLikeTheNextProcess() {
        client.results(POOL, kiss(POOL, "RATE"));
        NtpChecker first = checker(BackoffState.empty());
        first.check();
        String file = first.backoffState().encode();

        clock.advance(Duration.ofMinutes(1));
        NtpChecker next = checker(BackoffState.decode(file));
        SourceReport pool = report(next.check(), NtpServer.Role.FALLBACK);
        assertEquals(Outcome.SKIPPED, pool.outcome());
        assertEquals(1, client.callsTo(POOL));
    }

    @Test
    void persistedFailuresCarryTheCircuitBreakerAcrossProcesses() {
        BackoffState state = BackoffState.empty();
        for (int i = 0; i < 3; i++) {
            NtpChecker process = checker(state);
            process.check();
            state = BackoffState.decode(process.backoffState().encode());
            clock.advance(Duration.ofMinutes(1));
        }
        assertEquals(Outcome.SKIPPED, report(checker(state).check(), NtpServer.Role.FALLBACK).outcome());
        assertEquals(3, client.callsTo(POOL));
    }

    @Test
    void encodeDecodeRoundTrips() {
        Instant t = Instant.parse("2026-11-25T06:15:00Z");
        BackoffState s = BackoffState.of(List.of(
                new BackoffState.Entry("198.51.100.1:123", Optional.of(t), 2, Optional.empty(), 0, Optional.empty()),
                new BackoffState.Entry("[2001:db8::1]:123", Optional.empty(), 0, Optional.of(t), 1,
                        Optional.of(t.plusSeconds(5)))));
        assertEquals(s, BackoffState.decode(s.encode()));
        assertEquals(BackoffState.empty(), BackoffState.decode(BackoffState.empty().encode()));
    }

    @Test
    void keyIsTheAddressAndPortWithBracketsForIpv6() throws Exception {
        assertEquals("198.51.100.1:123", BackoffState.key(POOL));
        assertEquals("[2001:db8:0:0:0:0:0:1]:4123",
                BackoffState.key(new InetSocketAddress(java.net.InetAddress.getByName("2001:db8::1"), 4123)));
    }

    @Test
    void decodeRejectsGarbage() {
        for (String bad : List.of("", "hello", "pintp-backoff 2\n", "pintp-backoff 1\nx rate=- kisses=0",
                "pintp-backoff 1\n1.2.3.4:123 rate=yesterday kisses=0 deny=- failures=0 open=-",
                "pintp-backoff 1\n1.2.3.4:123 rate=- kisses=-1 deny=- failures=0 open=-",
                "pintp-backoff 1\n1.2.3.4:123 rate=- kisses=0 deny=- failures=0 open=-\n"
                        + "1.2.3.4:123 rate=- kisses=0 deny=- failures=1 open=-")) {
            assertThrows(IllegalArgumentException.class, () -> BackoffState.decode(bad), bad);
        }
    }

    @Test
    void prunedDropsWhatNoLongerMatters() {
        Instant t = Fixtures.T0;
        BackoffState s = BackoffState.of(List.of(
                new BackoffState.Entry("198.51.100.1:123", Optional.of(t), 0, Optional.empty(), 0, Optional.empty()),
                new BackoffState.Entry("198.51.100.2:123", Optional.of(t.plusSeconds(1)), 1, Optional.empty(), 0,
                        Optional.empty())));
        assertEquals(List.of("198.51.100.2:123"), List.copyOf(s.pruned(t).entries().keySet()));
    }
}
