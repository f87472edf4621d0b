package dev.pintp.ntp;

/** What the check decided about a source, beyond the protocol's rules: made by the checker, not by the client. */
public enum CheckDecision implements RejectReason {
    /**
     * A valid answer from a source that was not outvoted shows this clock to be off by more than the configured
     * maximum for "accurate". The source itself is fine (its outcome stays {@link Outcome#OK}); this clock is not,
     * which the verdict says ({@link VerdictReason.ClockOff}).
     */
    OFFSET_TOO_LARGE,
    /**
     * A valid answer that disagrees with the other sources beyond their error bounds, or that no majority of the
     * answering sources agrees with. The source is {@link Outcome#REJECTED}.
     */
    FALSETICKER,
    /** Not queried ({@link Outcome#SKIPPED}): backed off after KoD RATE, failed queries or an open circuit breaker. */
    BACKED_OFF,
    /** Not queried ({@link Outcome#SKIPPED}): the server sent KoD DENY or RSTR. */
    DENIED
}
