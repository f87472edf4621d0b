package dev.pintp.ntp.internal;

import static dev.pintp.ntp.internal.Packets.ELAPSED;
import static dev.pintp.ntp.internal.Packets.NONCE;
import static dev.pintp.ntp.internal.Packets.SERVER;
import static dev.pintp.ntp.internal.Packets.T1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.LeapIndicator;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReplyCheckTest {

    private static NtpSample accepted(ReplyCheck.Result result) {
        return assertInstanceOf(ReplyCheck.Accepted.class, result, () -> "expected a sample, got " + result).sample();
    }

    // ---- the math, exact ----

    @Test
    void validReplyGivesExactOffsetDelayAndDistances() {
        NtpSample s = accepted(new Packets().check());
        assertEquals(Duration.ofMillis(2500), s.offset());
        assertEquals(Duration.ofMillis(19), s.delay());
        assertEquals(Duration.ofNanos(15_625_000), s.rootDelay());
        assertEquals(Duration.ofNanos(31_250_000), s.rootDispersion());
        // timesyncd: rootDelay / 2 + rootDispersion
        assertEquals(Duration.ofNanos(7_812_500 + 31_250_000), s.rootDistance());
        // RFC 5905: (rootDelay + delay) / 2 + rootDispersion + (2^-20 s + 1 µs + 15 ppm × 20 ms)
        assertEquals(Duration.ofNanos((15_625_000 + 19_000_000) / 2 + 31_250_000 + 954 + 1000 + 300),
                s.synchronizationDistance());
        assertEquals(2, s.stratum());
        assertEquals(LeapIndicator.NONE, s.leap());
        assertEquals(4, s.version());
        assertEquals(6, s.poll());
        assertEquals(-20, s.precision());
        assertEquals("192.0.2.1", s.referenceId().text());
        assertFalse(s.hasLocalReference());
        assertEquals(T1.plus(Duration.ofMillis(2500)).plusNanos(9_500_000 + 1_000_000).minusSeconds(64),
                s.referenceTime());
        assertEquals(SERVER, s.server());
        assertEquals(T1, s.localTransmit());
        assertEquals(T1.plusNanos(ELAPSED), s.localReceive());
    }

    @Test
    void negativeOffsetIsExact() {
        NtpSample s = accepted(new Packets().serverTimes(Duration.ofMillis(-730), Duration.ofMillis(1)).check());
        assertEquals(Duration.ofMillis(-730), s.offset());
        assertEquals(Duration.ofMillis(19), s.delay());
    }

    @Test
    void serverHoldTimeIsNotPartOfTheDelay() {
        NtpSample s = accepted(new Packets().serverTimes(Duration.ZERO, Duration.ofMillis(15)).check());
        assertEquals(Duration.ofMillis(5), s.delay());
        assertEquals(Duration.ZERO, s.offset());
    }

    @Test
    void oddDelayRoundsTheOffsetUpByHalfANanosecond() {
        Packets p = new Packets();
        Instant t2 = T1.plusSeconds(1);
        p.receive = SntpTestServer.toNtpTimestamp(t2);
        p.transmit = SntpTestServer.toNtpTimestamp(t2);
        // T4 - T1 = 1001 ns, T3 - T2 = 0: delay 1001 ns, exact offset 1 s - 500.5 ns.
        NtpSample s = accepted(p.check(Packets.expect(T1, 1001, Set.of())));
        assertEquals(Duration.ofNanos(1001), s.delay());
        assertEquals(Duration.ofSeconds(1).minusNanos(500), s.offset());
    }

    static Stream<Arguments> eras() {
        return Stream.of(
                Arguments.of("1970-01-01T00:00:00Z", "2026-11-25T05:00:00.123456789Z"),
                Arguments.of("1970-01-01T00:00:00Z", "2100-01-01T00:00:00.000000001Z"),
                Arguments.of("1970-01-01T00:00:00.999999999Z", "2036-02-07T06:28:17Z"),
                Arguments.of("2026-11-25T05:00:00Z", "2036-02-07T06:28:15.999999999Z"),
                Arguments.of("2026-11-25T05:00:00Z", "1970-01-01T00:00:00.5Z"),
                Arguments.of("2100-06-01T00:00:00Z", "2026-11-25T05:00:00Z"),
                // Local clocks far outside the NTP window: the difference is still exact.
                Arguments.of("1900-01-01T00:00:00Z", "2104-01-01T00:00:00Z"),
                Arguments.of("2300-01-01T00:00:00Z", "2026-11-25T05:00:00Z"),
                Arguments.of("-1000-01-01T00:00:00Z", "2026-11-25T05:00:00Z"));
    }

    @ParameterizedTest(name = "local {0}, server {1}")
    @MethodSource("eras")
    void offsetsOfDecadesAreExactToTheNanosecond(String local, String server) {
        Instant t1 = Instant.parse(local);
        Instant t2 = Instant.parse(server);
        long elapsed = 3_000_001L; // odd: exercises the rounding
        Instant t3 = t2.plusNanos(1_000_000L);
        Packets p = new Packets();
        p.receive = SntpTestServer.toNtpTimestamp(t2);
        p.transmit = SntpTestServer.toNtpTimestamp(t3);
        p.reference = SntpTestServer.toNtpTimestamp(t2.minusMillis(1500));
        NtpSample s = accepted(p.check(Packets.expect(t1, elapsed, Set.of())));

        // Independent reference with unbounded integers: ((T2 - T1) + (T3 - T4)) / 2, rounded up to the nanosecond.
        BigInteger n1 = nanos(t1);
        BigInteger n4 = n1.add(BigInteger.valueOf(elapsed));
        BigInteger twice = nanos(t2).subtract(n1).add(nanos(t3).subtract(n4));
        BigInteger[] qr = twice.divideAndRemainder(BigInteger.TWO);
        BigInteger expected = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        assertEquals(expected, nanos(s.offset()));
        assertEquals(Duration.ofNanos(2_000_001L), s.delay());
        assertEquals(t2.minusMillis(1500), s.referenceTime());
    }

    private static BigInteger nanos(Instant i) {
        return BigInteger.valueOf(i.getEpochSecond()).multiply(BigInteger.valueOf(1_000_000_000L))
                .add(BigInteger.valueOf(i.getNano()));
    }

    private static BigInteger nanos(Duration d) {
        return BigInteger.valueOf(d.getSeconds()).multiply(BigInteger.valueOf(1_000_000_000L))
                .add(BigInteger.valueOf(d.getNano()));
    }

    @Test
    void timestampWindowFollowsRfc4330() {
        assertEquals(Instant.parse("1968-01-20T03:14:08Z"),
                NtpTimestamps.toInstant(NtpTimestamps.toNanos(0x8000_0000_0000_0000L)));
        assertEquals(Instant.parse("2036-02-07T06:28:15Z"),
                NtpTimestamps.toInstant(NtpTimestamps.toNanos(0xFFFF_FFFF_0000_0000L)));
        assertEquals(Instant.parse("2036-02-07T06:28:16Z"), NtpTimestamps.toInstant(NtpTimestamps.toNanos(0L)));
        assertEquals(Instant.parse("2104-02-26T09:42:23Z"),
                NtpTimestamps.toInstant(NtpTimestamps.toNanos(0x7FFF_FFFF_0000_0000L)));
        assertEquals(Instant.EPOCH, NtpTimestamps.toInstant(NtpTimestamps.UNIX_EPOCH_NANOS));
        // The largest value is below Long.MAX_VALUE / 1.4: differences of two never overflow.
        assertTrue(NtpTimestamps.toNanos(0x7FFF_FFFF_FFFF_FFFFL) < 6_450_000_000_000_000_000L);
    }

    @Test
    void shortFormatAndExponentsConvertExactly() {
        assertEquals(1_000_000_000L, NtpTimestamps.shortToNanos(1 << 16));
        assertEquals(15_625_000L, NtpTimestamps.shortToNanos(1 << 10));
        assertEquals(15_259L, NtpTimestamps.shortToNanos(1)); // 15258.789 ns
        assertEquals(65_535_999_984_741L, NtpTimestamps.shortToNanos(-1)); // unsigned: 65535.99998 s
        assertEquals(954L, NtpTimestamps.exponentToNanos(-20));
        assertEquals(0L, NtpTimestamps.exponentToNanos(-128));
        assertEquals(1_000_000_000L, NtpTimestamps.exponentToNanos(0));
        assertEquals((1L << 20) * 1_000_000_000L, NtpTimestamps.exponentToNanos(127));
    }

    // ---- every rule: one violation each, otherwise valid, so removing the rule changes the result ----

    private static Arguments rule(String name, RejectReason reason, Consumer<Packets> mutation) {
        return Arguments.of(name, reason, mutation);
    }

    static Stream<Arguments> refusals() {
        Instant t3 = T1.plusMillis(2500).plusNanos(10_500_000);
        return Stream.of(
                rule("mode 3 (a client request)", RefusalReason.BAD_MODE, p -> p.mode = 3),
                rule("mode 5 (broadcast)", RefusalReason.BAD_MODE, p -> p.mode = 5),
                rule("version 2", RefusalReason.BAD_VERSION, p -> p.version = 2),
                rule("version 5", RefusalReason.BAD_VERSION, p -> p.version = 5),
                rule("stratum 0 (KoD) with leap 0", RefusalReason.KISS_OF_DEATH, p -> {
                    p.stratum = 0;
                    p.referenceId = SntpTestServer.asciiCode("RATE");
                }),
                rule("leap indicator 3", RefusalReason.UNSYNCHRONIZED, p -> p.leap = 3),
                rule("stratum 16", RefusalReason.BAD_STRATUM, p -> p.stratum = 16),
                rule("stratum 255", RefusalReason.BAD_STRATUM, p -> p.stratum = 255),
                rule("zero transmit", RefusalReason.ZERO_TRANSMIT, p -> p.transmit = 0),
                rule("zero receive", RefusalReason.BAD_TIMESTAMP, p -> p.receive = 0),
                rule("zero reference", RefusalReason.BAD_TIMESTAMP, p -> p.reference = 0),
                rule("receive before 1970", RefusalReason.BAD_TIMESTAMP, p -> {
                    p.receive = SntpTestServer.toNtpTimestamp(Instant.parse("1969-12-31T23:59:59.999Z"));
                    p.reference = SntpTestServer.toNtpTimestamp(Instant.parse("1969-01-01T00:00:00Z"));
                }),
                rule("transmit before 1970 (so also before receive)", RefusalReason.BAD_TIMESTAMP, p -> {
                    p.transmit = SntpTestServer.toNtpTimestamp(Instant.parse("1969-12-31T23:59:59Z"));
                    p.reference = SntpTestServer.toNtpTimestamp(Instant.parse("1969-01-01T00:00:00Z"));
                }),
                rule("receive and transmit before 1970", RefusalReason.BAD_TIMESTAMP, p -> {
                    p.receive = SntpTestServer.toNtpTimestamp(Instant.parse("1969-12-31T23:59:59Z"));
                    p.transmit = SntpTestServer.toNtpTimestamp(Instant.parse("1969-12-31T23:59:59.001Z"));
                    p.reference = SntpTestServer.toNtpTimestamp(Instant.parse("1969-01-01T00:00:00Z"));
                }),
                rule("receive 1 ns after transmit", RefusalReason.RECEIVE_AFTER_TRANSMIT,
                        p -> p.receive = SntpTestServer.toNtpTimestamp(t3.plusNanos(1))),
                rule("reference 1 s after transmit", RefusalReason.REFERENCE_AFTER_TRANSMIT,
                        p -> p.reference = SntpTestServer.toNtpTimestamp(t3.plusSeconds(1))),
                rule("negative delay: held 25 ms of a 20 ms exchange", RefusalReason.BAD_DELAY,
                        p -> p.serverTimes(Duration.ZERO, Duration.ofMillis(25))),
                rule("root dispersion 6 s", RefusalReason.ROOT_DISTANCE_TOO_LARGE, p -> p.rootDispersion = 6 << 16),
                rule("root delay 10.5 s", RefusalReason.ROOT_DISTANCE_TOO_LARGE, p -> {
                    p.rootDelay = (10 << 16) | (1 << 15);
                    p.rootDispersion = 0;
                }),
                rule("root delay 9 s + dispersion 0.5 s + 2^-16 s", RefusalReason.ROOT_DISTANCE_TOO_LARGE, p -> {
                    p.rootDelay = 9 << 16;
                    p.rootDispersion = (1 << 15) + 1;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void everyRefusalRuleHasItsReason(String name, RejectReason reason, Consumer<Packets> mutation) {
        Packets p = new Packets();
        mutation.accept(p);
        ReplyCheck.Result result = p.check();
        ReplyCheck.Refused refused = assertInstanceOf(ReplyCheck.Refused.class, result, () -> name + ": " + result);
        assertEquals(reason, refused.reason(), () -> name + ": " + refused.detail());
        assertInstanceOf(RefusalReason.class, reason, name);
        if (reason != RefusalReason.KISS_OF_DEATH) {
            assertNull(refused.kissCode());
        }
    }

    @Test
    void delayAboveTheMaximumIsRefused() {
        // A 4 s exchange with the server holding 0.5 s: delay 3.5 s > 3 s.
        Packets p = new Packets();
        Instant t2 = T1.plusMillis(1750);
        p.receive = SntpTestServer.toNtpTimestamp(t2);
        p.transmit = SntpTestServer.toNtpTimestamp(t2.plusMillis(500));
        ReplyCheck.Result r = p.check(Packets.expect(T1, 4_000_000_000L, Set.of()));
        assertEquals(RefusalReason.BAD_DELAY, assertInstanceOf(ReplyCheck.Refused.class, r).reason());
        // The same at exactly 3 s is a sample.
        p.transmit = SntpTestServer.toNtpTimestamp(t2.plusMillis(1000));
        assertEquals(Duration.ofSeconds(3), accepted(p.check(Packets.expect(T1, 4_000_000_000L, Set.of()))).delay());
    }

    @ParameterizedTest
    @CsvSource({"127, false", "20, false", "2, false", "1, true", "0, true", "-6, true", "-20, true", "-128, true"})
    void aPrecisionCoarserThanTheMaximumDelayIsRefusedAsChronyDoes(int precision, boolean accepted) {
        // chrony: local quantum (1 us here) + 2^precision must not exceed the maximum delay (3 s): 2^1 s passes,
        // 2^2 s does not; +127 once gave a HIGH-quality sample that could not be outvoted
        Packets p = new Packets();
        p.precision = precision;
        ReplyCheck.Result r = p.check();
        if (accepted) {
            assertEquals(precision, accepted(r).precision());
        } else {
            ReplyCheck.Refused refused = assertInstanceOf(ReplyCheck.Refused.class, r);
            assertEquals(RefusalReason.BAD_DELAY, refused.reason());
            assertTrue(refused.detail().startsWith("precision 2^" + precision + " s"), refused.detail());
        }
    }

    @Test
    void slightlyNegativeDelayWithinPrecisionCountsAsZero() {
        // Server precision 2^-20 s (954 ns) + ours 1000 ns: 1954 ns of negative delay is tolerated.
        Packets p = new Packets();
        Instant t2 = T1.plusMillis(1);
        p.receive = SntpTestServer.toNtpTimestamp(t2);
        p.transmit = SntpTestServer.toNtpTimestamp(t2.plusNanos(ELAPSED + 1954));
        NtpSample s = accepted(p.check());
        assertEquals(Duration.ZERO, s.delay());
        p.transmit = SntpTestServer.toNtpTimestamp(t2.plusNanos(ELAPSED + 1955));
        assertEquals(RefusalReason.BAD_DELAY, assertInstanceOf(ReplyCheck.Refused.class, p.check()).reason());
    }

    @Test
    void rootDistanceOfExactlyTheMaximumIsAccepted() {
        Packets p = new Packets();
        p.rootDelay = 9 << 16;
        p.rootDispersion = 1 << 15;
        assertEquals(Duration.ofSeconds(5), accepted(p.check()).rootDistance());
    }

    @Test
    void kissOfDeathCarriesItsCode() {
        for (String code : new String[] {"RATE", "DENY", "RSTR", "INIT"}) {
            Packets p = new Packets();
            p.leap = 3;
            p.stratum = 0;
            p.referenceId = SntpTestServer.asciiCode(code);
            p.transmit = 0; // KoD packets often carry no timestamps: the code still counts
            ReplyCheck.Refused r = assertInstanceOf(ReplyCheck.Refused.class, p.check());
            assertEquals(RefusalReason.KISS_OF_DEATH, r.reason());
            assertEquals(code, r.kissCode().code());
            assertEquals(code.equals("RATE"), r.kissCode().isRate());
            assertEquals(code.equals("DENY") || code.equals("RSTR"), r.kissCode().isDenial());
        }
    }

    @Test
    void kissOfDeathWithAWrongOriginIsOnlyDropped() {
        Packets p = new Packets();
        p.stratum = 0;
        p.leap = 3;
        p.referenceId = SntpTestServer.asciiCode("DENY");
        p.origin = NONCE ^ 1;
        ReplyCheck.Dropped d = assertInstanceOf(ReplyCheck.Dropped.class, p.check());
        assertEquals(DropReason.ORIGIN_MISMATCH, d.reason());
    }

    // ---- drops: not an answer, the exchange keeps waiting ----

    static Stream<Arguments> drops() {
        return Stream.of(
                Arguments.of("47 bytes", DropReason.BAD_LENGTH, (Consumer<Packets>) p -> p.length = 47),
                Arguments.of("0 bytes", DropReason.BAD_LENGTH, (Consumer<Packets>) p -> p.length = 0),
                Arguments.of("50 bytes", DropReason.BAD_LENGTH, (Consumer<Packets>) p -> p.length = 50),
                Arguments.of("1144 bytes", DropReason.BAD_LENGTH, (Consumer<Packets>) p -> p.length = 1144),
                Arguments.of("origin + 1", DropReason.ORIGIN_MISMATCH, (Consumer<Packets>) p -> p.origin = NONCE + 1),
                Arguments.of("origin zero", DropReason.ORIGIN_MISMATCH, (Consumer<Packets>) p -> p.origin = 0),
                Arguments.of("origin is T1 (what a plain client would send)", DropReason.ORIGIN_MISMATCH,
                        (Consumer<Packets>) p -> p.origin = SntpTestServer.toNtpTimestamp(T1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drops")
    void datagramsThatAreNoAnswerAreDropped(String name, RejectReason reason, Consumer<Packets> mutation) {
        Packets p = new Packets();
        mutation.accept(p);
        ReplyCheck.Dropped d = assertInstanceOf(ReplyCheck.Dropped.class, p.check(), name);
        assertEquals(reason, d.reason(), name);
        assertInstanceOf(DropReason.class, reason, name);
    }

    @Test
    void wellFormedExtensionFieldsAndMacsAreAllowedWithoutAuthentication() {
        byte[] header = new Packets().bytes();
        for (byte[] trailer : new byte[][] {PacketFieldsTest.mac(1, 16), PacketFieldsTest.mac(1, 20),
                PacketFieldsTest.field(0xF323, 28), PacketFieldsTest.field(0x0104, 1024 - 48)}) {
            byte[] b = java.util.Arrays.copyOf(header, 48 + trailer.length);
            System.arraycopy(trailer, 0, b, 48, trailer.length);
            accepted(ReplyCheck.check(b, b.length, SERVER, Packets.expect()));
        }
    }

    @Test
    void malformedExtensionFieldsAreDropped() {
        Packets p = new Packets();
        // Zero bytes after the header: a field of length 0, or too short for a MAC (52 would be a crypto-NAK).
        for (int length : new int[] {56, 60, 64, 84, 1024, 1140}) {
            p.length = length;
            ReplyCheck.Dropped d = assertInstanceOf(ReplyCheck.Dropped.class, p.check(), length + " bytes");
            assertEquals(DropReason.MALFORMED, d.reason());
        }
        p.length = 52;
        p.version = 3; // NTPv3: anything after the header is a MAC, nothing to verify it with here
        accepted(p.check());
    }

    @Test
    void aFailedAuthenticationDropsTheAnswerBeforeTheHeaderIsBelieved() {
        Packets p = new Packets();
        p.stratum = 0; // a forged KoD DENY must not stop us
        p.referenceId = SntpTestServer.asciiCode("DENY");
        byte[] b = p.bytes();
        Authenticator.Exchange refusing = new Authenticator.Exchange() {
            @Override
            public byte[] request() {
                return new byte[48];
            }

            @Override
            public Authenticator.Check verify(byte[] data, int length, PacketFields fields) {
                return Authenticator.Check.drop(DropReason.UNAUTHENTICATED, "no MAC");
            }
        };
        ReplyCheck.Dropped d = assertInstanceOf(ReplyCheck.Dropped.class,
                ReplyCheck.check(b, b.length, SERVER, Packets.expect(), refusing));
        assertEquals(DropReason.UNAUTHENTICATED, d.reason());
        assertEquals("no MAC", d.detail());
    }

    @Test
    void replyFromAnotherPortOrAddressIsDropped() {
        byte[] b = new Packets().bytes();
        for (InetSocketAddress from : new InetSocketAddress[] {
                new InetSocketAddress("127.0.0.1", 12301), new InetSocketAddress("127.0.0.2", 12300)}) {
            ReplyCheck.Dropped d =
                    assertInstanceOf(ReplyCheck.Dropped.class, ReplyCheck.check(b, b.length, from, Packets.expect()));
            assertEquals(DropReason.WRONG_SOURCE, d.reason());
        }
    }

    @Test
    void anotherCopyOfAnEarlierAnswerIsADuplicate() {
        Packets p = new Packets();
        long earlier = 0x1111_2222_3333_4444L;
        p.origin = earlier;
        ReplyCheck.Dropped d = assertInstanceOf(ReplyCheck.Dropped.class,
                p.check(Packets.expect(T1, ELAPSED, Set.of(earlier))));
        assertEquals(DropReason.DUPLICATE, d.reason());
        // The same origin when that earlier exchange was never answered: a stale reply.
        assertEquals(DropReason.ORIGIN_MISMATCH, ((ReplyCheck.Dropped) p.check()).reason());
    }

    // ---- reference ids and local clocks ----

    @Test
    void chronyLocalModeIsAcceptedAndFlagged() {
        Packets p = new Packets();
        p.stratum = 10;
        p.rootDelay = 0;
        p.rootDispersion = 0;
        p.referenceId = 0x7F7F_0101; // 127.127.1.1
        NtpSample s = accepted(p.check());
        assertTrue(s.hasLocalReference());
        assertEquals("127.127.1.1", s.referenceId().text());
        assertEquals(Duration.ZERO, s.rootDistance());
        p.referenceId = SntpTestServer.asciiCode("LOCL");
        p.stratum = 1;
        NtpSample locl = accepted(p.check());
        assertTrue(locl.hasLocalReference());
        assertEquals("LOCL", locl.referenceId().text());
    }

    @Test
    void referenceIdsAreShownAsTextAtStratumOneAndAddressesAbove() {
        assertEquals("GPS", ReplyCheck.referenceId(SntpTestServer.asciiCode("GPS"), 1).text());
        assertFalse(ReplyCheck.referenceId(SntpTestServer.asciiCode("GPS"), 1).local());
        assertEquals("71.80.83.0", ReplyCheck.referenceId(SntpTestServer.asciiCode("GPS"), 2).text());
        assertEquals("10.0.0.1", ReplyCheck.referenceId(0x0A00_0001, 3).text());
        assertEquals("LOCL", ReplyCheck.referenceId(SntpTestServer.asciiCode("LOCL"), 10).text());
        assertTrue(ReplyCheck.referenceId(SntpTestServer.asciiCode("LOCL"), 10).local());
        assertEquals("0x00ff0000", ReplyCheck.asciiCode(0x00FF_0000));
        assertEquals("", ReplyCheck.asciiCode(0));
    }
}
