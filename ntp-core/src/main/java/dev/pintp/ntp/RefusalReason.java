package dev.pintp.ntp;

/**
 * Why the protocol refuses an answer to our request (RFC 5905 and RFC 4330 sanity checks, the client's limits): the
 * server did answer, but the answer is unfit to synchronize to. A query whose answers were all refused is
 * {@link Outcome#REJECTED} (or {@link Outcome#KISS}) with every reason that applied.
 */
public enum RefusalReason implements RejectReason {
    /** Mode is not 4 (server). */
    BAD_MODE,
    /** Version is not 3 or 4. */
    BAD_VERSION,
    /** Transmit timestamp is zero. */
    ZERO_TRANSMIT,
    /**
     * Receive or reference timestamp is zero (never set), or receive or transmit timestamp is before 1970-01-01
     * (timestamps are read in the RFC 4330 window 1968..2104).
     */
    BAD_TIMESTAMP,
    /** Server receive timestamp is after its transmit timestamp. */
    RECEIVE_AFTER_TRANSMIT,
    /** Reference timestamp is after the transmit timestamp. */
    REFERENCE_AFTER_TRANSMIT,
    /** Leap indicator 3: the server says its own clock is not synchronized. */
    UNSYNCHRONIZED,
    /** Stratum 0: a Kiss-o'-Death packet (the code is in the query result), or an authenticated NTS NAK. */
    KISS_OF_DEATH,
    /** Stratum 16 or above (unsynchronized or invalid). */
    BAD_STRATUM,
    /** Root distance (root delay / 2 + root dispersion) above the configured maximum (default 5 s). */
    ROOT_DISTANCE_TOO_LARGE,
    /**
     * Negative round-trip delay beyond the two clocks' precision (the server claims to have held the request longer
     * than the whole exchange took), a delay above the client's maximum (default 3 s), or a server precision coarser
     * than that maximum.
     */
    BAD_DELAY
}
