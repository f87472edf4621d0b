package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.internal.SourceSelector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict's reason, decided with the verdict by {@link SourceSelector}: one test per path. */
class VerdictReasonTest {
    private static final NtpServer PI_ZERO = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
    private static final NtpServer POOL = new NtpServer("pool.test", 123, NtpServer.Role.FALLBACK);
    private static final InetSocketAddress PI = Fixtures.addr("192.168.4.2");
    private static final InetSocketAddress P1 = Fixtures.addr("198.51.100.1");
    private static final InetSocketAddress P2 = Fixtures.addr("198.51.100.2");
    private static final InetSocketAddress P3 = Fixtures.addr("198.51.100.3");
    private static final NtpConfig CONFIG = NtpConfig.custom().primaries(List.of(PI_ZERO))
            .fallbacks(List.of(POOL)).build();

    private static SourceReport answered(NtpServer server, InetSocketAddress a, long offsetMs) {
        return new SourceReport(server, Optional.of(a), Outcome.OK, List.of(),
                Optional.of(Fixtures.ok(a, Duration.ofMillis(offsetMs))));
    }

    private static SourceReport timedOut(NtpServer server, InetSocketAddress a) {
        return new SourceReport(server, Optional.of(a), Outcome.TIMEOUT, List.of(),
                Optional.of(Fixtures.timeout(a)));
    }

    private static SourceReport skipped(NtpServer server, InetSocketAddress a, CheckDecision why) {
        return new SourceReport(server, Optional.of(a), Outcome.SKIPPED, List.of(why), Optional.empty(), "");
    }

    private static CheckResult decide(NtpConfig config, SourceReport... reports) {
        return SourceSelector.decide(List.of(reports), config, Fixtures.T0, Duration.ZERO);
    }

    private static SourceReport source(CheckResult r, InetSocketAddress a) {
        return r.sources().stream().filter(s -> s.address().equals(Optional.of(a))).findFirst().orElseThrow();
    }

