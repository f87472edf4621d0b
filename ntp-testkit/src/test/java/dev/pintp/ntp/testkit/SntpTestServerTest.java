package dev.pintp.ntp.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.net.ntp.NtpV3Impl;
import org.apache.commons.net.ntp.TimeStamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SntpTestServerTest {

    private static final long NONCE = 0x0123_4567_89AB_CDEFL;
    private static final Instant FIXED = Instant.parse("2026-11-25T05:00:00.123456789Z");

    private SntpTestServer server;
    private DatagramSocket client;

    @BeforeEach
    void setUp() throws IOException {
        server = SntpTestServer.start(Clock.fixed(FIXED, ZoneOffset.UTC));
        client = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        client.setSoTimeout(2000);
    }

    @AfterEach
    void tearDown() {
        client.close();
        server.close();
        assertEquals(List.of(), server.failures());
    }

    /** A datagram received from the server, with the port it came from. */
    private record Reply(byte[] data, int fromPort) {
        NtpV3Impl packet() {
            NtpV3Impl p = new NtpV3Impl();
            p.setDatagramPacket(new DatagramPacket(data, data.length));
            return p;
        }
    }

    private void request() throws IOException {
        request(server.address());
    }

    private void request(InetSocketAddress to) throws IOException {
        NtpV3Impl p = new NtpV3Impl();
        p.setVersion(4);
        p.setMode(3);
        p.setTransmitTime(new TimeStamp(NONCE));
        DatagramPacket packet = p.getDatagramPacket();
        packet.setSocketAddress(to);
        client.send(packet);
    }

    private Reply receive() throws IOException {
        DatagramPacket in = new DatagramPacket(new byte[1024], 1024);
        client.receive(in);
        return new Reply(Arrays.copyOf(in.getData(), in.getLength()), in.getPort());
    }

    private Reply exchange() throws IOException {
        request();
        return receive();
    }

    private List<Reply> receiveAll(int atLeast) throws IOException {
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < atLeast; i++) {
            replies.add(receive());
        }
        client.setSoTimeout(200);
        try {
            while (true) {
                replies.add(receive());
            }
        } catch (SocketTimeoutException expected) {
            return replies;
        }
    }

    @Test
    void listensOnLoopbackOnAnOsChosenPort() {
        assertEquals("127.0.0.1", server.address().getAddress().getHostAddress());
        assertTrue(server.port() > 0);
        assertEquals(server.port(), server.address().getPort());
        assertNotEquals(server.port(), server.otherPort());
    }

    @Test
    void defaultReplyIsAHealthyStratumTwoServerOnItsClock() throws IOException {
        Reply reply = exchange();
        NtpV3Impl p = reply.packet();
        assertEquals(48, reply.data().length);
        assertEquals(server.port(), reply.fromPort());
        assertEquals(0, p.getLeapIndicator());
        assertEquals(4, p.getVersion());
        assertEquals(4, p.getMode());
        assertEquals(2, p.getStratum());
        assertEquals(6, p.getPoll());
        assertEquals(-20, p.getPrecision());
        assertEquals(655, p.getRootDelay()); // 10 ms in 1/65536 s
        assertEquals(1311, p.getRootDispersion()); // 20 ms
        assertEquals(0xC000_0201, p.getReferenceId()); // 192.0.2.1
        assertEquals(NONCE, p.getOriginateTimeStamp().ntpValue());
        long expected = SntpTestServer.toNtpTimestamp(FIXED);
        assertEquals(expected, p.getReceiveTimeStamp().ntpValue());
        assertEquals(expected, p.getTransmitTimeStamp().ntpValue());
        assertEquals(SntpTestServer.toNtpTimestamp(FIXED.minusSeconds(60)), p.getReferenceTimeStamp().ntpValue());
        assertEquals(1, server.requestCount());
        assertEquals(48, server.requests().get(0).length);
    }

    @Test
    void ntpTimestampConversionIsExactAndWrapsIntoEraOne() {
        assertEquals(2_208_988_800L << 32, SntpTestServer.toNtpTimestamp(Instant.EPOCH));
        assertEquals((2_208_988_800L << 32) | 0x8000_0000L, SntpTestServer.toNtpTimestamp(Instant.ofEpochMilli(500)));
        // 2036-02-07T06:28:16Z is the start of NTP era 1: seconds field wraps to 0.
        assertEquals(0L, SntpTestServer.toNtpTimestamp(Instant.parse("2036-02-07T06:28:16Z")));
        assertEquals(1L << 32, SntpTestServer.toNtpTimestamp(Instant.parse("2036-02-07T06:28:17Z")));
        // 999999999 ns is 4294967291.7 units of 2^-32 s, rounded to the nearest.
        assertEquals((2_208_988_800L << 32) | 0xFFFF_FFFCL,
                SntpTestServer.toNtpTimestamp(Instant.EPOCH.plusNanos(999_999_999L)));
        assertEquals((2_208_988_800L << 32) | 4L, SntpTestServer.toNtpTimestamp(Instant.EPOCH.plusNanos(1)));
    }

    @Test
    void offsetShiftsReceiveAndTransmitTimestamps() throws IOException {
        server.offset(Duration.ofMillis(-730));
        NtpV3Impl p = exchange().packet();
        long expected = SntpTestServer.toNtpTimestamp(FIXED.minusMillis(730));
        assertEquals(expected, p.getReceiveTimeStamp().ntpValue());
        assertEquals(expected, p.getTransmitTimeStamp().ntpValue());
    }

    @Test
    void anOffsetOfDecadesLandsInEraOne() throws IOException {
        Instant in2100 = Instant.parse("2100-01-01T00:00:00Z");
        server.offset(Duration.between(FIXED, in2100));
        NtpV3Impl p = exchange().packet();
        assertEquals(SntpTestServer.toNtpTimestamp(in2100), p.getTransmitTimeStamp().ntpValue());
        assertTrue((p.getTransmitTimeStamp().ntpValue() >>> 63) == 0, "era 1 timestamps have the top bit clear");
    }

    @Test
    void scriptsHeaderFields() throws IOException {
        server.leap(1).version(3).mode(5).stratum(1).poll(10).precision(-6).referenceId("GPS")
                .rootDelay(Duration.ofSeconds(1)).rootDispersion(Duration.ofSeconds(6))
                .referenceTime(Instant.parse("2026-01-01T00:00:00Z"));
        NtpV3Impl p = exchange().packet();
        assertEquals(1, p.getLeapIndicator());
        assertEquals(3, p.getVersion());
        assertEquals(5, p.getMode());
        assertEquals(1, p.getStratum());
        assertEquals(10, p.getPoll());
        assertEquals(-6, p.getPrecision());
        assertEquals(SntpTestServer.asciiCode("GPS"), p.getReferenceId());
        assertEquals(0x4750_5300, p.getReferenceId());
        assertEquals(1 << 16, p.getRootDelay());
        assertEquals(6 << 16, p.getRootDispersion());
        assertEquals(SntpTestServer.toNtpTimestamp(Instant.parse("2026-01-01T00:00:00Z")),
                p.getReferenceTimeStamp().ntpValue());
    }

    @Test
    void localClockModeLooksLikeChronyLocal() throws IOException {
        server.localClock(10);
        NtpV3Impl p = exchange().packet();
        assertEquals(10, p.getStratum());
        assertEquals(0, p.getRootDelay());
        assertEquals(0, p.getRootDispersion());
        assertEquals(0x4C4F_434C, p.getReferenceId()); // "LOCL"
        server.referenceId((Inet4Address) InetAddress.getByName("127.127.1.1"));
        assertEquals(0x7F7F_0101, exchange().packet().getReferenceId());
    }

    @Test
    void kissOfDeathHasStratumZeroLeapThreeAndTheCode() throws IOException {
        server.kissOfDeath("RATE");
        NtpV3Impl p = exchange().packet();
        assertEquals(0, p.getStratum());
        assertEquals(3, p.getLeapIndicator());
        assertEquals("RATE", p.getReferenceIdString());
        assertEquals(NONCE, p.getOriginateTimeStamp().ntpValue());
    }

    @Test
    void scriptsBrokenTimestamps() throws IOException {
        server.wrongOrigin(true);
        assertEquals(NONCE + 1, exchange().packet().getOriginateTimeStamp().ntpValue());
        server.reset().zeroTransmit(true);
        assertEquals(0L, exchange().packet().getTransmitTimeStamp().ntpValue());
        server.reset().receiveAfterTransmit(true);
        NtpV3Impl p = exchange().packet();
        assertEquals(p.getTransmitTimeStamp().ntpValue() + (1L << 32), p.getReceiveTimeStamp().ntpValue());
        server.reset().rawReferenceTime(0L);
        assertEquals(0L, exchange().packet().getReferenceTimeStamp().ntpValue());
    }

    @Test
    void truncatesAndPadsReplies() throws IOException {
        server.truncateTo(47);
        assertEquals(47, exchange().data().length);
        server.truncateTo(50);
        assertEquals(50, exchange().data().length);
    }

    @Test
    void sendsDuplicatesByteForByte() throws IOException {
        server.duplicates(2);
        request();
        List<Reply> replies = receiveAll(3);
        assertEquals(3, replies.size());
        assertArrayEquals(replies.get(0).data(), replies.get(1).data());
        assertArrayEquals(replies.get(0).data(), replies.get(2).data());
    }

    @Test
    void answersFromAnotherPortWhenAsked() throws IOException {
        server.fromOtherPort(true);
        Reply reply = exchange();
        assertEquals(server.otherPort(), reply.fromPort());
        assertEquals(NONCE, reply.packet().getOriginateTimeStamp().ntpValue());
    }

    @Test
    void sendsDecoysBeforeTheGenuineReply() throws IOException {
        server.decoys(SntpTestServer.Decoy.OTHER_PORT, SntpTestServer.Decoy.WRONG_ORIGIN,
                SntpTestServer.Decoy.TRUNCATED);
        request();
        List<Reply> replies = receiveAll(4);
        assertEquals(4, replies.size());
        long hourAhead = SntpTestServer.toNtpTimestamp(FIXED.plusSeconds(3600));
        assertEquals(server.otherPort(), replies.get(0).fromPort());
        assertEquals(hourAhead, replies.get(0).packet().getTransmitTimeStamp().ntpValue());
        assertEquals(NONCE + 1, replies.get(1).packet().getOriginateTimeStamp().ntpValue());
        assertEquals(47, replies.get(2).data().length);
        Reply genuine = replies.get(3);
        assertEquals(server.port(), genuine.fromPort());
        assertEquals(NONCE, genuine.packet().getOriginateTimeStamp().ntpValue());
        assertEquals(SntpTestServer.toNtpTimestamp(FIXED), genuine.packet().getTransmitTimeStamp().ntpValue());
    }

    @Test
    void dropsEverythingOrTheFirstRequests() throws IOException {
        server.drop(true);
        request();
        client.setSoTimeout(300);
        assertThrows(SocketTimeoutException.class, this::receive);
        server.drop(false).dropFirst(2);
        request();
        assertThrows(SocketTimeoutException.class, this::receive);
        request();
        assertThrows(SocketTimeoutException.class, this::receive);
        client.setSoTimeout(2000);
        assertNotNull(exchange());
        assertEquals(4, server.requestCount());
    }

    @Test
    void delaysTheReplyAndTakesTransmitTimeAfterTheDelay() throws IOException {
        try (SntpTestServer live = SntpTestServer.start()) {
            live.delay(Duration.ofMillis(200));
            NtpV3Impl p = new NtpV3Impl();
            p.setVersion(4);
            p.setMode(3);
            p.setTransmitTime(new TimeStamp(NONCE));
            DatagramPacket packet = p.getDatagramPacket();
            packet.setSocketAddress(live.address());
            long start = System.nanoTime();
            client.send(packet);
            NtpV3Impl reply = receive().packet();
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 200, "replied after " + elapsedMillis + " ms");
            long heldFraction = reply.getTransmitTimeStamp().ntpValue() - reply.getReceiveTimeStamp().ntpValue();
            double heldSeconds = heldFraction / 4294967296.0;
            assertTrue(heldSeconds >= 0.2, "T3 - T2 = " + heldSeconds + " s");
            assertEquals(List.of(), live.failures());
        }
    }

    @Test
    void rejectsOutOfRangeScripts() {
        assertThrows(IllegalArgumentException.class, () -> server.leap(4));
        assertThrows(IllegalArgumentException.class, () -> server.stratum(256));
        assertThrows(IllegalArgumentException.class, () -> server.rootDispersion(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> server.rootDelay(Duration.ofSeconds(65536)));
        assertThrows(IllegalArgumentException.class, () -> server.referenceId("TOOLONG"));
        assertThrows(IllegalArgumentException.class, () -> server.referenceId("é"));
        assertThrows(IllegalArgumentException.class, () -> server.delay(Duration.ofMillis(-1)));
    }

    @Test
    void bindsOnlyLoopbackAddresses() throws IOException {
        try (SntpTestServer other = SntpTestServer.start(Clock.systemUTC(),
                new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0))) {
            assertEquals("127.0.0.2", other.address().getAddress().getHostAddress());
            request(other.address());
            DatagramPacket in = new DatagramPacket(new byte[1024], 1024);
            client.receive(in);
            assertEquals(other.address(), in.getSocketAddress());
            assertEquals(1, other.requestCount());
            assertEquals(0, server.requestCount());
        }
        assertThrows(IllegalArgumentException.class, () -> SntpTestServer.start(Clock.systemUTC(),
                new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 0)));
        assertThrows(IllegalArgumentException.class,
                () -> SntpTestServer.start(Clock.systemUTC(), InetSocketAddress.createUnresolved("localhost", 0)));
    }

    @Test
    void closeIsIdempotentAndFreesThePort() throws IOException {
        int port = server.port();
        server.close();
        server.close();
        try (DatagramSocket reuse = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port))) {
            assertEquals(port, reuse.getLocalPort());
        }
    }
}
