package dev.pintp.ntp;

/**
 * Runs one check: queries every primary and fallback concurrently under one deadline, validates, selects a source,
 * and gives the verdict. Thread-safe; keeps KoD and circuit-breaker backoff between checks.
 */
public interface NtpChecker {

    /** Checks all configured sources once. Never throws for anything a server or the network does. */
    CheckResult check();

    /** A checker on real UDP sockets, the system resolver and the system clock. */
    static NtpChecker create(NtpConfig config) {
        return dev.pintp.ntp.internal.DefaultNtpChecker.create(config);
    }
}
