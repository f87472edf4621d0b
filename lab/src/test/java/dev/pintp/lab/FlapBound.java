package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.ntp.FlapDamping;
import java.time.Duration;

/**
 * The most controller restarts that flap damping (ntp-core {@link FlapDamping}, RFC 2439) allows in a window of
 * flapping that starts with power saving on, derived from the rule's parameters, not measured.
 *
 * <p>The rule: every change of the stable state adds {@code penalty} to a figure of merit that halves every
 * {@code halfLife}; a change that lifts it above {@code suppress} suppresses regaining until it has decayed below
 * {@code reuse}; losing is never delayed. Inside a window of length W a penalty decays at most to
 * {@code q = 2^(-W / halfLife)}, so the k-th change inside the window lifts the figure to at least
 * {@code penalty * (1 + (k - 1) q)} (more if there was penalty before the window). Let k* be the first k for which
 * that exceeds {@code suppress}: from the k*-th change on, regaining waits until the figure has decayed below
 * {@code reuse}, which takes at least {@code halfLife * log2(penalty * (1 + (k* - 1) q) / reuse)}; when that is longer
 * than W, no regain follows inside the window. The changes alternate loss, regain, loss, ... (the window starts with
 * power saving on), so after change k* at most one more change happens: the loss, if change k* was a regain (k* even).
 * The bound is k* for odd k*, k* + 1 for even k*, and each change is one controller restart.
 *
 * <p>With the defaults (half-life 15 min, penalty 1000, suppress 2000, reuse 500) and any window shorter than
 * 15 min: q is above 1/2, so k* = 3 (1000 (1 + 2 q) is above 2000), and suppression lasts at least
 * 15 min log2(2000 / 500) = 30 min, so at most 3 restarts: the loss, one regain, the next loss. For a 5-minute window
 * q = 0.79 and the third change lifts the figure to at least 2587. (This bound is conservative: it counts no penalty
 * from before the window. ntp-core's FlapDampingFiguresTest counts the figure, at most 6 restarts in an hour
 * of alternate minutes, on the rule itself.)
 */
final class FlapBound {
    private FlapBound() {
    }

    static int maxRestarts(FlapDamping d, Duration window) {
        double q = Math.pow(2, -(double) window.toNanos() / d.halfLife().toNanos());
        int k = 1;
        while (!(d.penalty() * (1 + (k - 1) * q) > d.suppress())) {
            k++;
        }
        double figure = Math.min(d.ceiling(), d.penalty() * (1 + (k - 1) * q));
        double suppressedNanos = d.halfLife().toNanos() * (Math.log(figure / d.reuse()) / Math.log(2));
        if (suppressedNanos <= window.toNanos()) {
            fail("window " + window + " is longer than the least suppression (" + Duration.ofNanos((long) suppressedNanos)
                    + "): this bound does not apply");
        }
        return k % 2 == 1 ? k : k + 1;
    }
}
