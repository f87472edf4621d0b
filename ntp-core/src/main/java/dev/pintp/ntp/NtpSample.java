package dev.pintp.ntp;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One valid SNTP measurement of one server. Immutable.
 *
 * <p>With T1 our send time, T2 the server's receive time, T3 the server's transmit time and T4 our receive time (RFC
 * 5905 section 8): {@code offset = ((T2 - T1) + (T3 - T4)) / 2}, {@code delay = (T4 - T1) - (T3 - T2)}. A positive
 * offset means the server is ahead of the local clock. Server timestamps are read in the RFC 4330 window 1968..2104
 * and the arithmetic is exact to the nanosecond for any local clock (a Pi that booted in 1970 gets an offset of
 * decades): the offset is computed as {@code (T2 - T1) - delay / 2}, half a nanosecond rounded up when the delay is
 * odd.
 *
 * @param server the address and port that answered
 * @param offset how far the server's clock is ahead of ours
 * @param delay the round-trip delay, never negative
 * @param stratum 1 to 15
 * @param leap the leap indicator, never {@link LeapIndicator#UNSYNCHRONIZED} in a valid sample
 * @param version 3 or 4
 * @param poll the poll exponent as sent (log2 seconds)
 * @param precision the precision exponent as sent (log2 seconds)
 * @param referenceId the reference identifier
 * @param referenceTime when the server's clock was last set or corrected
 * @param rootDelay total round-trip delay from the server to its reference clock
 * @param rootDispersion the server's error bound relative to its reference clock
 * @param rootDistance as systemd-timesyncd computes it: {@code rootDelay / 2 + rootDispersion}, the quantity its
 *     {@code RootDistanceMaxSec} (default 5 s) limits
 * @param synchronizationDistance RFC 5905's: {@code (rootDelay + delay) / 2 + rootDispersion + dispersion}, where the
 *     dispersion is our and the server's precision plus the frequency tolerance over the round trip
 * @param localTransmit T1, our clock when the request left
 * @param localReceive T4, our clock when the reply arrived (T1 plus the monotonic elapsed time)
 */
public record NtpSample(
        InetSocketAddress server,
        Duration offset,
        Duration delay,
        int stratum,
        LeapIndicator leap,
        int version,
        int poll,
        int precision,
        ReferenceId referenceId,
        Instant referenceTime,
        Duration rootDelay,
        Duration rootDispersion,
        Duration rootDistance,
        Duration synchronizationDistance,
        Instant localTransmit,
        Instant localReceive) {

    /** @throws NullPointerException for a null component; the values are not checked further (the engine does) */
    public NtpSample {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(offset, "offset");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(leap, "leap");
        Objects.requireNonNull(referenceId, "referenceId");
        Objects.requireNonNull(referenceTime, "referenceTime");
        Objects.requireNonNull(rootDelay, "rootDelay");
        Objects.requireNonNull(rootDispersion, "rootDispersion");
        Objects.requireNonNull(rootDistance, "rootDistance");
        Objects.requireNonNull(synchronizationDistance, "synchronizationDistance");
        Objects.requireNonNull(localTransmit, "localTransmit");
        Objects.requireNonNull(localReceive, "localReceive");
    }

    /** True when the server's reference is its own local clock (chrony {@code local} mode, an RTC-only Pi Zero). */
    public boolean hasLocalReference() {
        return referenceId.local();
    }
}
