package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rule of the stable state: losing immediate, regaining at the next good check, flapping damped. */
class SyncStateTest {
    static final SyncState.Observation UNSYNC = SyncState.Observation.UNSYNCHRONIZED;
    static final SyncState.Observation PRIMARY_HIGH = primary(SyncQuality.HIGH);
    static final SyncState.Observation PRIMARY_MEDIUM = primary(SyncQuality.MEDIUM);
    static final SyncState.Observation PRIMARY_LOW = primary(SyncQuality.LOW);
    static final SyncState.Observation POOL_A = new SyncState.Observation(Verdict.FALLBACK_SYNCED,
            Optional.of("0.debian.pool.ntp.org"), SyncQuality.MEDIUM);
    static final SyncState.Observation POOL_B = new SyncState.Observation(Verdict.FALLBACK_SYNCED,
            Optional.of("1.debian.pool.ntp.org"), SyncQuality.MEDIUM);

    final NtpConfig config = NtpConfig.ofDefaults();
    Instant now = Fixtures.T0;

    static SyncState.Observation primary(SyncQuality q) {
        return new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), q);
    }

    /** Feeds observations one minute apart and returns every state. */
    List<SyncState> feed(SyncState start, SyncState.Observation... observations) {
        List<SyncState> out = new ArrayList<>();
        SyncState s = start;
        for (SyncState.Observation o : observations) {
            now = now.plus(Duration.ofMinutes(1));
            s = s.next(o, now, config);
            out.add(s);
        }
        return out;
    }

    static SyncState last(List<SyncState> states) {
        return states.get(states.size() - 1);
    }

    SyncState stableAt(SyncState.Observation o) {
        return SyncState.stableSince(o, now.minus(Duration.ofHours(1)));
    }

    static long changes(List<SyncState> states) {
        return states.stream().filter(SyncState::changed).count();
    }

    @Test
    void initialIsUnsynchronizedWithoutPenalty() {
        SyncState s = SyncState.initial();
        assertEquals(Verdict.UNSYNCHRONIZED, s.verdict());
        assertEquals(SyncQuality.NONE, s.quality());
        assertTrue(s.server().isEmpty());
        assertTrue(s.since().isEmpty());
        assertEquals(0, s.penalty());
        assertFalse(s.suppressed());
    }

    @Test
    void theFirstGoodCheckGains() {
        SyncState s = last(feed(SyncState.initial(), PRIMARY_HIGH));
        assertEquals(PRIMARY_HIGH, s.stable());
        assertTrue(s.changed());
        assertEquals(Optional.of(now), s.since());
        assertEquals(1000, s.penalty(), 1e-9);
    }

    @Test
    void oneFailedCheckLosesAtOnce() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC);
        assertEquals(UNSYNC, s.get(0).stable());
        assertTrue(s.get(0).changed());
    }

    @Test
    void aFailedCheckLosesLikeAnUnsynchronizedOne() {
        SyncState s = stableAt(PRIMARY_HIGH).failed(now, config);
        assertEquals(UNSYNC, s.stable());
        assertTrue(s.changed());
    }

    @Test
    void losingIsImmediateEvenWhileRegainingIsSuppressed() {
        // flapping until suppressed, then good: held; then bad: lost at once
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC, PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH);
        assertEquals(List.of(true, true, true, false), s.stream().map(SyncState::changed).toList());
        SyncState held = last(s);
        assertTrue(held.suppressed());
        assertEquals(UNSYNC, held.stable());
        SyncState suppressedSynced = new SyncState(PRIMARY_HIGH, Optional.of(now), held.penalty(),
                held.penaltyAt(), true, false);
        assertEquals(UNSYNC, last(feed(suppressedSynced, UNSYNC)).stable(), "a suppressed state still loses at once");
    }

    @Test
    void aSingleOutageCostsExactlyTwoChangesAndIsRegainedAtTheFirstGoodCheck() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC, UNSYNC, UNSYNC, UNSYNC, UNSYNC, PRIMARY_HIGH,
                PRIMARY_HIGH, PRIMARY_HIGH);
        assertEquals(List.of(true, false, false, false, false, true, false, false),
                s.stream().map(SyncState::changed).toList());
        assertEquals(PRIMARY_HIGH, s.get(5).stable(), "regained at the first good check after the outage");
    }

    @Test
    void theFirstOutageAfterABootIsRegainedAtOnceToo() {
        // the original design's procedures: available, NTP stopped (next check), recovered (next check)
        List<SyncState> s = feed(SyncState.initial(), PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH);
        assertEquals(List.of(true, true, true), s.stream().map(SyncState::changed).toList());
        assertFalse(s.get(1).suppressed());
    }

    @Test
    void aRegainIsHeldUntilThePenaltyHasDecayedBelowTheReuseThreshold() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC, PRIMARY_HIGH, UNSYNC);
        SyncState suppressed = last(s);
        assertTrue(suppressed.suppressed());
        Instant until = suppressed.suppressedUntil(config).orElseThrow();
        // the figure 1000 + 1000 * 2^(-1/15) + ... decays to 500 with a half-life of 15 min
        double expectedMinutes = 15 * Math.log(suppressed.penalty() / 500) / Math.log(2);
        assertEquals(expectedMinutes, Duration.between(now, until).toNanos() / 60e9, 1e-6);
        SyncState justBefore = suppressed.next(PRIMARY_HIGH, until.minusSeconds(1), config);
        assertEquals(UNSYNC, justBefore.stable(), "still suppressed a second before");
        SyncState at = justBefore.next(PRIMARY_HIGH, until, config);
        assertEquals(PRIMARY_HIGH, at.stable(), "regained at the reuse time");
        assertFalse(at.suppressed(), "the regain lifts the figure to about 1500, below suppress");
    }

    @Test
    void anInconsistentBurstNeverRegainsButNeverLosesEither() {
        SyncState unsynced = stableAt(UNSYNC);
        assertEquals(UNSYNC, unsynced.next(PRIMARY_HIGH, false, now, config).stable());
        SyncState synced = stableAt(PRIMARY_HIGH);
        assertEquals(PRIMARY_HIGH, synced.next(PRIMARY_HIGH, false, now, config).stable());
        assertEquals(UNSYNC, synced.next(UNSYNC, false, now, config).stable());
    }

    @Test
    void theBurstOfACheckResultDecidesWhetherItIsConsistent() {
        NtpServer server = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
        InetSocketAddress a = Fixtures.addr("192.0.2.2");
        // two samples 2 ms delay, 1 ms error bound each (sync distance 12 ms, root distance 10 ms in Fixtures) ...
        NtpSample s1 = Fixtures.sample(a, Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(12));
        NtpSample near = Fixtures.sample(a, Duration.ofMillis(3), Duration.ofMillis(10), Duration.ofMillis(12));
        NtpSample far = Fixtures.sample(a, Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(12));
        for (boolean agree : new boolean[] {true, false}) {
            NtpSample other = agree ? near : far; // bounds 2 ms each: 3 ms apart agree, 5 ms apart do not
            QueryResult q = new QueryResult(a, Outcome.OK, Optional.of(s1), List.of(s1, other), List.of(),
                    Optional.empty(), Duration.ZERO, 2, DropCounts.NONE, "");
            assertEquals(agree, q.samplesAgree());
            SourceReport r = new SourceReport(server, Optional.of(a), Outcome.OK, List.of(), Optional.of(q));
            CheckResult result = new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(r), List.of(r),
                    new VerdictReason.Synced(server, a, Duration.ZERO), SyncQuality.HIGH, now, Duration.ZERO);
            assertEquals(agree ? PRIMARY_HIGH : UNSYNC, stableAt(UNSYNC).next(result, now, config).stable());
        }
    }

    @Test
    void aLowerLevelIsALossAndAHigherOneARegain() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), PRIMARY_MEDIUM, PRIMARY_HIGH);
        assertEquals(PRIMARY_MEDIUM, s.get(0).stable(), "a lower level at once");
        assertEquals(PRIMARY_HIGH, s.get(1).stable(), "a higher one at the next check, no flapping before");
    }

    @Test
    void aLevelThatFlapsIsDampedLikeTheVerdict() {
        SyncState.Observation[] flap = new SyncState.Observation[60];
        for (int i = 0; i < flap.length; i++) {
            flap[i] = i % 2 == 0 ? PRIMARY_MEDIUM : PRIMARY_HIGH;
        }
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), flap);
        assertTrue(changes(s) <= 6, "changes " + changes(s));
        long high = s.stream().filter(x -> x.stable().equals(PRIMARY_HIGH)).count();
        assertTrue(high < 10, "the higher level is held back most of the hour: " + high + " minutes");
    }

    @Test
    void serverAlternatingBetweenPoolNamesDoesNotChurn() {
        List<SyncState> s = feed(stableAt(POOL_A), POOL_B, POOL_A, POOL_B, POOL_A, POOL_B);
        assertEquals(0, changes(s));
        assertEquals(POOL_A, last(s).stable());
    }

    @Test
    void anotherPrimaryTakesOverAtTheNextCheck() {
        SyncState.Observation other = new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.3"),
                SyncQuality.HIGH);
        assertEquals(other, last(feed(stableAt(PRIMARY_HIGH), other)).stable());
    }

    @Test
    void losingThePrimaryToThePoolIsALoss() {
        assertEquals(POOL_A, last(feed(stableAt(PRIMARY_HIGH), POOL_A)).stable());
    }

    @Test
    void aClockSetBackIsNoElapsedTimeAndAClockSetForwardDecaysEarly() {
        SyncState suppressed = last(feed(stableAt(PRIMARY_HIGH), UNSYNC, PRIMARY_HIGH, UNSYNC));
        SyncState back = suppressed.next(UNSYNC, now.minus(Duration.ofDays(365)), config);
        assertEquals(suppressed.penalty(), back.penalty(), 1e-9, "no decay, no growth");
        assertEquals(Optional.of(now.minus(Duration.ofDays(365))), back.penaltyAt(), "re-anchored on the new reading");
        SyncState after = back.next(PRIMARY_HIGH, now.minus(Duration.ofDays(365)).plus(Duration.ofMinutes(1)), config);
        assertEquals(UNSYNC, after.stable(), "still suppressed: the decay goes on from the new reading");
        SyncState forward = suppressed.next(PRIMARY_HIGH, now.plus(Duration.ofDays(365)), config);
        assertEquals(PRIMARY_HIGH, forward.stable(), "a year later the penalty is gone");
    }

    @Test
    void thePenaltyNeverExceedsTheCeilingSoASuppressionEndsWithinTheMaximum() {
        // a ceiling of 500 * 2^(35/15) = 2520, below the 2867 that three quick changes reach
        NtpConfig short35 = NtpConfig.custom()
                .flapDamping(new FlapDamping(Duration.ofMinutes(15), 1000, 2000, 500, Duration.ofMinutes(35))).build();
        SyncState s = SyncState.initial();
        for (SyncState.Observation o : List.of(PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH)) {
            now = now.plusSeconds(1);
            s = s.next(o, now, short35);
        }
        assertEquals(UNSYNC, s.stable());
        assertEquals(short35.flapDamping().ceiling(), s.penalty(), 5, "at the ceiling, less 1 s of decay");
        assertEquals(Duration.ofMinutes(35).toSeconds(),
                Duration.between(now, s.suppressedUntil(short35).orElseThrow()).toSeconds(), 2);
    }

    @Test
    void checkResultIsObservedByVerdictHostAndQuality() {
        NtpServer server = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
        SourceReport r = new SourceReport(server, Optional.of(Fixtures.addr("192.0.2.2")), Outcome.OK,
                List.of(), Optional.of(Fixtures.ok(Fixtures.addr("192.0.2.2"), Duration.ZERO)));
        CheckResult result = new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(r), List.of(r),
                new VerdictReason.Synced(server, Fixtures.addr("192.0.2.2"), Duration.ZERO), SyncQuality.HIGH, now,
                Duration.ZERO);
        assertEquals(PRIMARY_HIGH, SyncState.Observation.of(result));
    }

    @Test
    void encodeDecodeRoundTripsWithoutTheChangedFlag() {
        SyncState s = new SyncState(PRIMARY_MEDIUM, Optional.of(now), 1234.5678, Optional.of(now), true, true);
        assertEquals(new SyncState(PRIMARY_MEDIUM, Optional.of(now), 1234.5678, Optional.of(now), true, false),
                SyncState.decode(s.encode()));
        assertEquals(SyncState.initial(), SyncState.decode(SyncState.initial().encode()));
        SyncState tiny = new SyncState(PRIMARY_MEDIUM, Optional.of(now), 1.0E-5, Optional.of(now), false, false);
        assertEquals(tiny, SyncState.decode(tiny.encode()));
    }

    @Test
    void aVersionOneStateIsReadAsItsStableStateWithoutPenalty() {
        String v1 = "pintp-sync 1\nverdict=PRIMARY_SYNCED\nserver=192.168.4.2\nquality=MEDIUM\nsince=" + now
                + "\ncandidate.verdict=UNSYNCHRONIZED\ncandidate.server=-\ncandidate.quality=NONE\nstreak=1\n";
        assertEquals(SyncState.stableSince(PRIMARY_MEDIUM, now), SyncState.decode(v1));
    }

    @Test
    void decodeRejectsGarbage() {
        String good = new SyncState(PRIMARY_MEDIUM, Optional.of(now), 12.5, Optional.of(now), true, false).encode();
        for (String bad : List.of("", "pintp-sync 3\n", good.replace("verdict=PRIMARY_SYNCED", "verdict=MAYBE"),
                good.replace("penalty=12.5", "penalty=x"), good.replace("penalty=12.5", "penalty=-1"),
                good.replace("penalty=12.5", "penalty=NaN"), good.replace("penalty=12.5", "penalty=0.0"),
                good.replace("suppressed=true", "suppressed=maybe"),
                good.replace("since=", "since=yesterday"), good.replace("server=192.168.4.2", "server=-"),
                good + "extra=1\n", good.replace("quality=MEDIUM\n", ""))) {
            assertThrows(IllegalArgumentException.class, () -> SyncState.decode(bad), bad);
        }
    }

    @Test
    void decodeErrorsNameTheKeyAndTheAllowedValues() {
        String good = SyncState.stableSince(PRIMARY_MEDIUM, now).encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyncState.decode(good.replace("verdict=PRIMARY_SYNCED", "verdict=MAYBE")));
        assertEquals("bad sync state: verdict: 'MAYBE' is not one of [PRIMARY_SYNCED, FALLBACK_SYNCED,"
                + " UNSYNCHRONIZED]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SyncState.decode(good.replace("quality=MEDIUM", "quality=GREAT")));
        assertEquals("bad sync state: quality: 'GREAT' is not one of [NONE, LOW, MEDIUM, HIGH]", e.getMessage());
    }
}
