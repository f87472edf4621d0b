package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SyncStateTest {
    static final SyncState.Observation UNSYNC = SyncState.Observation.UNSYNCHRONIZED;
    static final SyncState.Observation PRIMARY_HIGH = primary(SyncQuality.HIGH);
    static final SyncState.Observation PRIMARY_MEDIUM = primary(SyncQuality.MEDIUM);
    static final SyncState.Observation PRIMARY_LOW = primary(SyncQuality.LOW);
    static final SyncState.Observation POOL_A = new SyncState.Observation(Verdict.FALLBACK_SYNCED,
            Optional.of("0.debian.pool.ntp.org"), SyncQuality.MEDIUM);
    static final SyncState.Observation POOL_B = new SyncState.Observation(Verdict.FALLBACK_SYNCED,
            Optional.of("1.debian.pool.ntp.org"), SyncQuality.MEDIUM);

    final NtpConfig config = NtpConfig.custom().checksToGain(3).checksToLose(2).minDwell(Duration.ofMinutes(5)).build();
    Instant now = Fixtures.T0;

    static SyncState.Observation primary(SyncQuality q) {
        return new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), q);
    }

    /** Feeds observations one minute apart and returns every state. */
    List<SyncState> feed(SyncState start, SyncState.Observation... observations) {
        List<SyncState> out = new java.util.ArrayList<>();
        SyncState s = start;
        for (SyncState.Observation o : observations) {
            now = now.plus(Duration.ofMinutes(1));
            s = s.next(o, now, config);
            out.add(s);
        }
        return out;
    }

    SyncState last(List<SyncState> states) {
        return states.get(states.size() - 1);
    }

    SyncState stableAt(SyncState.Observation o) {
        return new SyncState(o, Optional.of(now.minus(Duration.ofHours(1))), Optional.empty(), 0, false);
    }

    @Test
    void initialIsUnsynchronizedWithoutDwell() {
        SyncState s = SyncState.initial();
        assertEquals(Verdict.UNSYNCHRONIZED, s.verdict());
        assertEquals(SyncQuality.NONE, s.quality());
        assertTrue(s.server().isEmpty());
        assertTrue(s.since().isEmpty());
    }

    @Test
    void gainingNeedsChecksToGainConsecutiveChecks() {
        List<SyncState> s = feed(SyncState.initial(), PRIMARY_HIGH, PRIMARY_HIGH, PRIMARY_HIGH);
        assertEquals(Verdict.UNSYNCHRONIZED, s.get(1).verdict());
        assertFalse(s.get(1).changed());
        assertEquals(2, s.get(1).streak());
        assertEquals(PRIMARY_HIGH, s.get(2).stable());
        assertTrue(s.get(2).changed());
        assertEquals(Optional.of(now), s.get(2).since());
    }

    @Test
    void anInterruptedStreakStartsOver() {
        SyncState s = last(feed(SyncState.initial(), PRIMARY_HIGH, PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH, PRIMARY_HIGH));
        assertEquals(Verdict.UNSYNCHRONIZED, s.verdict());
        assertEquals(2, s.streak());
    }

    @Test
    void losingNeedsChecksToLoseConsecutiveChecks() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC, UNSYNC);
        assertEquals(PRIMARY_HIGH, s.get(0).stable());
        assertEquals(UNSYNC, s.get(1).stable());
        assertTrue(s.get(1).changed());
    }

    @Test
    void aFlappingLinkNeverChangesTheStableState() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), UNSYNC, PRIMARY_HIGH, UNSYNC, PRIMARY_HIGH, UNSYNC,
                PRIMARY_HIGH, UNSYNC);
        assertTrue(s.stream().noneMatch(SyncState::changed));
        assertEquals(PRIMARY_HIGH, last(s).stable());
    }

    @Test
    void minimumDwellHoldsAChangeBackUntilItHasPassed() {
        SyncState justChanged = new SyncState(PRIMARY_HIGH, Optional.of(now), Optional.empty(), 0, false);
        List<SyncState> s = feed(justChanged, UNSYNC, UNSYNC, UNSYNC, UNSYNC, UNSYNC);
        assertEquals(PRIMARY_HIGH, s.get(3).stable(), "4 minutes after the last change: still held");
        assertEquals(UNSYNC, s.get(4).stable(), "5 minutes: the dwell time has passed");
    }

    @Test
    void aChangeRecordedByAClockThatWasAheadDoesNotHoldTheStateForYears() {
        // The last change was stamped when the wall clock read a year ahead (a bad RTC); it has since been
        // corrected. Waiting for the dwell time against that stamp would freeze the state for a year.
        SyncState stampedAhead = new SyncState(PRIMARY_HIGH, Optional.of(now.plus(Duration.ofDays(365))),
                Optional.empty(), 0, false);
        List<SyncState> s = feed(stampedAhead, UNSYNC, UNSYNC);
        assertEquals(UNSYNC, s.get(1).stable(), "changed after checksToLose checks, as without a dwell time");
        assertEquals(Optional.of(now), s.get(1).since(), "restamped with the corrected clock");
    }

    @Test
    void levelOscillatingBetweenTwoAdjacentValuesDoesNotChurn() {
        // Stable at HIGH; the level alternates HIGH/MEDIUM: MEDIUM never gets two in a row.
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), PRIMARY_MEDIUM, PRIMARY_HIGH, PRIMARY_MEDIUM, PRIMARY_HIGH,
                PRIMARY_MEDIUM, PRIMARY_HIGH);
        assertTrue(s.stream().noneMatch(SyncState::changed));
    }

    @Test
    void levelOscillatingBelowTheStableOneSettlesOnTheNearerValueOnce() {
        // Stable at HIGH; the level alternates MEDIUM/LOW: one change to MEDIUM, then no more.
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), PRIMARY_MEDIUM, PRIMARY_LOW, PRIMARY_MEDIUM, PRIMARY_LOW,
                PRIMARY_MEDIUM, PRIMARY_LOW, PRIMARY_MEDIUM, PRIMARY_LOW, PRIMARY_MEDIUM, PRIMARY_LOW);
        assertEquals(1, s.stream().filter(SyncState::changed).count());
        assertEquals(PRIMARY_MEDIUM, last(s).stable());
    }

    @Test
    void serverAlternatingBetweenPoolNamesDoesNotChurn() {
        List<SyncState> s = feed(stableAt(POOL_A), POOL_B, POOL_A, POOL_B, POOL_A, POOL_B);
        assertTrue(s.stream().noneMatch(SyncState::changed));
    }

    @Test
    void aSteadyOtherPrimaryTakesOverAfterChecksToGain() {
        SyncState.Observation other = new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.3"),
                SyncQuality.HIGH);
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), other, other);
        assertFalse(last(s).changed());
        assertEquals(other, last(feed(last(s), other)).stable());
    }

    @Test
    void anotherPoolHostAnsweringIsNoChange() {
        // which pool host answers varies from check to check; it must not restart the controller
        List<SyncState> s = feed(stableAt(POOL_A), POOL_B, POOL_B, POOL_B, POOL_B);
        assertTrue(s.stream().noneMatch(SyncState::changed));
        assertEquals(POOL_A, last(s).stable());
        assertTrue(last(s).candidate().isEmpty());
    }

    @Test
    void aRecoveringPrimaryIsNotHeldBackByASidewaysCandidateBeforeIt() {
        SyncState.Observation poolHigh = new SyncState.Observation(Verdict.FALLBACK_SYNCED,
                Optional.of("1.debian.pool.ntp.org"), SyncQuality.HIGH);
        List<SyncState> s = feed(stableAt(POOL_A), poolHigh, PRIMARY_HIGH, PRIMARY_HIGH, PRIMARY_HIGH);
        assertEquals(List.of(false, false, false, true), s.stream().map(SyncState::changed).toList());
        assertEquals(PRIMARY_HIGH, last(s).stable(), "checksToGain (3) primary checks restore the primary");
    }

    @Test
    void alternatingPrimaryAndPoolFromUnsynchronizedStillGainsTheFallback() {
        List<SyncState> s = feed(SyncState.initial(), POOL_A, PRIMARY_HIGH, POOL_A, PRIMARY_HIGH, POOL_A);
        assertTrue(last(s).stable().verdict().isSynced(), "every check was synced: " + last(s));
    }

    @Test
    void losingThePrimaryToThePoolCountsAsLosing() {
        List<SyncState> s = feed(stableAt(PRIMARY_HIGH), POOL_A, POOL_A);
        assertEquals(POOL_A, last(s).stable(), "worse by verdict: checksToLose (2) applies");
    }

    @Test
    void checkResultIsObservedByVerdictHostAndQuality() {
        NtpServer server = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
        SourceReport r = new SourceReport(server, Optional.of(Fixtures.addr("192.0.2.2")), Outcome.OK,
                Optional.empty(), Optional.of(Fixtures.ok(Fixtures.addr("192.0.2.2"), Duration.ZERO)));
        CheckResult result = new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(r), List.of(r), SyncQuality.HIGH,
                now, Duration.ZERO);
        assertEquals(PRIMARY_HIGH, SyncState.Observation.of(result));
    }

    @Test
    void encodeDecodeRoundTripsWithoutTheChangedFlag() {
        SyncState s = new SyncState(PRIMARY_MEDIUM, Optional.of(now), Optional.of(POOL_A), 1, true);
        SyncState back = SyncState.decode(s.encode());
        assertEquals(new SyncState(PRIMARY_MEDIUM, Optional.of(now), Optional.of(POOL_A), 1, false), back);
        assertEquals(SyncState.initial(), SyncState.decode(SyncState.initial().encode()));
    }

    @Test
    void decodeRejectsGarbage() {
        String good = new SyncState(PRIMARY_MEDIUM, Optional.of(now), Optional.of(POOL_A), 1, false).encode();
        for (String bad : List.of("", "pintp-sync 2\n", good.replace("verdict=PRIMARY_SYNCED", "verdict=MAYBE"),
                good.replace("streak=1", "streak=x"), good.replace("streak=1", "streak=0"),
                good.replace("since=", "since=yesterday"), good.replace("server=192.168.4.2", "server=-"),
                good + "extra=1\n", good.replace("quality=MEDIUM\n", ""))) {
            assertThrows(IllegalArgumentException.class, () -> SyncState.decode(bad), bad);
        }
    }

    @Test
    void decodeErrorsNameTheKeyAndTheAllowedValues() {
        String good = new SyncState(PRIMARY_MEDIUM, Optional.of(now), Optional.of(POOL_A), 1, false).encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyncState.decode(good.replace("verdict=PRIMARY_SYNCED", "verdict=MAYBE")));
        assertEquals("bad sync state: verdict: 'MAYBE' is not one of [PRIMARY_SYNCED, FALLBACK_SYNCED,"
                + " UNSYNCHRONIZED]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SyncState.decode(good.replace("candidate.quality=MEDIUM", "candidate.quality=GREAT")));
        assertEquals("bad sync state: candidate.quality: 'GREAT' is not one of [NONE, LOW, MEDIUM, HIGH]",
                e.getMessage());
    }
}
