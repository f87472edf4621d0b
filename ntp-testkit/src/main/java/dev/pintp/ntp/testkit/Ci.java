package dev.pintp.ntp.testkit;

/**
 * The one rule for a test that needs something of the machine (a tool such as lintian or promtool, root, the lab's
 * prepared roots): where it is missing, the test skips, saying so loudly, except under CI, where it fails. Under CI
 * {@code .ci/run} (run-tests, scripts/install-test-deps) installs and prepares everything the tests need, so a
 * skip there is a missing set-up step, never a pass.
 *
 * <p>CI is the environment variable {@value #ENV} set to anything non-empty, as CI services set it ({@code CI=true}).
 */
public final class Ci {
    /** The environment variable that marks a CI run. */
    public static final String ENV = "CI";

    private Ci() {
    }

    /** Whether this run is under CI: {@value #ENV} is set and not empty. Read on every call; never throws. */
    public static boolean active() {
        return active(System.getenv(ENV));
    }

    static boolean active(String value) {
        return value != null && !value.isEmpty();
    }
}
