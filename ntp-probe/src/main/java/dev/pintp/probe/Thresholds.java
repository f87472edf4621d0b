package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code -w} and {@code -c} offset thresholds, which raise the verdict's {@link ExitCode} when given.
 *
 * @param warning absolute offset of the selected source above which the code is at least {@link ExitCode#WARNING}
 * @param critical absolute offset of the selected source above which the code is {@link ExitCode#CRITICAL}
 */
record Thresholds(Optional<Duration> warning, Optional<Duration> critical) {

    /** The code of the selected offset against the thresholds alone; OK without a selected source. */
    ExitCode ofOffset(CheckResult result) {
        if (result.selected().isEmpty() || result.selected().get().sample().isEmpty()) {
            return ExitCode.OK;
        }
        Duration offset = result.selected().get().sample().get().offset().abs();
        if (critical.isPresent() && offset.compareTo(critical.get()) > 0) {
            return ExitCode.CRITICAL;
        }
        if (warning.isPresent() && offset.compareTo(warning.get()) > 0) {
            return ExitCode.WARNING;
        }
        return ExitCode.OK;
    }

    /** The exit code: the worse of verdict and thresholds. */
    ExitCode exitCode(CheckResult result) {
        return ExitCode.of(result.verdict()).worse(ofOffset(result));
    }
}
