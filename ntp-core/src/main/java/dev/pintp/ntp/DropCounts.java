package dev.pintp.ntp;

/**
 * Datagrams received during a query that were not an answer to our request and were therefore ignored, counted by
 * {@link DropReason}.
 *
 * @param badLength shorter than 48 bytes, too long, or length not a multiple of 4
 * @param wrongSource from another address or port than the one queried
 * @param originMismatch origin timestamp not equal to the nonce we sent
 * @param duplicate a second reply to a request that was already answered
 * @param malformed extension fields or MAC malformed ({@link DropReason#MALFORMED})
 * @param authFailed answers that failed authentication: no MAC, another key, a bad MAC
 *     ({@link DropReason#isAuthentication()})
 */
public record DropCounts(int badLength, int wrongSource, int originMismatch, int duplicate, int malformed,
        int authFailed) {
    /** No drops. */
    public static final DropCounts NONE = new DropCounts(0, 0, 0, 0, 0, 0);

    /** The counts of an unauthenticated query, which has neither malformed nor authentication drops. */
    public DropCounts(int badLength, int wrongSource, int originMismatch, int duplicate) {
        this(badLength, wrongSource, originMismatch, duplicate, 0, 0);
    }

    /** The sum of all drops. */
    public int total() {
        return badLength + wrongSource + originMismatch + duplicate + malformed + authFailed;
    }

    /** These counts with one more drop for {@code reason}. */
    public DropCounts plus(DropReason reason) {
        return switch (reason) {
            case BAD_LENGTH -> new DropCounts(badLength + 1, wrongSource, originMismatch, duplicate, malformed,
                    authFailed);
            case WRONG_SOURCE -> new DropCounts(badLength, wrongSource + 1, originMismatch, duplicate, malformed,
                    authFailed);
            case ORIGIN_MISMATCH -> new DropCounts(badLength, wrongSource, originMismatch + 1, duplicate, malformed,
                    authFailed);
            case DUPLICATE -> new DropCounts(badLength, wrongSource, originMismatch, duplicate + 1, malformed,
                    authFailed);
            case MALFORMED -> new DropCounts(badLength, wrongSource, originMismatch, duplicate, malformed + 1,
                    authFailed);
            case UNAUTHENTICATED, WRONG_KEY, BAD_MAC -> new DropCounts(badLength, wrongSource, originMismatch,
                    duplicate, malformed, authFailed + 1);
        };
    }

    /** The element-wise sum of this and {@code other}. */
    public DropCounts plus(DropCounts other) {
        return new DropCounts(badLength + other.badLength, wrongSource + other.wrongSource,
                originMismatch + other.originMismatch, duplicate + other.duplicate, malformed + other.malformed,
                authFailed + other.authFailed);
    }
}
