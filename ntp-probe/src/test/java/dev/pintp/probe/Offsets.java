package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Offsets the probe printed, checked against the offset the test server was given, within the error bound of the
 * measurement: the true offset lies within half the round-trip delay of the measured one (RFC 5905 section 8, theta
 * is within delta/2 of theta0, whatever the split of the delay between the two directions). A thread descheduled on
 * a loaded machine makes one direction slower, so a printed prefix ({@code -0.73}) or a fixed 1 ms fails by chance
 * (-0.729953 was seen); this bound holds on any machine and still catches a wrong sign, unit or formula.
 */
final class Offsets {
    /** Four timestamps of microsecond resolution, and the six decimals the probe prints: far below any delay. */
    static final double SLACK_SECONDS = 10e-6;

    private Offsets() {
    }

    /**
     * Asserts that a measured offset is the expected one within half its round-trip delay (plus {@link #SLACK_SECONDS}).
     *
     * @param expectedSeconds the offset the test server was told to have
     * @param offsetSeconds the offset the probe reported
     * @param delaySeconds the round-trip delay the probe reported for the same sample
     * @param context the output, for the failure message
     */
    static void assertOffset(double expectedSeconds, double offsetSeconds, double delaySeconds, String context) {
        assertTrue(delaySeconds >= 0, () -> "negative delay " + delaySeconds + " in:\n" + context);
        double bound = delaySeconds / 2 + SLACK_SECONDS;
        assertTrue(Math.abs(offsetSeconds - expectedSeconds) <= bound, () -> "offset " + offsetSeconds
                + " s, expected " + expectedSeconds + " s within half the delay (" + delaySeconds + " s) in:\n"
                + context);
    }

    /**
     * The groups of the first match of {@code regex} in {@code text} as numbers; fails (showing the text) without one.
     */
    static double[] numbers(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("no match for " + regex + " in:\n" + text);
        }
        double[] n = new double[m.groupCount()];
        for (int i = 0; i < n.length; i++) {
            n[i] = Double.parseDouble(m.group(i + 1));
        }
        return n;
    }

    /** A printed number of seconds with six decimals and an optional sign, as one regex group. */
    static final String SECONDS = "([+-]?\\d+\\.\\d{6})";
}
