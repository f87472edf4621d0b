package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import java.time.Duration;
import java.util.Optional;

/**
 * The exit code of a check: from the verdict (0 primary, 1 fallback only, 2 none), raised by the {@code -w} and
 * {@code -c} offset thresholds when given. The same in every output mode.
 *
 * @param warning absolute offset of the selected source above which the code is at least 1
 * @param critical absolute offset of the selected source above which the code is 2
 */
record Thresholds(Optional<Duration> warning, Optional<Duration> critical) {
    /** Exit code: synchronized to a primary. */
    static final int OK = 0;
    /** Exit code: synchronized to a fallback only, or the offset is above the warning threshold. */
    static final int WARNING = 1;
    /** Exit code: no usable source, or the offset is above the critical threshold. */
    static final int CRITICAL = 2;
    /** Exit code: bad usage or internal error. */
    static final int UNKNOWN = 3;

    /** The exit code of the verdict alone. */
    static int ofVerdict(CheckResult result) {
        switch (result.verdict()) {
            case PRIMARY_SYNCED:
                return OK;
            case FALLBACK_SYNCED:
                return WARNING;
            default:
                return CRITICAL;
        }
    }

    /** The exit code of the selected offset against the thresholds alone; 0 without a selected source. */
    int ofOffset(CheckResult result) {
        if (result.selected().isEmpty() || result.selected().get().sample().isEmpty()) {
            return OK;
        }
        Duration offset = result.selected().get().sample().get().offset().abs();
        if (critical.isPresent() && offset.compareTo(critical.get()) > 0) {
            return CRITICAL;
        }
        if (warning.isPresent() && offset.compareTo(warning.get()) > 0) {
            return WARNING;
        }
        return OK;
    }

    /** The exit code: the worse of verdict and thresholds. */
    int exitCode(CheckResult result) {
        return Math.max(ofVerdict(result), ofOffset(result));
    }
}
