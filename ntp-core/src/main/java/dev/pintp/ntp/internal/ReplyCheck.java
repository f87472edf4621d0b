package dev.pintp.ntp.internal;

import dev.pintp.ntp.KissCode;
import dev.pintp.ntp.LeapIndicator;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.ReferenceId;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.RefusalReason;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import org.apache.commons.net.ntp.NtpV3Impl;

/**
 * Decodes and validates one received datagram against the request it may answer: a pure function, so every rule can
 * be table-tested on hand-built packets. The checks run in a fixed order and the first failing one decides:
 *
 * <ol>
 *   <li>not an answer to our request, so dropped and the exchange keeps waiting: wrong source, bad length,
 *       extension fields or MAC malformed ({@link PacketFields}), origin not our nonce (a copy of an earlier
 *       exchange's answer is a duplicate), authentication missing or bad ({@link Authenticator.Exchange#verify},
 *       before anything in the header is believed);
 *   <li>an answer, refused: mode, version, Kiss-o'-Death (stratum 0, so only after the origin check, RFC 8633
 *       section 5.4), leap indicator 3, stratum 16 and above, zero transmit, zero or pre-1970 timestamps, receive
 *       after transmit, reference after transmit, round-trip delay, root distance;
 *   <li>otherwise a sample.
 * </ol>
 */
public final class ReplyCheck {
    /** The largest datagram considered: chrony's, a 48-byte header, 1024 bytes of extension fields, a 68-byte MAC. */
    public static final int MAX_LENGTH = PacketFields.MAX_PACKET_LENGTH;

    /** The exchange of an unauthenticated request: every well-formed answer passes. */
    private static final Authenticator.Exchange UNAUTHENTICATED = new Authenticator.Plain(new byte[0]);

    /** 127.127.1.1, the reference id chrony advertises in {@code local} mode. */
    static final int CHRONY_LOCAL_REFID = 0x7F7F_0101;
    /** "LOCL", the reference id of ntpd's local clock driver (and of chrony in some set-ups). */
    static final int LOCL_REFID = 0x4C4F_434C;

    /** The coarsest server precision (2^-6 s, 15.6 ms) that excuses a slightly negative round-trip delay. */
    private static final long MAX_PRECISION_TOLERANCE_NANOS = 15_625_000L;

    /** RFC 5905's PHI, the frequency tolerance assumed for the dispersion over the round trip: 15 ppm. */
    private static final long PHI_PPM = 15;

    private ReplyCheck() {
    }

    /**
     * What was sent and what limits apply.
     *
     * @param server where the request went
     * @param nonce the request's transmit timestamp
     * @param answered nonces of earlier exchanges of the same query that were already answered
     * @param localTransmit T1 on the wall clock
     * @param elapsedNanos T4 - T1, measured on the monotonic ticker
     * @param maxRootDistance root distance limit (timesyncd's definition)
     * @param maxDelay round-trip delay limit
     * @param localPrecisionNanos our clock's precision, for the synchronization distance and delay tolerance
     */
    public record Expectation(InetSocketAddress server, long nonce, Set<Long> answered, Instant localTransmit,
            long elapsedNanos, Duration maxRootDistance, Duration maxDelay, long localPrecisionNanos) {
        /** Copies {@code answered}; rejects null components. */
        public Expectation {
            Objects.requireNonNull(server, "server");
            answered = Set.copyOf(answered);
            Objects.requireNonNull(localTransmit, "localTransmit");
            Objects.requireNonNull(maxRootDistance, "maxRootDistance");
            Objects.requireNonNull(maxDelay, "maxDelay");
        }
    }

    /** The result of checking one datagram. */
    public sealed interface Result permits Dropped, Refused, Accepted {
    }

    /** Not an answer to our request: count it and keep waiting. */
    public record Dropped(DropReason reason, String detail) implements Result {
    }

    /**
     * An answer to our request that must not be used; {@code kissCode} is set for a Kiss-o'-Death packet
     * ({@link RefusalReason#KISS_OF_DEATH}).
     */
    public record Refused(RefusalReason reason, KissCode kissCode, String detail) implements Result {
    }

    /** A valid answer. */
    public record Accepted(NtpSample sample) implements Result {
    }

    /** {@link #check(byte[], int, InetSocketAddress, Expectation, Authenticator.Exchange)} of an unauthenticated request. */
    public static Result check(byte[] data, int length, InetSocketAddress source, Expectation expect) {
        return check(data, length, source, expect, UNAUTHENTICATED);
    }

