package dev.pintp.ntp.internal;

import static dev.pintp.ntp.internal.Packets.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.DropCounts;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The engine's exchange loop on a scripted fake transport and a fake ticker: every datagram, its source, and the
 * passing of time are under the test's control.
 */
class UdpSntpClientTest {
    private static final Instant NOW = Instant.parse("2026-11-25T05:00:00Z");
    private static final QueryOptions ONE = new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5));

    /** A fake ticker that advances only when the fake transport says time passed. */
    private static final class Ticker implements LongSupplier {
        long nanos = 1_000_000_000L;

        @Override
        public long getAsLong() {
            return nanos;
        }
    }

    /** What the fake network does in answer to one request. */
    private interface Script {
        List<Object> answer(long nonce);
    }

    /** A reply arriving after {@code afterNanos} from {@code source}. */
    private record Datagram(byte[] data, InetSocketAddress source, long afterNanos) {
    }

    /**
     * A transport whose connection answers each request with the script's datagrams (or IOExceptions), advancing
     * the ticker by each datagram's delay; when the script runs dry, receive() waits out the timeout.
     */
    private static final class FakeTransport implements DatagramTransport {
        final Ticker ticker;
        final List<Script> scripts;
        final List<byte[]> sent = new ArrayList<>();
        int connections;
        int closed;

        FakeTransport(Ticker ticker, List<Script> scripts) {
            this.ticker = ticker;
            this.scripts = scripts;
        }

        @Override
        public Connection connect(InetSocketAddress server) {
            connections++;
            Deque<Object> pending = new ArrayDeque<>();
            return new Connection() {
                @Override
                public void send(byte[] data) {
                    sent.add(data.clone());
                    long nonce = ByteBuffer.wrap(data).getLong(40);
                    pending.addAll(scripts.get(Math.min(sent.size(), scripts.size()) - 1).answer(nonce));
                }

                @Override
                public Received receive(byte[] buffer, long timeoutNanos) throws IOException {
                    Object next = pending.poll();
                    if (next == null) {
                        ticker.nanos += timeoutNanos;
                        return null;
                    }
                    if (next instanceof IOException e) {
                        throw e;
                    }
                    Datagram d = (Datagram) next;
                    if (d.afterNanos() > timeoutNanos) {
                        ticker.nanos += timeoutNanos;
                        pending.clear();
                        return null;
                    }
                    ticker.nanos += d.afterNanos();
                    System.arraycopy(d.data(), 0, buffer, 0, Math.min(d.data().length, buffer.length));
                    return new Received(d.data().length, d.source());
                }

                @Override
                public void close() {
                    closed++;
                }
            };
        }
    }

    /** A reply by a server {@code offset} ahead, taking {@code roundTrip} in total, of which 0 s in the server. */
    private static Datagram reply(long nonce, Duration offset, long roundTripNanos, InetSocketAddress from) {
        return reply(nonce, offset, roundTripNanos, roundTripNanos, from);
    }

    /** As above, arriving {@code afterNanos} after the previous datagram, {@code roundTripNanos} after the request. */
    private static Datagram reply(long nonce, Duration offset, long roundTripNanos, long afterNanos,
            InetSocketAddress from) {
        Packets p = new Packets();
        Instant t = NOW.plus(offset).plusNanos(roundTripNanos / 2);
        p.origin = nonce;
        p.receive = SntpTestServer.toNtpTimestamp(t);
        p.transmit = p.receive;
        p.reference = SntpTestServer.toNtpTimestamp(t.minusSeconds(10));
        return new Datagram(p.bytes(), from, afterNanos);
    }

    private static Datagram kiss(long nonce, String code) {
        Packets p = new Packets();
        p.origin = nonce;
        p.stratum = 0;
        p.leap = 3;
        p.referenceId = SntpTestServer.asciiCode(code);
        return new Datagram(p.bytes(), SERVER, 1_000_000);
    }

    private static QueryResult run(FakeTransport transport, LongSupplier nonces, QueryOptions options) {
        UdpSntpClient client = new UdpSntpClient(Clock.fixed(NOW, ZoneOffset.UTC), transport.ticker, nonces,
                transport, Duration.ofSeconds(3), Duration.ofNanos(1000));
        return client.query(SERVER, options);
    }

    private static LongSupplier counting() {
        long[] n = {100};
        return () -> n[0]++;
    }

    @Test
    void wrongSourceIsDroppedCountedAndTheExchangeKeepsWaiting() {
        InetSocketAddress spoofer = new InetSocketAddress("127.0.0.1", SERVER.getPort() + 1);
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                reply(nonce, Duration.ofHours(1), 1_000_000, spoofer),
                reply(nonce, Duration.ofHours(1), 2_000_000, new InetSocketAddress("127.0.0.9", SERVER.getPort())),
                reply(nonce, Duration.ofMillis(2500), 7_000_000, 4_000_000, SERVER))));
        QueryResult r = run(t, counting(), ONE);
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        assertEquals(Duration.ofMillis(2500), r.best().orElseThrow().offset());
        assertEquals(new DropCounts(0, 2, 0, 0), r.drops());
        // The round trip is measured up to the genuine reply: 1 + 2 + 4 ms.
        assertEquals(Duration.ofMillis(7), r.best().orElseThrow().delay());
    }

    @Test
    void dropsDoNotExtendTheDeadline() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                reply(nonce + 1, Duration.ZERO, 600_000_000, SERVER),
                reply(nonce + 2, Duration.ZERO, 300_000_000, SERVER),
                reply(nonce, Duration.ZERO, 200_000_000, SERVER))));
        QueryResult r = run(t, counting(), ONE);
        // 600 + 300 ms of drops leave 100 ms: the genuine reply at 200 ms is too late.
        assertEquals(Outcome.TIMEOUT, r.outcome(), r::toString);
        assertEquals(2, r.drops().originMismatch());
        assertEquals(2_000_000_000L, t.ticker.nanos);
    }

    @Test
    void clockFilterKeepsTheMinimumDelaySampleOfTheBurst() {
        // A cold first exchange: 40 ms, 2 ms asymmetric; then 1 ms exchanges.
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(reply(nonce, Duration.ofMillis(20), 40_000_000, SERVER)),
                nonce -> List.of(reply(nonce, Duration.ofMillis(2), 1_000_000, SERVER)),
                nonce -> List.of(reply(nonce, Duration.ofMillis(1), 3_000_000, SERVER)),
                nonce -> List.of(reply(nonce, Duration.ofMillis(3), 2_000_000, SERVER))));
        QueryResult r = run(t, counting(), ONE.withSamples(4));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals(4, r.samples().size());
        NtpSample best = r.best().orElseThrow();
        assertEquals(Duration.ofMillis(1), best.delay());
        assertEquals(Duration.ofMillis(2), best.offset());
        // sqrt((18^2 + 1^2 + 1^2) / 3) ms = 10.424331 ms
        assertEquals(Duration.ofNanos(10_424_331), r.jitter());
        assertEquals(1, t.connections, "one socket per query");
        assertEquals(1, t.closed);
    }

    @Test
    void eachExchangeSendsAFreshNonceAndZeroIsNeverUsed() {
        long[] values = {0, 7, 0, 0, 9};
        int[] i = {0};
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                reply(nonce, Duration.ZERO, 1_000_000, SERVER))));
        QueryResult r = run(t, () -> values[i[0]++], ONE.withSamples(2));
        assertEquals(2, r.samples().size());
        assertEquals(7L, ByteBuffer.wrap(t.sent.get(0)).getLong(40));
        assertEquals(9L, ByteBuffer.wrap(t.sent.get(1)).getLong(40));
    }

    @Test
    void aLateCopyOfAnEarlierAnswerIsADuplicate() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(reply(nonce, Duration.ZERO, 1_000_000, SERVER)),
                nonce -> List.of(reply(nonce - 1, Duration.ZERO, 1_000_000, SERVER),
                        reply(nonce, Duration.ZERO, 1_000_000, SERVER))));
        QueryResult r = run(t, counting(), ONE.withSamples(2));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals(2, r.samples().size());
        assertEquals(new DropCounts(0, 0, 0, 1), r.drops());
    }

    @Test
    void aLateAnswerToATimedOutRequestCountsTimedFromThatRequest() {
        // Request 1 (nonce 100) gets no answer within its 1 s; its answer arrives 200 ms into request 2's wait,
        // 1.2 s after it was sent; request 2's own answer follows 1 ms later. Both count, each with its own delay.
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(),
                nonce -> List.of(reply(nonce - 1, Duration.ofMillis(40), 1_200_000_000L, 200_000_000L, SERVER),
                        reply(nonce, Duration.ofMillis(40), 201_000_000L, 1_000_000L, SERVER))));
        QueryResult r = run(t, counting(), ONE.withSamples(2));
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        assertEquals(List.of(Duration.ofMillis(1200), Duration.ofMillis(201)),
                r.samples().stream().map(NtpSample::delay).toList());
        assertEquals(List.of(Duration.ofMillis(40), Duration.ofMillis(40)),
                r.samples().stream().map(NtpSample::offset).toList());
        assertEquals(DropCounts.NONE, r.drops());
        assertEquals(2, r.exchanges());
    }

    @Test
    void aLateAnswerToARequestNeverSentIsStillAnOriginMismatch() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(),
                nonce -> List.of(reply(nonce + 1, Duration.ZERO, 1_000_000, SERVER),
                        reply(nonce, Duration.ZERO, 1_000_000, SERVER))));
        QueryResult r = run(t, counting(), ONE.withSamples(2));
        assertEquals(1, r.samples().size());
        assertEquals(new DropCounts(0, 0, 1, 0), r.drops());
    }

    @Test
    void aLateKissOfDeathToATimedOutRequestStopsTheBurst() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(),
                nonce -> List.of(kiss(nonce - 1, "RATE"))));
        QueryResult r = run(t, counting(), ONE.withSamples(4));
        assertEquals(Outcome.KISS, r.outcome(), r::toString);
        assertEquals(2, t.sent.size(), "no request after the kiss");
    }

    @Test
    void kissOfDeathWinsOverEarlierSamplesAndStopsTheBurst() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(reply(nonce, Duration.ZERO, 1_000_000, SERVER)),
                nonce -> List.of(kiss(nonce, "RATE"))));
        QueryResult r = run(t, counting(), ONE.withSamples(4));
        assertEquals(Outcome.KISS, r.outcome());
        assertEquals("RATE", r.kissCode().orElseThrow().code());
        assertEquals(1, r.samples().size());
        assertEquals(2, r.exchanges());
        assertEquals(2, t.sent.size());
    }

    @Test
    void portUnreachableMidBurstKeepsTheSamplesSoFar() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(reply(nonce, Duration.ZERO, 1_000_000, SERVER)),
                nonce -> List.of(new PortUnreachableException("ICMP"))));
        QueryResult r = run(t, counting(), ONE.withSamples(4));
        assertEquals(Outcome.OK, r.outcome());
        assertEquals(2, r.exchanges());
        assertEquals(1, r.samples().size());
        assertEquals(1, t.closed);
    }

    @Test
    void networkErrorsAreOutcomes() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> List.of(new NoRouteToHostException("No route to host"))));
        QueryResult r = run(t, counting(), ONE);
        assertEquals(Outcome.UNREACHABLE, r.outcome());
        assertTrue(r.detail().contains("No route to host"), r.detail());

        DatagramTransport failing = server -> {
            throw new IOException("Address family not supported by protocol");
        };
        UdpSntpClient client = new UdpSntpClient(Clock.systemUTC(), System::nanoTime, counting(), failing,
                Duration.ofSeconds(3), Duration.ZERO);
        QueryResult r2 = client.query(SERVER, ONE);
        assertEquals(Outcome.UNREACHABLE, r2.outcome());
        assertEquals(0, r2.exchanges());
    }

    @Test
    void unsupportedAddressFamiliesAreOutcomesNotUncheckedExceptions() {
        // DatagramChannel.open(INET6) on a kernel without IPv6 throws UnsupportedOperationException; connecting a
        // channel to an address of the other family throws UnsupportedAddressTypeException.
        for (RuntimeException thrown : List.of(new UnsupportedOperationException("IPv6 not available"),
                new java.nio.channels.UnsupportedAddressTypeException())) {
            DatagramTransport failing = server -> {
                throw thrown;
            };
            UdpSntpClient client = new UdpSntpClient(Clock.systemUTC(), System::nanoTime, counting(), failing,
                    Duration.ofSeconds(3), Duration.ZERO);
            QueryResult r = client.query(SERVER, ONE);
            assertEquals(Outcome.UNREACHABLE, r.outcome());
            assertTrue(r.detail().startsWith(thrown.getClass().getSimpleName()), r.detail());
        }
    }

    @Test
    void everyRefusalIsKeptAndTheFirstDecidesWhenNoExchangeSucceeded() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(
                nonce -> {
                    Packets p = new Packets();
                    p.origin = nonce;
                    p.leap = 3;
                    return List.of(new Datagram(p.bytes(), SERVER, 1_000_000));
                },
                nonce -> {
                    Packets p = new Packets();
                    p.origin = nonce;
                    p.stratum = 16;
                    return List.of(new Datagram(p.bytes(), SERVER, 1_000_000));
                }));
        QueryResult r = run(t, counting(), ONE.withSamples(2));
        assertEquals(Outcome.REJECTED, r.outcome());
        assertEquals(RefusalReason.UNSYNCHRONIZED, r.reason().orElseThrow());
        assertEquals(List.of(RefusalReason.UNSYNCHRONIZED, RefusalReason.BAD_STRATUM), r.reasons());
        assertEquals(2, r.exchanges());
    }

    @Test
    void anAbsurdlyLongTimeoutDoesNotOverflow() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                reply(nonce, Duration.ofMillis(5), 1_000_000, SERVER))));
        QueryResult r = run(t, counting(), new QueryOptions(1, Duration.ofDays(365 * 1000), Duration.ofSeconds(5)));
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        assertEquals(Long.MAX_VALUE / 2, UdpSntpClient.saturatedNanos(Duration.ofDays(365 * 1000)));
        assertEquals(5L, UdpSntpClient.saturatedNanos(Duration.ofNanos(5)));
    }

    @Test
    void builderRejectsBadValuesAtOnce() {
        assertThrows(IllegalArgumentException.class,
                () -> dev.pintp.ntp.SntpClient.custom().maxDelay(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> dev.pintp.ntp.SntpClient.custom().localPrecision(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> dev.pintp.ntp.SntpClient.custom().clock(null));
        assertNotEquals(null, dev.pintp.ntp.SntpClient.custom().build());
    }

    // ---- symmetric keys: forged answers are dropped, counted, and never used ----

    private static final dev.pintp.ntp.NtpKey KEY = SymmetricKeyAuthenticatorTest.key(dev.pintp.ntp.NtpKeyType.AES128, 1);
    private static final QueryOptions KEYED = ONE.withAuth(dev.pintp.ntp.NtpAuth.symmetricKey(KEY));

    private static Datagram signed(Datagram d, dev.pintp.ntp.NtpKey key) {
        return new Datagram(new SymmetricKeyAuthenticator(key).begin(d.data()).request(), d.source(), d.afterNanos());
    }

    @Test
    void aKeyedRequestCarriesTheKeyIdAndMac() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                signed(reply(nonce, Duration.ofMillis(3), 1_000_000, SERVER), KEY))));
        QueryResult r = run(t, counting(), KEYED);
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        assertEquals(Duration.ofMillis(3), r.best().orElseThrow().offset());
        assertEquals(68, t.sent.get(0).length);
        assertEquals(1, ByteBuffer.wrap(t.sent.get(0)).getInt(48));
    }

    @Test
    void forgedAnswersAreDroppedAndTheGenuineOneStillCounts() {
        dev.pintp.ntp.NtpKey otherKey = SymmetricKeyAuthenticatorTest.key(dev.pintp.ntp.NtpKeyType.AES128, 2);
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(
                reply(nonce, Duration.ofSeconds(5), 1_000_000, SERVER),
                signed(reply(nonce, Duration.ofSeconds(5), 2_000_000, SERVER), otherKey),
                reply(nonce, Duration.ofMillis(3), 3_000_000, SERVER) /* no MAC */,
                signed(reply(nonce, Duration.ofMillis(3), 10_000_000, 4_000_000, SERVER), KEY))));
        QueryResult r = run(t, counting(), KEYED);
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        assertEquals(Duration.ofMillis(3), r.best().orElseThrow().offset());
        assertEquals(new DropCounts(0, 0, 0, 0, 0, 3), r.drops());
    }

    @Test
    void aQueryWithOnlyForgedAnswersIsRejectedWithTheReason() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> {
            Datagram d = signed(reply(nonce, Duration.ofMillis(3), 1_000_000, SERVER), KEY);
            d.data()[41] ^= 1; // the on-path attacker shifts the transmit timestamp
            return List.of(d);
        }));
        QueryResult r = run(t, counting(), KEYED.withSamples(2));
        assertEquals(Outcome.REJECTED, r.outcome(), r::toString);
        assertEquals(List.of(DropReason.BAD_MAC), r.reasons(), "each reason once");
        assertEquals(2, r.drops().authFailed());
        assertEquals("2 answer(s) failed authentication, none authentic: the MAC under key 1 does not verify",
                r.detail());
        assertTrue(r.samples().isEmpty());
    }

    @Test
    void anUnauthenticatedKissOfDeathDoesNotStopAKeyedQuery() {
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of(kiss(nonce, "DENY"))));
        QueryResult r = run(t, counting(), KEYED);
        assertEquals(Outcome.REJECTED, r.outcome(), r::toString);
        assertEquals(DropReason.UNAUTHENTICATED, r.reason().orElseThrow());
        assertTrue(r.kissCode().isEmpty());
    }

    @Test
    void aSha256KeyIsSentAsNtpv3WithTheFullDigest() {
        dev.pintp.ntp.NtpKey sha = SymmetricKeyAuthenticatorTest.key(dev.pintp.ntp.NtpKeyType.SHA256, 3);
        FakeTransport t = new FakeTransport(new Ticker(), List.of(nonce -> List.of()));
        run(t, counting(), ONE.withAuth(dev.pintp.ntp.NtpAuth.symmetricKey(sha)));
        assertEquals(48 + 36, t.sent.get(0).length);
        assertEquals(3, (t.sent.get(0)[0] >> 3) & 7);
    }
}
