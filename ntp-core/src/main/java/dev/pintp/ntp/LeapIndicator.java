package dev.pintp.ntp;

/** The two leap-indicator bits of an NTP header (RFC 5905, section 7.3). */
public enum LeapIndicator {
    /** No leap second pending. */
    NONE,
    /** The last minute of the day has 61 seconds. */
    INSERT_SECOND,
    /** The last minute of the day has 59 seconds. */
    DELETE_SECOND,
    /** The server's clock is not synchronized. */
    UNSYNCHRONIZED;

    /** The indicator for the two-bit field value {@code bits} (0 to 3). */
    public static LeapIndicator of(int bits) {
        return values()[bits & 3];
    }
}
