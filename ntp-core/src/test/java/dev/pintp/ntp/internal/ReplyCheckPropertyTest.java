package dev.pintp.ntp.internal;

import static dev.pintp.ntp.internal.Packets.NONCE;
import static dev.pintp.ntp.internal.Packets.SERVER;
import static dev.pintp.ntp.internal.Packets.T1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpSample;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Random and mutated datagrams thrown at decoding and validation: nothing escapes as an exception, and whatever is
 * accepted is checked against an independent oracle that reads the raw bytes with its own arithmetic.
 */
class ReplyCheckPropertyTest {
    private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000L);
    private static final BigInteger UNIX_EPOCH_NANOS = BigInteger.valueOf(2_208_988_800L).multiply(BILLION);

    @Property(tries = 3000)
    void randomDatagramsNeverThrowAndAreNeverAccepted(@ForAll @Size(max = 1100) byte[] data,
            @ForAll @IntRange(min = 0, max = 1100) int length, @ForAll boolean fromServer) {
        byte[] buffer = Arrays.copyOf(data, ReplyCheck.MAX_LENGTH + 4);
        int len = Math.min(length, buffer.length);
        InetSocketAddress from = fromServer ? SERVER : new InetSocketAddress("127.0.0.1", 1);
        ReplyCheck.Result r = ReplyCheck.check(buffer, len, from, Packets.expect());
        // 64 random bits never equal the nonce in practice: a random datagram is never an answer.
        assertTrue(r instanceof ReplyCheck.Dropped, () -> String.valueOf(r));
    }

    /** A valid reply with 1 to 4 random byte overwrites, sometimes a bit flip in the timestamps, maybe resized. */
    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<List<Tuple.Tuple2<Integer, Integer>>> writes = Combinators.combine(
                Arbitraries.integers().between(0, 47), Arbitraries.integers().between(0, 255)).as(Tuple::of)
                .list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Integer> lengths = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(48)),
                Tuple.of(1, Arbitraries.integers().between(0, 60)),
                Tuple.of(1, Arbitraries.of(52, 68, 120, 1024, 1028)));
        return Combinators.combine(writes, lengths).as((w, len) -> {
            byte[] b = Arrays.copyOf(new Packets().bytes(), ReplyCheck.MAX_LENGTH + 4);
            for (Tuple.Tuple2<Integer, Integer> t : w) {
                // Mostly keep the origin intact, so that the later rules are exercised.
                if (t.get1() >= 24 && t.get1() < 32 && t.get2() % 8 != 0) {
                    continue;
                }
                b[t.get1()] = (byte) (int) t.get2();
            }
            return Arrays.copyOf(b, len);
        });
    }

    @Property(tries = 5000)
    void mutatedRepliesAreAcceptedOnlyWhenEveryRuleHolds(@ForAll("mutated") byte[] datagram,
            @ForAll @IntRange(min = 0, max = 4_000_000) int elapsedMicros) {
        long elapsed = elapsedMicros * 1000L;
        byte[] buffer = Arrays.copyOf(datagram, ReplyCheck.MAX_LENGTH + 4);
        ReplyCheck.Result r = ReplyCheck.check(buffer, datagram.length, SERVER,
                Packets.expect(T1, elapsed, java.util.Set.of()));
        Statistics.label("result").collect(r.getClass().getSimpleName());
        Statistics.label("result").coverage(c -> {
            c.check("Accepted").percentage(p -> p > 5);
            c.check("Refused").percentage(p -> p > 20);
            c.check("Dropped").percentage(p -> p > 5);
        });
        if (r instanceof ReplyCheck.Accepted a) {
            assertOracleAccepts(datagram, elapsed, a.sample());
        }
    }

    @Property(tries = 500)
    void unmutatedRepliesAreAlwaysAccepted(@ForAll @IntRange(min = 19_000, max = 3_001_000) int elapsedMicros) {
        byte[] b = new Packets().bytes();
        assertTrue(ReplyCheck.check(b, b.length, SERVER, Packets.expect(T1, elapsedMicros * 1000L, java.util.Set.of()))
                instanceof ReplyCheck.Accepted);
    }

    private static void assertOracleAccepts(byte[] d, long elapsed, NtpSample s) {
        int len = d.length;
        // up to chrony's 1140 bytes: a version 3 answer may carry any trailer after its header (PacketFields)
        assertTrue(len >= 48 && len <= ReplyCheck.MAX_LENGTH && len % 4 == 0, "length " + len);
        ByteBuffer b = ByteBuffer.wrap(d);
        int li = (d[0] >> 6) & 3;
        int version = (d[0] >> 3) & 7;
        int mode = d[0] & 7;
        int stratum = d[1] & 0xFF;
        assertEquals(4, mode);
        assertTrue(version == 3 || version == 4, "version " + version);
        assertTrue(li != 3, "leap 3");
        assertTrue(stratum >= 1 && stratum <= 15, "stratum " + stratum);
        assertEquals(NONCE, b.getLong(24), "origin");
        long ref = b.getLong(16);
        long rx = b.getLong(32);
        long tx = b.getLong(40);
        assertTrue(ref != 0 && rx != 0 && tx != 0, "zero timestamp");
        BigInteger t2 = window(rx);
        BigInteger t3 = window(tx);
        assertTrue(t2.compareTo(UNIX_EPOCH_NANOS) >= 0 && t3.compareTo(UNIX_EPOCH_NANOS) >= 0, "pre-1970");
        assertTrue(t2.compareTo(t3) <= 0, "receive after transmit");
        assertTrue(window(ref).compareTo(t3) <= 0, "reference after transmit");
        BigInteger delay = BigInteger.valueOf(elapsed).subtract(t3.subtract(t2));
        assertTrue(delay.compareTo(BigInteger.valueOf(-15_626_000L)) >= 0, "negative delay " + delay);
        assertTrue(delay.compareTo(BigInteger.valueOf(3_000_000_000L)) <= 0, "delay " + delay);
        assertTrue(!s.delay().isNegative() && s.delay().compareTo(Duration.ofSeconds(3)) <= 0);
        double rootDelay = (b.getInt(4) & 0xFFFF_FFFFL) / 65536.0;
        double rootDispersion = (b.getInt(8) & 0xFFFF_FFFFL) / 65536.0;
        assertTrue(rootDelay / 2 + rootDispersion <= 5.0 + 1e-9, "root distance");
        // offset = ((T2 - T1) + (T3 - T4)) / 2, rounded up to the nanosecond
        BigInteger t1 = UNIX_EPOCH_NANOS.add(BigInteger.valueOf(T1.getEpochSecond()).multiply(BILLION));
        BigInteger twice = t2.subtract(t1).add(t3.subtract(t1.add(BigInteger.valueOf(elapsed))));
        BigInteger[] qr = twice.divideAndRemainder(BigInteger.TWO);
        BigInteger expected = qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        BigInteger actual = BigInteger.valueOf(s.offset().getSeconds()).multiply(BILLION)
                .add(BigInteger.valueOf(s.offset().getNano()));
        assertEquals(expected, actual);
    }

    /** RFC 4330 section 3 window, nanoseconds since 1900 rounded to nearest, with unbounded integers. */
    private static BigInteger window(long raw) {
        BigInteger seconds = BigInteger.valueOf(raw >>> 32);
        if ((raw >>> 63) == 0) {
            seconds = seconds.add(BigInteger.ONE.shiftLeft(32));
        }
        BigInteger fraction = BigInteger.valueOf(raw & 0xFFFF_FFFFL);
        BigInteger fracNanos = fraction.multiply(BILLION).add(BigInteger.ONE.shiftLeft(31)).shiftRight(32);
        return seconds.multiply(BILLION).add(fracNanos);
    }
}
