package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.testkit.SntpTestServer;
import dev.pintp.ntp.testkit.SntpTestServer.Decoy;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine against {@link SntpTestServer} over real loopback UDP. */
class SntpClientLoopbackTest {
    private static final QueryOptions ONE = new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(5));
    /** Offsets are asserted on bursts: the clock filter passes over a slow first exchange of a cold JVM. */
    private static final QueryOptions BURST = ONE.withSamples(3);
    private static final QueryOptions SHORT = new QueryOptions(1, Duration.ofMillis(300), Duration.ofSeconds(5));

    private SntpTestServer server;
    private final SntpClient client = SntpClient.ofDefaults();

    @BeforeEach
    void start() {
        server = SntpTestServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
        assertEquals(List.of(), server.failures());
    }

    private QueryResult query(QueryOptions options) {
        return client.query(server.address(), options);
    }

    private static void assertOffset(Duration expected, QueryResult r) {
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        Offsets.assertOffset(expected, r.best().orElseThrow());
    }

    @Test
    void measuresAPositiveOffsetWithinHalfTheDelay() {
        server.offset(Duration.ofMillis(2500));
        QueryResult r = query(ONE.withSamples(4));
        assertOffset(Duration.ofMillis(2500), r);
        assertEquals(4, r.samples().size());
        assertEquals(4, r.exchanges());
        assertEquals(DropCounts.NONE, r.drops());
        NtpSample best = r.best().orElseThrow();
        assertTrue(r.samples().stream().allMatch(s -> s.delay().compareTo(best.delay()) >= 0));
        assertTrue(best.delay().compareTo(Duration.ofMillis(100)) < 0, best::toString);
        assertEquals(server.address(), best.server());
    }

    @Test
    void anInterruptedQueryStopsAtOnceInsteadOfSpinningThroughItsTimeouts() {
        // The socket is non-blocking: an interrupted thread's select() returns at once, so without a check the wait
        // spins at full CPU until every exchange's timeout has passed.
        server.drop(true);
        Thread.currentThread().interrupt();
        QueryResult r;
        try {
            r = query(new QueryOptions(3, Duration.ofSeconds(1), Duration.ofSeconds(5)));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt stays set for the caller (and is cleared here)");
        }
        assertEquals(Outcome.TIMEOUT, r.outcome());
        assertEquals(1, r.exchanges(), r.toString());
        assertTrue(r.detail().contains("interrupted"), r.detail());
    }

    @Test
    void measuresANegativeOffsetWithinHalfTheDelay() {
        server.offset(Duration.ofMillis(-730));
        assertOffset(Duration.ofMillis(-730), query(BURST));
    }

    @Test
    void sendsVersionFourClientRequestsWithAFreshRandomNonce() {
        Instant before = Instant.now();
        assertEquals(Outcome.OK, query(BURST).outcome());
        List<byte[]> requests = server.requests();
        assertEquals(3, requests.size());
        Set<Long> nonces = new HashSet<>();
        for (byte[] r : requests) {
            assertEquals(48, r.length);
            assertEquals(4, (r[0] >> 3) & 7, "version");
            assertEquals(3, r[0] & 7, "mode");
            ByteBuffer b = ByteBuffer.wrap(r);
            assertEquals(0L, b.getLong(16), "reference");
            assertEquals(0L, b.getLong(24), "origin");
            assertEquals(0L, b.getLong(32), "receive");
            long transmit = b.getLong(40);
            // The transmit field is a nonce, not our clock: T1 stays local.
            long nowSeconds = SntpTestServer.toNtpTimestamp(before) >>> 32;
            assertTrue(Math.abs((transmit >>> 32) - nowSeconds) > 10, "transmit timestamp looks like the clock");
            nonces.add(transmit);
        }
        assertEquals(3, nonces.size());
    }

    @Test
    void aLocalClockIn1970MeasuresAServerIn2026ExactlyNotAnOverflow() {
        Instant local = Instant.parse("1970-01-01T00:00:00Z");
        Duration behind = Duration.between(Instant.now(), local);
        SntpClient in1970 = SntpClient.custom().clock(Clock.offset(Clock.systemUTC(), behind)).build();
        QueryResult r = in1970.query(server.address(), BURST);
        assertOffset(behind.negated(), r);
        assertTrue(r.best().orElseThrow().localTransmit().isBefore(Instant.parse("1970-01-02T00:00:00Z")));
    }

    @Test
    void aLocalClockIn1970MeasuresAServerIn2100() {
        Instant now = Instant.now();
        Duration behind = Duration.between(now, Instant.parse("1970-01-01T00:00:00Z"));
        Duration ahead = Duration.between(now, Instant.parse("2100-01-01T00:00:00Z"));
        server.offset(ahead);
        SntpClient in1970 = SntpClient.custom().clock(Clock.offset(Clock.systemUTC(), behind)).build();
        assertOffset(ahead.minus(behind), in1970.query(server.address(), BURST));
    }

    @Test
    void theServersHoldTimeIsNotPartOfTheDelay() {
        server.delay(Duration.ofMillis(300)).offset(Duration.ofSeconds(-3));
        QueryResult r = query(BURST);
        assertOffset(Duration.ofSeconds(-3), r);
        assertTrue(r.best().orElseThrow().delay().compareTo(Duration.ofMillis(100)) < 0, r::toString);
        Duration roundTrip = Duration.between(r.best().orElseThrow().localTransmit(),
                r.best().orElseThrow().localReceive());
        assertTrue(roundTrip.compareTo(Duration.ofMillis(300)) >= 0, roundTrip::toString);
    }

    @Test
    void aReplyLaterThanTheTimeoutIsATimeout() {
        server.delay(Duration.ofMillis(500));
        QueryResult r = query(SHORT);
        assertEquals(Outcome.TIMEOUT, r.outcome(), r::toString);
        assertEquals(1, r.exchanges());
    }

    // ---- spoofed, stale and broken datagrams are skipped; the query still succeeds ----

    @Test
    void spoofedReplyFromAnotherPortIsSkippedAndTheQueryStillSucceeds() {
        server.decoys(Decoy.OTHER_PORT);
        QueryResult r = query(BURST);
        // The decoy is an hour ahead: accepting it would show.
        assertOffset(Duration.ZERO, r);
        assertEquals(3, r.samples().size());
    }

    @Test
    void replyWithAWrongOriginIsSkippedCountedAndTheQueryStillSucceeds() {
        server.decoys(Decoy.WRONG_ORIGIN);
        QueryResult r = query(BURST);
        assertOffset(Duration.ZERO, r);
        assertEquals(3, r.drops().originMismatch());
        assertEquals(3, r.samples().size());
    }

    @Test
    void truncatedReplyIsSkippedCountedAndTheQueryStillSucceeds() {
        server.decoys(Decoy.TRUNCATED);
        QueryResult r = query(BURST);
        assertOffset(Duration.ZERO, r);
        assertEquals(new DropCounts(3, 0, 0, 0), r.drops());
    }

    @Test
    void allDecoysAtOnceAreSkipped() {
        server.decoys(Decoy.values()).offset(Duration.ofMillis(2500));
        QueryResult r = query(BURST);
        assertOffset(Duration.ofMillis(2500), r);
        assertEquals(new DropCounts(3, 0, 3, 0), r.drops());
    }

    @Test
    void duplicateRepliesAreDroppedAndCounted() {
        server.duplicates(1);
        QueryResult r = query(BURST);
        assertOffset(Duration.ZERO, r);
        assertEquals(3, r.samples().size());
        // The copies of the first two answers arrive during the next exchange; the last one after the query.
        assertEquals(new DropCounts(0, 0, 0, 2), r.drops());
    }

    static Stream<Arguments> nothingButBadDatagrams() {
        return Stream.of(
                Arguments.of("only from another port", (Consumer<SntpTestServer>) s -> s.fromOtherPort(true),
                        DropCounts.NONE),
                Arguments.of("only wrong origins", (Consumer<SntpTestServer>) s -> s.wrongOrigin(true),
                        new DropCounts(0, 0, 2, 0)),
                Arguments.of("only 47 bytes", (Consumer<SntpTestServer>) s -> s.truncateTo(47),
                        new DropCounts(2, 0, 0, 0)),
                Arguments.of("only 50 bytes", (Consumer<SntpTestServer>) s -> s.truncateTo(50),
                        new DropCounts(2, 0, 0, 0)),
                Arguments.of("no reply", (Consumer<SntpTestServer>) s -> s.drop(true), DropCounts.NONE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nothingButBadDatagrams")
    void withNoValidAnswerTheQueryTimesOutAfterEveryExchange(String name, Consumer<SntpTestServer> script,
            DropCounts drops) {
        script.accept(server);
        QueryResult r = query(SHORT.withSamples(2));
        assertEquals(Outcome.TIMEOUT, r.outcome(), r::toString);
        assertEquals(2, r.exchanges());
        assertEquals(2, server.requestCount());
        assertEquals(drops, r.drops());
        assertTrue(r.best().isEmpty());
    }

    @Test
    void aDroppedFirstRequestCostsOneExchangeOfTheBurst() {
        server.dropFirst(1).offset(Duration.ofMillis(2500));
        QueryResult r = query(SHORT.withSamples(4));
        assertOffset(Duration.ofMillis(2500), r);
        assertEquals(4, r.exchanges());
        assertEquals(3, r.samples().size());
    }

    // ---- refusals ----

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("leap indicator 3", RefusalReason.UNSYNCHRONIZED,
                        (Consumer<SntpTestServer>) s -> s.leap(3)),
                Arguments.of("stratum 16", RefusalReason.BAD_STRATUM, (Consumer<SntpTestServer>) s -> s.stratum(16)),
                Arguments.of("version 2", RefusalReason.BAD_VERSION, (Consumer<SntpTestServer>) s -> s.version(2)),
                Arguments.of("mode 5", RefusalReason.BAD_MODE, (Consumer<SntpTestServer>) s -> s.mode(5)),
                Arguments.of("zero transmit", RefusalReason.ZERO_TRANSMIT,
                        (Consumer<SntpTestServer>) s -> s.zeroTransmit(true)),
                Arguments.of("zero reference time", RefusalReason.BAD_TIMESTAMP,
                        (Consumer<SntpTestServer>) s -> s.rawReferenceTime(0)),
                Arguments.of("server clock in 1969", RefusalReason.BAD_TIMESTAMP,
                        (Consumer<SntpTestServer>) s -> s.offset(
                                Duration.between(Instant.now(), Instant.parse("1969-07-20T20:17:40Z")))),
                Arguments.of("receive after transmit", RefusalReason.RECEIVE_AFTER_TRANSMIT,
                        (Consumer<SntpTestServer>) s -> s.receiveAfterTransmit(true)),
                Arguments.of("reference time in the future", RefusalReason.REFERENCE_AFTER_TRANSMIT,
                        (Consumer<SntpTestServer>) s -> s.referenceTime(Instant.now().plusSeconds(3600))),
                Arguments.of("root dispersion 6 s", RefusalReason.ROOT_DISTANCE_TOO_LARGE,
                        (Consumer<SntpTestServer>) s -> s.rootDispersion(Duration.ofSeconds(6))),
                Arguments.of("root delay 12 s", RefusalReason.ROOT_DISTANCE_TOO_LARGE,
                        (Consumer<SntpTestServer>) s -> s.rootDelay(Duration.ofSeconds(12))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void unfitAnswersAreRefusedWithTheirReason(String name, RejectReason reason, Consumer<SntpTestServer> script) {
        script.accept(server);
        QueryResult r = query(ONE.withSamples(2));
        assertEquals(Outcome.REJECTED, r.outcome(), r::toString);
        assertEquals(reason, r.reason().orElseThrow());
        assertEquals(2, r.exchanges());
        assertTrue(r.samples().isEmpty());
        assertTrue(r.kissCode().isEmpty());
        assertNotEquals("", r.detail());
    }

    @Test
    void aSmallerRootDistanceLimitIsHonoured() {
        server.rootDelay(Duration.ofMillis(400)).rootDispersion(Duration.ofMillis(900));
        assertEquals(Outcome.OK, query(ONE).outcome());
        QueryResult r = query(new QueryOptions(1, Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertEquals(RefusalReason.ROOT_DISTANCE_TOO_LARGE, r.reason().orElseThrow());
    }

    @Test
    void kissOfDeathRateStopsTheBurstAndTellsTheCallerToBackOff() {
        server.kissOfDeath("RATE");
        QueryResult r = query(ONE.withSamples(4));
        assertEquals(Outcome.KISS, r.outcome());
        assertEquals(RefusalReason.KISS_OF_DEATH, r.reason().orElseThrow());
        assertTrue(r.kissCode().orElseThrow().isRate());
        assertEquals(1, r.exchanges());
        assertEquals(1, server.requestCount());
    }

    @Test
    void kissOfDeathDenyAndRstrMeanStop() {
        for (String code : List.of("DENY", "RSTR")) {
            server.kissOfDeath(code);
            QueryResult r = query(ONE);
            assertEquals(Outcome.KISS, r.outcome());
            assertEquals(code, r.kissCode().orElseThrow().code());
            assertTrue(r.kissCode().orElseThrow().isDenial());
        }
    }

    @Test
    void kissOfDeathWithAWrongOriginDoesNotCount() {
        QueryResult good = query(ONE);
        assertEquals(Outcome.OK, good.outcome());
        server.kissOfDeath("RATE").wrongOrigin(true);
        QueryResult spoofedKiss = query(SHORT);
        assertEquals(Outcome.TIMEOUT, spoofedKiss.outcome(), "a KoD with a wrong origin must not count");
        assertEquals(1, spoofedKiss.drops().originMismatch());
    }

    @Test
    void chronyInLocalModeIsAcceptedAndFlaggedAsALocalClock() throws IOException {
        server.localClock(10).referenceId((java.net.Inet4Address) InetAddress.getByName("127.127.1.1"));
        QueryResult r = query(ONE);
        assertEquals(Outcome.OK, r.outcome(), r::toString);
        NtpSample s = r.best().orElseThrow();
        assertTrue(s.hasLocalReference());
        assertEquals(Duration.ZERO, s.rootDistance());
        assertEquals(10, s.stratum());
        server.referenceId("LOCL").stratum(1);
        assertTrue(query(ONE).best().orElseThrow().hasLocalReference());
    }

    @Test
    void headerFieldsReachTheSample() {
        server.stratum(1).referenceId("GPS").leap(1).version(3).poll(4).precision(-23)
                .rootDelay(Duration.ofMillis(250)).rootDispersion(Duration.ofMillis(500))
                .referenceTime(Instant.parse("2026-01-01T00:00:00Z"));
        NtpSample s = query(ONE).best().orElseThrow();
        assertEquals(1, s.stratum());
        assertEquals("GPS", s.referenceId().text());
        assertEquals(LeapIndicator.INSERT_SECOND, s.leap());
        assertEquals(3, s.version());
        assertEquals(4, s.poll());
        assertEquals(-23, s.precision());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), s.referenceTime());
        // 16.16 fixed point: 250 ms and 500 ms are whole multiples of 1/65536 s.
        assertEquals(Duration.ofMillis(250), s.rootDelay());
        assertEquals(Duration.ofMillis(500), s.rootDispersion());
        assertEquals(s.rootDelay().dividedBy(2).plus(s.rootDispersion()), s.rootDistance());
        assertTrue(s.synchronizationDistance().compareTo(s.rootDistance()) > 0);
    }

    // ---- network errors are outcomes ----

    @Test
    void aClosedPortIsUnreachableNotAnException() throws IOException {
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            port = s.getLocalPort();
        }
        QueryResult r = client.query(new InetSocketAddress("127.0.0.1", port), ONE.withSamples(3));
        assertEquals(Outcome.UNREACHABLE, r.outcome(), r::toString);
        assertEquals(1, r.exchanges(), "the burst stops at the first ICMP error");
        assertTrue(r.detail().contains("unreachable"), r.detail());
    }

    @Test
    void queriesAnIpv6LoopbackServer() throws IOException {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        SntpTestServer six;
        try {
            six = SntpTestServer.start(Clock.systemUTC(), v6);
        } catch (IllegalStateException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getCause());
            return;
        }
        try (six) {
            six.offset(Duration.ofMillis(-730));
            assertOffset(Duration.ofMillis(-730), client.query(six.address(), BURST));
        }
    }

    @Test
    void anUnresolvedNameIsAnOutcomeAndSendsNothing() {
        QueryResult r = client.query(InetSocketAddress.createUnresolved("ntp.invalid", 123), ONE);
        assertEquals(Outcome.UNRESOLVED, r.outcome());
        assertEquals(0, r.exchanges());
    }
}
