package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pintp.ntp.FlapDamping;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The derived restart bound that the flapping scenarios assert. */
class FlapBoundTest {
    @Test
    void defaultsAllowTheLossOneRegainAndTheNextLossInLessThanAQuarterHour() {
        assertEquals(3, FlapBound.maxRestarts(FlapDamping.DEFAULTS, Duration.ofSeconds(10)));
        assertEquals(3, FlapBound.maxRestarts(FlapDamping.DEFAULTS, Duration.ofMinutes(14)));
        // from 15 min on, the third change may have decayed to exactly 2000, not above: the bound grows
        assertEquals(5, FlapBound.maxRestarts(FlapDamping.DEFAULTS, Duration.ofMinutes(15)));
    }

    @Test
    void followsTheParameters() {
        // suppress only above 2.5 penalties: the 4th change (a regain) suppresses, the 5th (a loss) still happens
        assertEquals(5, FlapBound.maxRestarts(new FlapDamping(Duration.ofMinutes(15), 1000, 3500, 500,
                Duration.ofHours(1)), Duration.ofMinutes(1)));
        // the 2nd change already suppresses: loss, regain, loss
        assertEquals(3, FlapBound.maxRestarts(new FlapDamping(Duration.ofMinutes(15), 1000, 1500, 500,
                Duration.ofHours(1)), Duration.ofMinutes(1)));
    }

    @Test
    void refusesAWindowLongerThanTheSuppression() {
        assertThrows(AssertionFailedError.class, () -> FlapBound.maxRestarts(FlapDamping.DEFAULTS, Duration.ofHours(1)));
    }
}
