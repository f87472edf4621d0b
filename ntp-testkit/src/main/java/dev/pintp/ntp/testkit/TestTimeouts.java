package dev.pintp.ntp.testkit;

import java.time.Duration;
import java.util.Locale;

/**
 * The one scale factor for timeouts that a test gives a live server to answer on real time (a probe's
 * {@code --timeout}, a job's {@code Timeout=}, a monitor's check deadline), so that a loaded machine cannot turn a
 * late but correct answer into a test failure.
 *
 * <p>Scale only what a server that works must beat; never a timeout that a test expects a slow or silent server to
 * miss (those already hold on any machine: a server 400 ms late cannot answer within 150 ms, however loaded), and
 * never the quantity a test asserts.
 *
 * <p>The factor is read once: the system property {@value #PROPERTY}, else the environment variable {@value #ENV},
 * else {@value #DEFAULT_SCALE}. It must be a number from 1 to 20; anything else fails the test that asks, naming the
 * value (a typo must not silently run with the default). The default keeps the suite green on two cores shared with
 * {@code stress-ng --cpu 2} and other builds, where a loopback answer can be held back by well over 100 ms; raise it
 * on a slower machine, never lower it to make the suite faster.
 */
public final class TestTimeouts {
    /** System property holding the factor. */
    public static final String PROPERTY = "pintp.test.timeScale";
    /** Environment variable holding the factor, read when the property is not set. */
    public static final String ENV = "PINTP_TEST_TIME_SCALE";
    /** The factor when neither is set. */
    public static final double DEFAULT_SCALE = 5;

    private static final class Factor {
        static final double VALUE = read(System.getProperty(PROPERTY), System.getenv(ENV));
    }

    private TestTimeouts() {
    }

    /** The factor, 1 to 20 (20 keeps the longest scaled test timeout, 1.5 s, below the probe's 60 s limit). */
    public static double scale() {
        return Factor.VALUE;
    }

    /** {@code d} multiplied by {@link #scale()}, to the millisecond (rounded up). */
    public static Duration scaled(Duration d) {
        return scaled(d, scale());
    }

    /** {@link #scaled(Duration)} as a command-line or systemd time span in milliseconds, for example {@code 1000ms}. */
    public static String arg(Duration d) {
        return scaled(d).toMillis() + "ms";
    }

    static Duration scaled(Duration d, double factor) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("a timeout must not be negative, was " + d);
        }
        return Duration.ofMillis((long) Math.ceil(d.toNanos() * factor / 1_000_000.0));
    }

    static double read(String property, String env) {
        String source = property != null ? "system property " + PROPERTY : "environment variable " + ENV;
        String text = property != null ? property : env;
        if (text == null) {
            return DEFAULT_SCALE;
        }
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(source + " must be a number from 1 to 20, was '" + text + "'");
        }
        if (!(value >= 1 && value <= 20)) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "%s must be a number from 1 to 20, was '%s'", source, text));
        }
        return value;
    }
}
