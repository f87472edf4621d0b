package dev.pintp.ntp.internal;

import dev.pintp.ntp.testkit.SntpTestServer;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import org.apache.commons.net.ntp.NtpV3Impl;
import org.apache.commons.net.ntp.TimeStamp;

/** Hand-built replies for table tests: a valid answer by default, every field settable. */
final class Packets {
    static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 12300);
    static final long NONCE = 0x5DEE_CE66_D1CE_4E5BL;
    static final Instant T1 = Instant.parse("2026-11-25T05:00:00Z");
    static final long ELAPSED = 20_000_000L; // T4 - T1: 20 ms
    static final Duration MAX_ROOT_DISTANCE = Duration.ofSeconds(5);
    static final Duration MAX_DELAY = Duration.ofSeconds(3);
    static final long LOCAL_PRECISION = 1000;

    int leap = 0;
    int version = 4;
    int mode = 4;
    int stratum = 2;
    int poll = 6;
    int precision = -20;
    int rootDelay = 1 << 10; // 1/64 s = 15.625 ms, exact in nanoseconds
    int rootDispersion = 1 << 11; // 1/32 s = 31.25 ms
    int referenceId = 0xC000_0201;
    long reference;
    long origin = NONCE;
    long receive;
    long transmit;
    int length = 48;

    /** A valid reply from a server 2.5 s ahead that held the request 1 ms, 20 ms round trip: delay 19 ms. */
    Packets() {
        serverTimes(Duration.ofMillis(2500), Duration.ofMillis(1));
    }

    /**
     * Sets T2 and T3 for a server {@code offset} ahead of T1's clock holding the request {@code hold}, with the
     * network delay split evenly around it.
     */
    Packets serverTimes(Duration offset, Duration hold) {
        long oneWay = (ELAPSED - hold.toNanos()) / 2;
        Instant t2 = T1.plus(offset).plusNanos(oneWay);
        Instant t3 = t2.plus(hold);
        receive = SntpTestServer.toNtpTimestamp(t2);
        transmit = SntpTestServer.toNtpTimestamp(t3);
        reference = SntpTestServer.toNtpTimestamp(t3.minusSeconds(64));
        return this;
    }

    byte[] bytes() {
        NtpV3Impl p = new NtpV3Impl();
        p.setLeapIndicator(leap);
        p.setVersion(version);
        p.setMode(mode);
        p.setStratum(stratum);
        p.setPoll(poll);
        p.setPrecision(precision);
        p.setRootDelay(rootDelay);
        p.setRootDispersion(rootDispersion);
        p.setReferenceId(referenceId);
        p.setReferenceTime(new TimeStamp(reference));
        p.setOriginateTimeStamp(new TimeStamp(origin));
        p.setReceiveTimeStamp(new TimeStamp(receive));
        p.setTransmitTime(new TimeStamp(transmit));
        DatagramPacket d = p.getDatagramPacket();
        return Arrays.copyOf(Arrays.copyOfRange(d.getData(), d.getOffset(), d.getOffset() + d.getLength()), length);
    }

    static ReplyCheck.Expectation expect() {
        return expect(T1, ELAPSED, Set.of());
    }

    static ReplyCheck.Expectation expect(Instant t1, long elapsed, Set<Long> answered) {
        return new ReplyCheck.Expectation(SERVER, NONCE, answered, t1, elapsed, MAX_ROOT_DISTANCE, MAX_DELAY,
                LOCAL_PRECISION);
    }

    ReplyCheck.Result check() {
        return check(expect());
    }

    ReplyCheck.Result check(ReplyCheck.Expectation expect) {
        byte[] b = bytes();
        return ReplyCheck.check(b, b.length, SERVER, expect);
    }
}
