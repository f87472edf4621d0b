package dev.pintp.ntp;

import java.time.Duration;
import java.util.Objects;

/**
 * Route-flap damping (RFC 2439) of the stable state, the parameters of {@link SyncState#next}. Every change of the
 * stable state adds {@link #penalty()} to a figure of merit that halves every {@link #halfLife()}. When a change
 * lifts it above {@link #suppress()}, regaining (a better verdict or quality, or another primary) is suppressed until
 * it has decayed below {@link #reuse()}; losing is never delayed. The figure never exceeds the ceiling
 * {@code reuse * 2^(maxSuppression / halfLife)}, so a suppression ends at most {@link #maxSuppression()} after the
 * last change. Immutable.
 *
 * <p>The defaults ({@link #DEFAULTS}: half-life 15 min, penalty 1000, suppress 2000, reuse 500, maximum suppression
 * 1 h) let a single outage, even the first one after a boot, be regained at the first good check after it, and hold
 * a Pi Zero that is up and down on alternate minutes to at most 6 changes in any hour (measured by
 * {@code FlapDampingFiguresTest}).
 *
 * @param halfLife time in which the figure of merit halves: 1 s to 1 day
 * @param penalty added at each change of the stable state: 1 to 1000000, below {@code suppress} (so one change never
 *     holds the next regain back)
 * @param suppress a change that lifts the figure above this suppresses regaining: above {@code reuse}
 * @param reuse a suppression ends when the figure has decayed below this: at least 1
 * @param maxSuppression the longest a suppression can last after the last change: 1 s to 1 day, long enough that the
 *     ceiling lies above {@code suppress}
 */
public record FlapDamping(Duration halfLife, int penalty, int suppress, int reuse, Duration maxSuppression) {
    /** Half-life 15 min, penalty 1000, suppress 2000, reuse 500, maximum suppression 1 h. */
    public static final FlapDamping DEFAULTS =
            new FlapDamping(Duration.ofMinutes(15), 1000, 2000, 500, Duration.ofHours(1));

    /** @throws IllegalArgumentException for a value or combination outside the ranges above */
    public FlapDamping {
        Objects.requireNonNull(halfLife, "halfLife");
        Objects.requireNonNull(maxSuppression, "maxSuppression");
        checkSpan("halfLife", halfLife);
        checkSpan("maxSuppression", maxSuppression);
        if (penalty < 1 || penalty > 1_000_000) {
            throw new IllegalArgumentException("penalty must be 1 to 1000000, was " + penalty);
        }
        if (reuse < 1) {
            throw new IllegalArgumentException("reuse must be at least 1, was " + reuse);
        }
        if (suppress <= reuse || suppress > 10_000_000) {
            throw new IllegalArgumentException("suppress must be above reuse (" + reuse + ") and at most 10000000, was "
                    + suppress);
        }
        if (penalty >= suppress) {
            throw new IllegalArgumentException("penalty " + penalty + " must be below suppress " + suppress
                    + ", or a single outage would hold its own regain back");
        }
        double ceiling = reuse * Math.pow(2, (double) maxSuppression.toNanos() / halfLife.toNanos());
        if (!(ceiling > suppress)) {
            throw new IllegalArgumentException("maxSuppression " + maxSuppression + " is too short for half-life "
                    + halfLife + ": the ceiling " + Math.round(ceiling) + " (reuse * 2^(maxSuppression / halfLife))"
                    + " must lie above suppress " + suppress);
        }
    }

    /** The highest figure of merit: {@code reuse * 2^(maxSuppression / halfLife)}. */
    public double ceiling() {
        return reuse * Math.pow(2, (double) maxSuppression.toNanos() / halfLife.toNanos());
    }

    /** {@code figure} after {@code elapsed} (not negative) of exponential decay. */
    public double decay(double figure, Duration elapsed) {
        if (figure == 0 || elapsed.isZero() || elapsed.isNegative()) {
            return figure;
        }
        double halves = elapsed.toNanos() / (double) halfLife.toNanos();
        if (elapsed.compareTo(Duration.ofDays(365)) > 0 || halves > 1000) {
            return 0;
        }
        return figure * Math.pow(2, -halves);
    }

    /** How long {@code figure} takes to decay to {@code threshold}; zero when it is not above it. */
    public Duration timeToDecay(double figure, double threshold) {
        if (!(figure > threshold)) {
            return Duration.ZERO;
        }
        double halves = Math.log(figure / threshold) / Math.log(2);
        return Duration.ofNanos((long) Math.ceil(halves * halfLife.toNanos()));
    }

    private static void checkSpan(String name, Duration d) {
        if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException(name + " must be 1 s to 1 day, was " + d);
        }
    }
}
