package dev.pintp.ntp.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TestTimeoutsTest {
    @Test
    void withNothingSetTheDefaultApplies() {
        assertEquals(TestTimeouts.DEFAULT_SCALE, TestTimeouts.read(null, null));
    }

    @Test
    void thePropertyWinsOverTheEnvironment() {
        assertEquals(2.5, TestTimeouts.read("2.5", "10"));
        assertEquals(10, TestTimeouts.read(null, " 10 "));
    }

    @Test
    void aValueThatIsNotAFactorFromOneToAHundredIsRefusedNamingIt() {
        for (String bad : new String[] {"", "fast", "0.5", "0", "-2", "21", "NaN", "Infinity"}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestTimeouts.read(null, bad));
            assertEquals("environment variable PINTP_TEST_TIME_SCALE must be a number from 1 to 20, was '" + bad
                    + "'", e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TestTimeouts.read("x", null));
        assertEquals("system property pintp.test.timeScale must be a number from 1 to 20, was 'x'", e.getMessage());
    }

    @Test
    void scalingRoundsUpToTheMillisecond() {
        assertEquals(Duration.ofMillis(1000), TestTimeouts.scaled(Duration.ofMillis(200), 5));
        assertEquals(Duration.ofMillis(1), TestTimeouts.scaled(Duration.ofNanos(1), 1.5));
        assertEquals(Duration.ofMillis(300), TestTimeouts.scaled(Duration.ofMillis(200), 1.5));
        assertThrows(IllegalArgumentException.class, () -> TestTimeouts.scaled(Duration.ofMillis(-1), 2));
    }

    @Test
    void anArgumentIsInMilliseconds() {
        assertEquals(TestTimeouts.scaled(Duration.ofMillis(300)).toMillis() + "ms",
                TestTimeouts.arg(Duration.ofMillis(300)));
    }
}
