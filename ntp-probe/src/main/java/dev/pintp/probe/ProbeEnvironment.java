package dev.pintp.probe;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the probe touches outside its arguments, so that tests run it in-process.
 *
 * @param out standard output
 * @param err standard error
 * @param checkers makes the checker for a configuration ({@link NtpChecker#create} in production)
 * @param defaults reads timesyncd's configuration when no server is given
 * @param sleeper waits between the checks of {@code --watch}
 * @param terminal true when output goes to a terminal: {@code --watch} then redraws in place with ANSI escapes
 * @param unicode true when the output encoding has block characters for sparklines
 */
record ProbeEnvironment(
        PrintStream out,
        PrintStream err,
        CheckerFactory checkers,
        SystemDefaults defaults,
        Sleeper sleeper,
        boolean terminal,
        boolean unicode) {

    ProbeEnvironment {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(checkers, "checkers");
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Makes a checker; may throw {@link IllegalArgumentException} for a configuration it cannot serve. */
    interface CheckerFactory {
        NtpChecker create(NtpConfig config);
    }

    /** Waits; {@code Thread::sleep} in production. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }
}
