package dev.pintp.ntp;

/**
 * What became of a query to one server address (or of a configured server as a whole).
 */
public enum Outcome {
    /** At least one valid sample was measured. */
    OK,
    /** The server answered, but every answer was unfit to synchronize to; see {@link RefusalReason}. */
    REJECTED,
    /** The server answered with a Kiss-o'-Death packet (stratum 0) that passed the origin check. */
    KISS,
    /** No acceptable reply arrived before the deadline. */
    TIMEOUT,
    /** The network said the server cannot be reached (ICMP port/host unreachable, no route). */
    UNREACHABLE,
    /** The host name could not be resolved to any address before the deadline. */
    UNRESOLVED,
    /** Not queried in this check: the server is backed off (KoD RATE, open circuit breaker) or denied us. */
    SKIPPED
}
