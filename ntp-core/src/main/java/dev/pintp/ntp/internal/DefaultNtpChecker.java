package dev.pintp.ntp.internal;

import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpConfig;

/** The checker. Placeholder until source selection lands (issue 3). */
public final class DefaultNtpChecker {
    private DefaultNtpChecker() {
    }

    /** Not yet implemented. */
    public static NtpChecker create(NtpConfig config) {
        throw new UnsupportedOperationException("the checker is not implemented yet");
    }
}