    @Test
    void aValidAnswerShowingThisClockOffIsOkAndTheVerdictSaysThisClockIsOff() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, 1250), timedOut(POOL, P1));
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        SourceReport pi = source(r, PI);
        assertEquals(Outcome.OK, pi.outcome(), "the Pi Zero answered validly");
        assertEquals(List.of(CheckDecision.OFFSET_TOO_LARGE), pi.reasons());
        assertFalse(pi.isUsable());
        assertTrue(pi.answeredValidly());
        assertEquals(new VerdictReason.ClockOff(PI_ZERO, PI, Duration.ofMillis(1250), Duration.ofMillis(128)),
                r.reason());
        assertEquals("this clock is +1.250 s off against 192.168.4.2 (limit 0.128 s)", r.reason().message());
        assertEquals("clock-off", r.reason().kind());
    }

    @Test
    void whenPrimaryAndPoolBothShowThisClockOffTheReasonNamesThePrimary() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, -2000), answered(POOL, P1, -2001));
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        VerdictReason.ClockOff off = (VerdictReason.ClockOff) r.reason();
        assertEquals(PI, off.address());
        assertEquals(Duration.ofMillis(-2000), off.offset());
        assertEquals("this clock is -2.000 s off against 192.168.4.2 (limit 0.128 s)", off.message());
    }

    @Test
    void whenOnlyFallbacksAnswerTheClosestOneIsNamed() {
        SourceReport far = new SourceReport(POOL, Optional.of(P1), Outcome.OK, List.of(), Optional.of(
                Fixtures.ok(P1, Duration.ofMillis(900), Duration.ofMillis(10), Duration.ofMillis(40))));
        SourceReport near = new SourceReport(POOL, Optional.of(P2), Outcome.OK, List.of(), Optional.of(
                Fixtures.ok(P2, Duration.ofMillis(901), Duration.ofMillis(10), Duration.ofMillis(12))));
        CheckResult r = decide(CONFIG, timedOut(PI_ZERO, PI), far, near);
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        assertEquals(P2, ((VerdictReason.ClockOff) r.reason()).address());
        assertEquals("this clock is +0.901 s off against pool.test (198.51.100.2) (limit 0.128 s)",
                r.reason().message());
    }

    @Test
    void aPrimaryJustOverTheLimitWithAFallbackWithinItIsStillFallbackSynced() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, 130), answered(POOL, P1, 100));
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
        assertEquals(new VerdictReason.Synced(POOL, P1, Duration.ofMillis(100)), r.reason());
        assertEquals(List.of(CheckDecision.OFFSET_TOO_LARGE), source(r, PI).reasons());
    }

    @Test
    void aSyncedVerdictNamesTheSelectedSource() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, 3), answered(POOL, P1, 4));
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
        assertEquals(new VerdictReason.Synced(PI_ZERO, PI, Duration.ofMillis(3)), r.reason());
        assertEquals("synchronized to 192.168.4.2, offset +0.003000 s", r.reason().message());
    }

    @Test
    void twoSourcesThatDisagreeHaveNoMajority() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, 0), answered(POOL, P1, 5000));
        assertEquals(Verdict.UNSYNCHRONIZED, r.verdict());
        assertEquals(new VerdictReason.NoMajority(1, 2), r.reason());
        for (SourceReport s : r.sources()) {
            assertEquals(Outcome.REJECTED, s.outcome());
            assertEquals(List.of(CheckDecision.FALSETICKER), s.reasons());
        }
        assertEquals("no majority: at most 1 of 2 answering sources agree within their error bounds",
                r.reason().message());
    }

    @Test
    void aPrimaryOutvotedByTheFallbacksIsAFalsetickerAndTheFallbackIsSelected() {
        CheckResult r = decide(CONFIG, answered(PI_ZERO, PI, 5000), answered(POOL, P1, 1), answered(POOL, P2, 2),
                answered(POOL, P3, 3));
        assertEquals(Verdict.FALLBACK_SYNCED, r.verdict());
        assertEquals(List.of(CheckDecision.FALSETICKER), source(r, PI).reasons());
        assertTrue(r.reason() instanceof VerdictReason.Synced);
    }

    @Test
    void whenNothingAnswersValidlyTheReasonSaysSo() {
        SourceReport refused = new SourceReport(POOL, Optional.of(P1), Outcome.REJECTED,
                List.of(RefusalReason.UNSYNCHRONIZED, RefusalReason.BAD_STRATUM),
                Optional.of(Fixtures.rejected(P1, RefusalReason.UNSYNCHRONIZED)));
        CheckResult r = decide(CONFIG, timedOut(PI_ZERO, PI), refused, skipped(POOL, P2, CheckDecision.BACKED_OFF));
        assertEquals(new VerdictReason.NoValidAnswer(3), r.reason());
        assertEquals("none of the 3 sources gave a valid answer", r.reason().message());
        assertEquals(List.of(RefusalReason.UNSYNCHRONIZED, RefusalReason.BAD_STRATUM), source(r, P1).reasons(),
                "every reason is kept");
        assertEquals(new VerdictReason.NoValidAnswer(1), decide(CONFIG, timedOut(PI_ZERO, PI)).reason());
        assertEquals("the only source gave no valid answer", decide(CONFIG, timedOut(PI_ZERO, PI)).reason()
                .message());
    }

    @Test
    void aRootDistanceAboveTheMaximumIsARefusalNotAnAnswer() {
        SourceReport wide = new SourceReport(PI_ZERO, Optional.of(PI), Outcome.OK, List.of(), Optional.of(
                Fixtures.ok(PI, Duration.ZERO, Duration.ofSeconds(6), Duration.ofSeconds(6))));
        CheckResult r = decide(CONFIG, wide);
        assertEquals(List.of(RefusalReason.ROOT_DISTANCE_TOO_LARGE), source(r, PI).reasons());
        assertEquals(Outcome.REJECTED, source(r, PI).outcome());
        assertEquals(new VerdictReason.NoValidAnswer(1), r.reason());
    }

    @Test
    void whenEverySourceIsSkippedNothingWasQueried() {
        NtpConfig poolOnly = NtpConfig.custom().primaries(List.of()).fallbacks(List.of(POOL)).build();
        CheckResult r = decide(poolOnly, skipped(POOL, P1, CheckDecision.BACKED_OFF),
                skipped(POOL, P2, CheckDecision.DENIED), skipped(POOL, P3, CheckDecision.BACKED_OFF));
        assertEquals(new VerdictReason.NotQueried(2, 1), r.reason());
        assertEquals("no source was queried: 2 backed off, 1 denied", r.reason().message());
    }

    @Test
    void theLimitIsShownExactly() {
        VerdictReason.ClockOff off = new VerdictReason.ClockOff(PI_ZERO, PI, Duration.ofMillis(-3),
                Duration.ofNanos(500_000));
        assertEquals("this clock is -0.003 s off against 192.168.4.2 (limit 0.0005 s)", off.message());
        VerdictReason.ClockOff years = new VerdictReason.ClockOff(PI_ZERO, PI, Duration.ofDays(365L * 400),
                Duration.ofSeconds(1));
        assertEquals("this clock is +12614400000.000 s off against 192.168.4.2 (limit 1.000 s)", years.message(),
                "an offset beyond 292 years of nanoseconds still renders");
    }

    @Test
    void aCheckResultRejectsAReasonThatDoesNotFitItsVerdict() {
        SourceReport pi = answered(PI_ZERO, PI, 3);
        assertThrows(IllegalArgumentException.class, () -> new CheckResult(Verdict.PRIMARY_SYNCED, Optional.of(pi),
                List.of(pi), new VerdictReason.NoValidAnswer(1), SyncQuality.HIGH, Fixtures.T0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new CheckResult(Verdict.UNSYNCHRONIZED, Optional.empty(),
                List.of(pi), new VerdictReason.Synced(PI_ZERO, PI, Duration.ZERO), SyncQuality.NONE, Fixtures.T0,
                Duration.ZERO));
    }

    @Test
    void aSourceReportKeepsOnlyReasonsThatFitItsOutcome() {
        QueryResult q = Fixtures.ok(PI, Duration.ZERO);
        assertThrows(IllegalArgumentException.class, () -> new SourceReport(PI_ZERO, Optional.of(PI), Outcome.OK,
                List.of(CheckDecision.FALSETICKER), Optional.of(q)), "an outvoted source is REJECTED, not OK");
        assertThrows(IllegalArgumentException.class, () -> new SourceReport(PI_ZERO, Optional.of(PI),
                Outcome.REJECTED, List.of(), Optional.of(q)), "a rejection says why");
        assertThrows(IllegalArgumentException.class, () -> new SourceReport(PI_ZERO, Optional.of(PI),
                Outcome.REJECTED, List.of(RefusalReason.BAD_DELAY, RefusalReason.BAD_DELAY), Optional.of(q)));
        assertThrows(IllegalArgumentException.class, () -> new SourceReport(POOL, Optional.of(P1), Outcome.SKIPPED,
                List.of(RefusalReason.BAD_DELAY), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new SourceReport(PI_ZERO, Optional.of(PI), Outcome.OK,
                List.of(CheckDecision.OFFSET_TOO_LARGE), Optional.empty()), "offset too large needs a sample");
    }

    @Test
    void aQueryResultCannotBeRejectedWithoutAReason() {
        assertThrows(IllegalArgumentException.class, () -> new QueryResult(PI, Outcome.REJECTED, Optional.empty(),
                List.of(), List.of(), Optional.empty(), Duration.ZERO, 1, DropCounts.NONE, ""));
        assertThrows(IllegalArgumentException.class, () -> new QueryResult(PI, Outcome.REJECTED, Optional.empty(),
                List.of(), List.of(CheckDecision.FALSETICKER), Optional.empty(), Duration.ZERO, 1, DropCounts.NONE,
                ""), "the client does not make decisions of the check");
    }

    @Test
    void eachDropReasonIsCountedInItsField() {
        DropCounts c = DropCounts.NONE;
        for (DropReason r : DropReason.values()) {
            c = c.plus(r);
        }
        assertEquals(new DropCounts(1, 1, 1, 1, 1, 3), c);
        assertEquals("root-distance-too-large", RefusalReason.ROOT_DISTANCE_TOO_LARGE.word());
        assertEquals("offset-too-large", CheckDecision.OFFSET_TOO_LARGE.word());
    }
}
