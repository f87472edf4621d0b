package dev.pintp.probe;

import dev.pintp.ntp.Verdict;

/**
 * The probe's exit status, the same in every output mode, in the Nagios plugin convention: the code and its status
 * word ({@code NTP OK: ...}).
 */
enum ExitCode {
    /** 0: synchronized to a primary (and within the offset thresholds, when given). */
    OK(0, "Synchronized to a primary server (and within -w/-c if given)."),
    /** 1: synchronized to a fallback only, or the offset is above the warning threshold. */
    WARNING(1, "Synchronized to a fallback server only, or the offset is above -w."),
    /** 2: unsynchronized (no source qualified; the verdict says why), or the offset is above the critical threshold. */
    CRITICAL(2, "Unsynchronized (the verdict's reason says why), or the offset is above -c."),
    /** 3: bad usage, a configuration that cannot be read, or an internal error: no check was made. */
    UNKNOWN(3, "Usage error, unreadable configuration, or internal error.");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** What the code means, one sentence for the usage and the man page. */
    String meaning() {
        return meaning;
    }

    /** The process exit status. */
    int code() {
        return code;
    }

    /** The code of the verdict alone: 0 primary, 1 fallback only, 2 unsynchronized. */
    static ExitCode of(Verdict verdict) {
        switch (verdict) {
            case PRIMARY_SYNCED:
                return OK;
            case FALLBACK_SYNCED:
                return WARNING;
            default:
                return CRITICAL;
        }
    }

    /** The worse of this and {@code other}. */
    ExitCode worse(ExitCode other) {
        return other.code > code ? other : this;
    }
}