    /**
     * Checks {@code length} bytes of {@code data} received from {@code source}. Never throws for any content.
     *
     * @param data the receive buffer, at least {@code length} bytes
     * @param length the datagram's length, 0 or more
     * @param source the datagram's sender
     * @param expect the request and the limits
     * @param auth the exchange that made the request, which verifies the answer's authentication
     */
    public static Result check(byte[] data, int length, InetSocketAddress source, Expectation expect,
            Authenticator.Exchange auth) {
        if (!expect.server().equals(source)) {
            return new Dropped(DropReason.WRONG_SOURCE, "from " + source + ", expected " + expect.server());
        }
        if (length < 48 || length % 4 != 0 || length > MAX_LENGTH) {
            return new Dropped(DropReason.BAD_LENGTH, length + " bytes");
        }
        PacketFields fields = PacketFields.parse(data, length);
        if (fields == null) {
            return new Dropped(DropReason.MALFORMED, (length - PacketFields.HEADER_LENGTH)
                    + " bytes after the header are neither extension fields nor a MAC");
        }
        NtpV3Impl p = new NtpV3Impl();
        p.setDatagramPacket(new DatagramPacket(data, length));
        long origin = p.getOriginateTimeStamp().ntpValue();
        if (origin != expect.nonce()) {
            if (expect.answered().contains(origin)) {
                return new Dropped(DropReason.DUPLICATE, "a second answer to an earlier request");
            }
            return new Dropped(DropReason.ORIGIN_MISMATCH,
                    String.format("origin %016x, sent %016x", origin, expect.nonce()));
        }
        Authenticator.Check authentic = auth.verify(data, length, fields);
        if (!authentic.ok()) {
            return authentic.reason() instanceof DropReason drop ? new Dropped(drop, authentic.detail())
                    : new Refused((RefusalReason) authentic.reason(), null, authentic.detail());
        }

        int mode = p.getMode();
        if (mode != 4) {
            return refuse(RefusalReason.BAD_MODE, "mode " + mode);
        }
        int version = p.getVersion();
        if (version != 3 && version != 4) {
            return refuse(RefusalReason.BAD_VERSION, "version " + version);
        }
        int stratum = p.getStratum();
        int refId = p.getReferenceId();
        if (stratum == 0) {
            KissCode code = new KissCode(asciiCode(refId));
            return new Refused(RefusalReason.KISS_OF_DEATH, code, "Kiss-o'-Death " + code);
        }
        LeapIndicator leap = LeapIndicator.of(p.getLeapIndicator());
        if (leap == LeapIndicator.UNSYNCHRONIZED) {
            return refuse(RefusalReason.UNSYNCHRONIZED, "leap indicator 3: the server is not synchronized");
        }
        if (stratum >= 16) {
            return refuse(RefusalReason.BAD_STRATUM, "stratum " + stratum);
        }
        long rawTransmit = p.getTransmitTimeStamp().ntpValue();
        long rawReceive = p.getReceiveTimeStamp().ntpValue();
        long rawReference = p.getReferenceTimeStamp().ntpValue();
        if (rawTransmit == 0) {
            return refuse(RefusalReason.ZERO_TRANSMIT, "transmit timestamp is zero");
        }
        if (rawReceive == 0) {
            return refuse(RefusalReason.BAD_TIMESTAMP, "receive timestamp is zero");
        }
        if (rawReference == 0) {
            return refuse(RefusalReason.BAD_TIMESTAMP, "reference timestamp is zero: never synchronized");
        }
        long t2 = NtpTimestamps.toNanos(rawReceive);
        long t3 = NtpTimestamps.toNanos(rawTransmit);
        long reference = NtpTimestamps.toNanos(rawReference);
        if (t2 < NtpTimestamps.UNIX_EPOCH_NANOS || t3 < NtpTimestamps.UNIX_EPOCH_NANOS) {
            return refuse(RefusalReason.BAD_TIMESTAMP, "receive " + NtpTimestamps.toInstant(t2) + " or transmit "
                    + NtpTimestamps.toInstant(t3) + " is before 1970");
        }
        if (t2 > t3) {
            return refuse(RefusalReason.RECEIVE_AFTER_TRANSMIT,
                    "receive " + NtpTimestamps.toInstant(t2) + " after transmit " + NtpTimestamps.toInstant(t3));
        }
        if (reference > t3) {
            return refuse(RefusalReason.REFERENCE_AFTER_TRANSMIT, "reference " + NtpTimestamps.toInstant(reference)
                    + " after transmit " + NtpTimestamps.toInstant(t3));
        }

        // RFC 5905 section 8. Both terms are small (t3 - t2 >= 0 and a measured elapsed time), so no overflow.
        long rawDelay = expect.elapsedNanos() - (t3 - t2);
        int precision = p.getPrecision();
        long serverPrecision = NtpTimestamps.exponentToNanos(precision);
        long tolerance = Math.min(serverPrecision, MAX_PRECISION_TOLERANCE_NANOS) + expect.localPrecisionNanos();
        if (rawDelay < -tolerance) {
            return refuse(RefusalReason.BAD_DELAY, "negative round-trip delay " + Duration.ofNanos(rawDelay)
                    + ": the server held the request longer than the whole exchange took");
        }
        Duration delay = Duration.ofNanos(Math.max(rawDelay, 0));
        if (delay.compareTo(expect.maxDelay()) > 0) {
            return refuse(RefusalReason.BAD_DELAY, "round-trip delay " + delay + " above " + expect.maxDelay());
        }
        // chrony's test A (ntp_core.c, process_response): "precision <= inst->max_delay", where precision is the
        // local clock's quantum plus 2^(server's precision field). A server claiming a precision coarser than the
        // largest delay accepted (2^+127 s, say) cannot have measured its timestamps well enough to be believed.
        if (serverPrecision + expect.localPrecisionNanos() > expect.maxDelay().toNanos()) {
            return refuse(RefusalReason.BAD_DELAY, "precision 2^" + precision + " s (with ours "
                    + Duration.ofNanos(serverPrecision + expect.localPrecisionNanos()) + ") above the maximum delay "
                    + expect.maxDelay());
        }
        long rootDelay = NtpTimestamps.shortToNanos(p.getRootDelay());
        long rootDispersion = NtpTimestamps.shortToNanos(p.getRootDispersion());
        // systemd-timesyncd's root distance, the quantity RootDistanceMaxSec limits.
        Duration rootDistance = Duration.ofNanos(rootDelay / 2 + rootDispersion);
        if (rootDistance.compareTo(expect.maxRootDistance()) > 0) {
            return refuse(RefusalReason.ROOT_DISTANCE_TOO_LARGE,
                    "root distance " + rootDistance + " above " + expect.maxRootDistance());
        }
        // RFC 5905 section 8: epsilon = server precision + our precision + PHI * (T4 - T1).
        long dispersion = serverPrecision + expect.localPrecisionNanos()
                + Math.max(expect.elapsedNanos(), 0) * PHI_PPM / 1_000_000;
        Duration synchronizationDistance =
                Duration.ofNanos((rootDelay + delay.toNanos()) / 2 + rootDispersion + dispersion);

        // offset = ((T2 - T1) + (T3 - T4)) / 2 = (T2 - T1) - delay / 2. (T2 - T1) can be centuries, so it is taken
        // as a Duration (exact for any local clock), and the half delay is rounded down (offset rounded up by at
        // most half a nanosecond when the delay is odd).
        Duration serverMinusLocal = Duration.ofNanos(t2).minus(NtpTimestamps.sinceNtpEpoch(expect.localTransmit()));
        Duration offset = serverMinusLocal.minusNanos(Math.floorDiv(rawDelay, 2));

        NtpSample sample = new NtpSample(source, offset, delay, stratum, leap, version, p.getPoll(), precision,
                referenceId(refId, stratum), NtpTimestamps.toInstant(reference), Duration.ofNanos(rootDelay),
                Duration.ofNanos(rootDispersion), rootDistance, synchronizationDistance, expect.localTransmit(),
                expect.localTransmit().plusNanos(expect.elapsedNanos()));
        return new Accepted(sample);
    }

