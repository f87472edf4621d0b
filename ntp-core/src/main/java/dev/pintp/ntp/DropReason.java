package dev.pintp.ntp;

/**
 * Why a received datagram is not an answer to our request: it is dropped, counted in {@link DropCounts}, and the
 * exchange keeps waiting for the genuine answer. When every answer of a query failed authentication, the query is
 * {@link Outcome#REJECTED} with the authentication reasons ({@link #isAuthentication()}): the forgery is the news.
 */
public enum DropReason implements RejectReason {
    /** Datagram shorter than 48 bytes, longer than 1140, or whose length is not a multiple of 4. */
    BAD_LENGTH,
    /**
     * What follows the 48-byte header is neither RFC 7822 extension fields nor a MAC (a field shorter than 16 bytes,
     * not 4-byte aligned or running past the end; a trailer of another length than a MAC's), split as chrony does.
     */
    MALFORMED,
    /**
     * Datagram from another address or port than the one queried. With real UDP sockets the kernel already discards
     * these (the socket is connected), so they are never seen or counted; the check guards other transports.
     */
    WRONG_SOURCE,
    /**
     * Origin timestamp is not the nonce we sent: spoofed, bogus, or a late answer to an earlier request of the same
     * query that had timed out.
     */
    ORIGIN_MISMATCH,
    /** Another copy of an answer to an earlier request of the same query that was already answered. */
    DUPLICATE,
    /**
     * Authentication is configured for the server but the answer carries none (no MAC; a crypto-NAK; NTS fields where
     * a MAC was expected or the reverse). Anybody on the path can send that, so it is never used.
     */
    UNAUTHENTICATED,
    /** The answer's MAC is under another key id than the request's. */
    WRONG_KEY,
    /** The answer's MAC (or NTS authenticator) does not verify, or has the wrong length. */
    BAD_MAC;

    /** True for {@link #UNAUTHENTICATED}, {@link #WRONG_KEY} and {@link #BAD_MAC}. */
    public boolean isAuthentication() {
        return this == UNAUTHENTICATED || this == WRONG_KEY || this == BAD_MAC;
    }
}
