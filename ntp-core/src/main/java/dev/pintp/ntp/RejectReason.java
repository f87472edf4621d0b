package dev.pintp.ntp;

/**
 * Why a reply, or a server, was not used. The first group are datagrams that are not a valid answer to our request:
 * they are dropped and counted and the exchange keeps waiting ({@link #isDropped()}). The rest are answers that are
 * not fit to synchronize to.
 */
public enum RejectReason {
    /** Datagram shorter than 48 bytes, longer than 1140, or whose length is not a multiple of 4. Dropped. */
    BAD_LENGTH(true),
    /**
     * What follows the 48-byte header is neither RFC 7822 extension fields nor a MAC (a field shorter than 16 bytes,
     * not 4-byte aligned or running past the end; a trailer of another length than a MAC's), split as chrony does.
     * Dropped.
     */
    MALFORMED(true),
    /**
     * Datagram from another address or port than the one queried. Dropped. With real UDP sockets the kernel already
     * discards these (the socket is connected), so they are never seen or counted; the check guards other transports.
     */
    WRONG_SOURCE(true),
    /**
     * Origin timestamp is not the nonce we sent: spoofed, bogus, or a late answer to an earlier request of the same
     * query that had timed out. Dropped.
     */
    ORIGIN_MISMATCH(true),
    /** Another copy of an answer to an earlier request of the same query that was already answered. Dropped. */
    DUPLICATE(true),
    /**
     * Authentication is configured for the server but the answer carries none (no MAC; a crypto-NAK; NTS fields where
     * a MAC was expected or the reverse). Anybody on the path can send that, so it is dropped, counted, never used.
     */
    UNAUTHENTICATED(true),
    /** The answer's MAC is under another key id than the request's. Dropped. */
    WRONG_KEY(true),
    /** The answer's MAC (or NTS authenticator) does not verify, or has the wrong length. Dropped. */
    BAD_MAC(true),
    /** Mode is not 4 (server). */
    BAD_MODE(false),
    /** Version is not 3 or 4. */
    BAD_VERSION(false),
    /** Transmit timestamp is zero. */
    ZERO_TRANSMIT(false),
    /**
     * Receive or reference timestamp is zero (never set), or receive or transmit timestamp is before 1970-01-01
     * (timestamps are read in the RFC 4330 window 1968..2104).
     */
    BAD_TIMESTAMP(false),
    /** Server receive timestamp is after its transmit timestamp. */
    RECEIVE_AFTER_TRANSMIT(false),
    /** Reference timestamp is after the transmit timestamp. */
    REFERENCE_AFTER_TRANSMIT(false),
    /** Leap indicator 3: the server says its own clock is not synchronized. */
    UNSYNCHRONIZED(false),
    /** Stratum 0: a Kiss-o'-Death packet; the code is in the result. */
    KISS_OF_DEATH(false),
    /** Stratum 16 or above (unsynchronized or invalid). */
    BAD_STRATUM(false),
    /** Root distance (root delay / 2 + root dispersion) above the configured maximum (default 5 s). */
    ROOT_DISTANCE_TOO_LARGE(false),
    /**
     * Negative round-trip delay beyond the two clocks' precision (the server claims to have held the request longer
     * than the whole exchange took), or a delay above the client's maximum (default 3 s).
     */
    BAD_DELAY(false),
    /** A valid sample whose offset exceeds the configured maximum for "accurate". Decided by the check. */
    OFFSET_TOO_LARGE(false),
    /** A valid sample that disagrees with the other sources beyond their error bounds. Decided by the check. */
    FALSETICKER(false),
    /** Not queried: backed off after KoD RATE or an open circuit breaker. Decided by the check. */
    BACKED_OFF(false),
    /** Not queried: the server sent KoD DENY or RSTR. Decided by the check. */
    DENIED(false);

    private final boolean dropped;

    RejectReason(boolean dropped) {
        this.dropped = dropped;
    }

    /** True for datagrams that are not an answer to our request: dropped and counted, the exchange keeps waiting. */
    public boolean isDropped() {
        return dropped;
    }
}
