package dev.pintp.ntp;

/**
 * Datagrams received during a query that were not an answer to our request and were therefore ignored.
 *
 * @param badLength shorter than 48 bytes or length not a multiple of 4
 * @param wrongSource from another address or port than the one queried
 * @param originMismatch origin timestamp not equal to the nonce we sent
 * @param duplicate a second reply to a request that was already answered
 */
public record DropCounts(int badLength, int wrongSource, int originMismatch, int duplicate) {
    /** No drops. */
    public static final DropCounts NONE = new DropCounts(0, 0, 0, 0);

    /** The sum of all drops. */
    public int total() {
        return badLength + wrongSource + originMismatch + duplicate;
    }

    /** The element-wise sum of this and {@code other}. */
    public DropCounts plus(DropCounts other) {
        return new DropCounts(badLength + other.badLength, wrongSource + other.wrongSource,
                originMismatch + other.originMismatch, duplicate + other.duplicate);
    }
}
