package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DropCounts;
import dev.pintp.ntp.LeapIndicator;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.ReferenceId;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.internal.SourceSelector;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each verdict reason as the table, JSON and Nagios show it, from hand-built reports decided by the real
 * {@link SourceSelector}: exact values, nothing measured.
 */
class VerdictOutputTest {
    private static final Instant T0 = Instant.parse("2026-11-25T06:00:00Z");
    private static final NtpServer PI = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
    private static final NtpServer POOL = new NtpServer("pool.test", 123, NtpServer.Role.FALLBACK);
    private static final NtpConfig CONFIG = NtpConfig.custom().primaries(List.of(PI)).fallbacks(List.of(POOL))
            .build();
    private static final Thresholds NONE = new Thresholds(Optional.empty(), Optional.empty());

    private static InetSocketAddress addr(int a, int b, int c, int d) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c,
                    (byte) d}), 123);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static final InetSocketAddress PI_AT = addr(192, 168, 4, 2);
    private static final InetSocketAddress P1 = addr(198, 51, 100, 1);

    private static SourceReport answer(NtpServer server, InetSocketAddress a, Duration offset) {
        NtpSample s = new NtpSample(a, offset, Duration.ofMillis(2), 1, LeapIndicator.NONE, 4, 6, -20,
                new ReferenceId(0x4c4f434c, "LOCL", true), T0, Duration.ZERO, Duration.ofMillis(1),
                Duration.ofMillis(1), Duration.ofMillis(3), T0, T0.plusMillis(2));
        QueryResult q = new QueryResult(a, Outcome.OK, Optional.of(s), List.of(s), List.of(), Optional.empty(),
                Duration.ZERO, 4, DropCounts.NONE, "4 of 4 exchanges valid");
        return new SourceReport(server, Optional.of(a), Outcome.OK, List.of(), Optional.of(q));
    }

    private static CheckResult decide(SourceReport... reports) {
        return SourceSelector.decide(List.of(reports), CONFIG, T0, Duration.ofMillis(5));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reasonOf(CheckResult r) {
        return (Map<String, Object>) Json.object(JsonFormat.render(r)).get("verdictReason");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> source(CheckResult r, int i) {
        return ((List<Map<String, Object>>) Json.object(JsonFormat.render(r)).get("sources")).get(i);
    }

    @Test
    void thisClockOffAgainstThePiZero() {
        CheckResult r = decide(answer(PI, PI_AT, Duration.ofMillis(1250)), new SourceReport(POOL, Optional.of(P1),
                Outcome.TIMEOUT, List.of(), Optional.empty(), "no answer"));
        String message = "this clock is +1.250 s off against 192.168.4.2 (limit 0.128 s)";
        assertTrue(TableFormat.render(r, NONE, null).endsWith("\nVerdict: UNSYNCHRONIZED: " + message + "\n"),
                TableFormat.render(r, NONE, null));
        assertTrue(java.util.regex.Pattern.compile("\n192\\.168\\.4\\.2 +192\\.168\\.4\\.2:123 +primary +ok +1 +"
                + "\\+1\\.250000 ").matcher(TableFormat.render(r, NONE, null)).find(),
                TableFormat.render(r, NONE, null));
        assertEquals(Map.of("kind", "clock-off", "message", message, "host", "192.168.4.2", "address",
                "192.168.4.2", "port", new BigDecimal(123), "offsetSeconds", new BigDecimal("1.25"), "limitSeconds",
                new BigDecimal("0.128")), reasonOf(r));
        assertEquals("ok", source(r, 0).get("status"));
        assertEquals(Json.NULL, source(r, 0).get("reason"));
        assertEquals(List.of("offset-too-large"), source(r, 0).get("reasons"));
        assertEquals(new BigDecimal("1.25"), source(r, 0).get("offsetSeconds"));
        assertEquals("NTP CRITICAL: Offset 1.250000 secs, " + message + "|offset=1.250000s;;; delay=0.002000s;;;0;"
                + " root_distance=0.001000s;;;0; stratum=1;;;0;16", NagiosFormat.render(r, NONE));
        assertEquals(ExitCode.CRITICAL, NONE.exitCode(r));
    }

    @Test
    void noMajority() {
        CheckResult r = decide(answer(PI, PI_AT, Duration.ZERO), answer(POOL, P1, Duration.ofSeconds(5)));
        String message = "no majority: at most 1 of 2 answering sources agree within their error bounds";
        assertTrue(TableFormat.render(r, NONE, null).endsWith("\nVerdict: UNSYNCHRONIZED: " + message + "\n"));
        assertEquals(Map.of("kind", "no-majority", "message", message, "agreeing", BigDecimal.ONE, "answering",
                new BigDecimal(2)), reasonOf(r));
        assertEquals("rejected", source(r, 0).get("status"));
        assertEquals("falseticker", source(r, 0).get("reason"));
        assertEquals("NTP CRITICAL: Offset unknown, " + message + " (192.168.4.2 rejected (falseticker), pool.test"
                + " rejected (falseticker))", NagiosFormat.render(r, NONE));
    }

    @Test
    void noValidAnswerListsEveryReasonOfEachSource() {
        QueryResult refused = new QueryResult(PI_AT, Outcome.REJECTED, Optional.empty(), List.of(),
                List.of(RefusalReason.UNSYNCHRONIZED, RefusalReason.BAD_STRATUM), Optional.empty(), Duration.ZERO, 2,
                DropCounts.NONE, "leap indicator 3");
        CheckResult r = decide(new SourceReport(PI, Optional.of(PI_AT), Outcome.REJECTED, refused.reasons(),
                Optional.of(refused)), new SourceReport(POOL, Optional.of(P1), Outcome.SKIPPED,
                List.of(CheckDecision.BACKED_OFF), Optional.empty(), "KoD RATE"));
        String message = "none of the 2 sources gave a valid answer";
        assertEquals(Map.of("kind", "no-valid-answer", "message", message, "sources", new BigDecimal(2)),
                reasonOf(r));
        assertEquals("unsynchronized, bad-stratum", source(r, 0).get("reason"));
        assertEquals(List.of("unsynchronized", "bad-stratum"), source(r, 0).get("reasons"));
        assertEquals(List.of("backed-off"), source(r, 1).get("reasons"));
        assertTrue(TableFormat.render(r, NONE, null).contains(" rejected (unsynchronized, bad-stratum) "));
        assertEquals("NTP CRITICAL: Offset unknown, " + message + " (192.168.4.2 rejected (unsynchronized,"
                + " bad-stratum), pool.test rejected (backed-off))", NagiosFormat.render(r, NONE));
    }

    @Test
    void notQueried() {
        NtpConfig poolOnly = NtpConfig.custom().primaries(List.of()).fallbacks(List.of(POOL)).build();
        CheckResult r = SourceSelector.decide(List.of(new SourceReport(POOL, Optional.of(P1), Outcome.SKIPPED,
                List.of(CheckDecision.DENIED), Optional.empty(), "KoD DENY")), poolOnly, T0, Duration.ZERO);
        assertEquals(Map.of("kind", "not-queried", "message", "no source was queried: 0 backed off, 1 denied",
                "backedOff", BigDecimal.ZERO, "denied", BigDecimal.ONE), reasonOf(r));
    }

    @Test
    void synced() {
        CheckResult r = decide(answer(PI, PI_AT, Duration.ofNanos(12_345)), answer(POOL, P1, Duration.ofMillis(1)));
        assertEquals(Map.of("kind", "synced", "message", "synchronized to 192.168.4.2, offset +0.000012 s", "host",
                "192.168.4.2", "address", "192.168.4.2", "port", new BigDecimal(123), "offsetSeconds",
                new BigDecimal("0.000012345")), reasonOf(r));
        assertTrue(TableFormat.render(r, NONE, null).endsWith("\nVerdict: PRIMARY_SYNCED via 192.168.4.2"
                + " (192.168.4.2:123), offset +0.000012 s, quality HIGH\n"), TableFormat.render(r, NONE, null));
        assertEquals(ExitCode.OK, NONE.exitCode(r));
    }

    @Test
    void exitCodesAreTheWorseOfVerdictAndThresholds() {
        assertEquals(ExitCode.CRITICAL, ExitCode.WARNING.worse(ExitCode.CRITICAL));
        assertEquals(ExitCode.WARNING, ExitCode.WARNING.worse(ExitCode.OK));
        assertEquals(List.of(0, 1, 2, 3), List.of(ExitCode.OK.code(), ExitCode.WARNING.code(),
                ExitCode.CRITICAL.code(), ExitCode.UNKNOWN.code()));
        Thresholds warnAt1ms = new Thresholds(Optional.of(Duration.ofMillis(1)), Optional.empty());
        CheckResult r = decide(answer(PI, PI_AT, Duration.ofMillis(3)));
        assertEquals(ExitCode.WARNING, warnAt1ms.exitCode(r));
    }
}