    private static Refused refuse(RefusalReason reason, String detail) {
        return new Refused(reason, null, detail);
    }

    /**
     * The reference id as it is best shown (RFC 5905 section 7.3): ASCII at stratum 0 and 1, a dotted quad otherwise
     * (for IPv6 upstreams that is the first 4 bytes of an MD5 hash, still shown as a quad); local when it is LOCL or
     * chrony's 127.127.1.1 at any stratum.
     */
    public static ReferenceId referenceId(int raw, int stratum) {
        boolean local = raw == LOCL_REFID || raw == CHRONY_LOCAL_REFID;
        String text;
        if (stratum <= 1 || raw == LOCL_REFID) {
            text = asciiCode(raw);
        } else {
            text = ((raw >>> 24) & 0xFF) + "." + ((raw >>> 16) & 0xFF) + "." + ((raw >>> 8) & 0xFF) + "." + (raw & 0xFF);
        }
        return new ReferenceId(raw, text, local);
    }

    /**
     * A 4-byte code as text: printable ASCII with trailing NULs and spaces removed; if any byte is not printable, the
     * hexadecimal value such as {@code 0x00ff1234}.
     */
    public static String asciiCode(int raw) {
        StringBuilder s = new StringBuilder(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            s.append((char) ((raw >>> shift) & 0xFF));
        }
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == 0 || s.charAt(end - 1) == ' ')) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return hex32(raw);
            }
        }
        return s.substring(0, end);
    }

    /** {@code 0x} and the eight lower-case hex digits of {@code raw} (no {@link String#format}: cheaper cold). */
    static String hex32(int raw) {
        String digits = Integer.toHexString(raw);
        return "0x" + "00000000".substring(digits.length()) + digits;
    }
}
