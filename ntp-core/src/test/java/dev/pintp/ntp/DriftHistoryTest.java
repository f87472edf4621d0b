package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriftHistoryTest {
    final NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbacks(List.of())
            .driftAlertOffset(Duration.ofMillis(30)).driftAlertPpm(100).build();

    /** A local clock running 200 ppm fast: the offset to the primary falls 12 ms a minute. */
    DriftHistory fastClock(int minutes) {
        DriftHistory h = DriftHistory.empty();
        for (int m = 0; m < minutes; m++) {
            h = h.next(Fixtures.primaryCheck(config, Fixtures.T0.plus(Duration.ofMinutes(m)),
                    Duration.ofMillis(-12L * m)), config);
        }
        return h;
    }

    @Test
    void noEstimateWithTooFewPointsOrTooShortASpan() {
        assertTrue(fastClock(3).estimate().isEmpty());
        DriftHistory quick = DriftHistory.empty();
        for (int s = 0; s < 10; s++) {
            quick = quick.next(Fixtures.primaryCheck(config, Fixtures.T0.plusSeconds(s), Duration.ZERO), config);
        }
        assertTrue(quick.estimate().isEmpty(), "10 points within 10 s span too little time");
    }

    @Test
    void leastSquaresGivesTheFrequencyErrorInPpm() {
        DriftEstimate e = fastClock(6).estimate().orElseThrow();
        assertEquals(200.0, e.ppm(), 1e-6);
        assertEquals(6, e.points());
        assertEquals(Duration.ofMinutes(5), e.span());
        assertEquals(Duration.ofMillis(-60), e.latestOffset());
    }

    @Test
    void slowClockGivesNegativePpm() {
        DriftHistory h = DriftHistory.empty();
        for (int m = 0; m < 5; m++) {
            h = h.next(Fixtures.primaryCheck(config, Fixtures.T0.plus(Duration.ofMinutes(m)),
                    Duration.ofNanos(3_000_000L * m)), config);
        }
        assertEquals(-50.0, h.estimate().orElseThrow().ppm(), 1e-6);
        assertFalse(h.frequencyAlert());
    }

    @Test
    void offsetAndFrequencyAlertsAreRaisedOnceWhenTheyCross() {
        List<DriftAlert> all = new java.util.ArrayList<>();
        DriftHistory h = DriftHistory.empty();
        for (int m = 0; m < 8; m++) {
            h = h.next(Fixtures.primaryCheck(config, Fixtures.T0.plus(Duration.ofMinutes(m)),
                    Duration.ofMillis(-12L * m)), config);
            if (m == 2) {
                assertTrue(h.alerts().isEmpty(), "24 ms is below 30 ms, 3 points give no estimate");
            }
            if (m == 3) {
                assertEquals(List.of(DriftAlert.Kind.OFFSET, DriftAlert.Kind.FREQUENCY),
                        h.alerts().stream().map(DriftAlert::kind).toList());
                assertTrue(h.alerts().stream().allMatch(DriftAlert::raised));
                assertEquals(0.036, h.alerts().get(0).value(), 1e-9);
                assertEquals(0.030, h.alerts().get(0).threshold(), 1e-9);
                assertEquals("192.0.2.2", h.alerts().get(0).server());
            }
            all.addAll(h.alerts());
        }
        assertEquals(2, all.size(), "raised once each, not at every check: " + all);
        assertTrue(h.offsetAlert());
        assertTrue(h.frequencyAlert());
    }

    @Test
    void offsetAlertClearsWhenTheOffsetComesBack() {
        DriftHistory h = fastClock(5);
        assertTrue(h.offsetAlert());
        h = h.next(Fixtures.primaryCheck(config, Fixtures.T0.plus(Duration.ofMinutes(5)), Duration.ofMillis(2)),
                config);
        DriftAlert cleared = h.alerts().stream().filter(a -> a.kind() == DriftAlert.Kind.OFFSET).findFirst()
                .orElseThrow();
        assertFalse(cleared.raised());
        assertFalse(h.offsetAlert());
    }

    @Test
    void aPrimaryRejectedForItsOffsetStillCountsAndRaisesTheOffsetAlert() {
        CheckResult far = Fixtures.primaryCheck(config, Fixtures.T0, Duration.ofSeconds(2));
        assertEquals(Verdict.UNSYNCHRONIZED, far.verdict());
        DriftHistory h = DriftHistory.empty().next(far, config);
        assertEquals(1, h.points().size());
        assertTrue(h.offsetAlert());
    }

    @Test
    void aCheckWithoutThePrimaryAddsNothingAndClearsNothing() {
        DriftHistory h = fastClock(5);
        DriftHistory after = h.next(Fixtures.deadCheck(config, Fixtures.T0.plus(Duration.ofMinutes(5))), config);
        assertEquals(h, after);
        assertTrue(after.alerts().isEmpty());
    }

    @Test
    void pointsOlderThanTheWindowAreDropped() {
        DriftHistory h = fastClock(5);
        Instant later = Fixtures.T0.plus(DriftHistory.WINDOW).plus(Duration.ofMinutes(3));
        h = h.next(Fixtures.primaryCheck(config, later, Duration.ZERO), config);
        // Points at minutes 0..4 and 63: only those within an hour of the newest (3, 4, 63) remain.
        assertEquals(3, h.points().size());
        assertEquals(Fixtures.T0.plus(Duration.ofMinutes(3)), h.points().get(0).at());
    }

    @Test
    void encodeDecodeRoundTrips() {
        DriftHistory h = fastClock(6);
        assertEquals(h, DriftHistory.decode(h.encode()));
        assertEquals(h.estimate(), DriftHistory.decode(h.encode()).estimate());
        assertEquals(DriftHistory.empty(), DriftHistory.decode(DriftHistory.empty().encode()));
    }

    @Test
    void decodeRejectsGarbage() {
        String good = fastClock(3).encode();
        for (String bad : List.of("", "pintp-drift 1", "pintp-drift 1\nserver=x offsetAlert=maybe frequencyAlert=false",
                good + "2026-11-25T05:00:00Z 5\n", good + "not-a-time 5\n", good + "2026-11-25T07:00:00Z 1.5\n")) {
            assertThrows(IllegalArgumentException.class, () -> DriftHistory.decode(bad), bad);
        }
    }
}
