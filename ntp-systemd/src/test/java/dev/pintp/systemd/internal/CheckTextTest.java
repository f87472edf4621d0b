package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one-line source summary of the log and {@code status}: when the reason's detail is shown. */
class CheckTextTest {
    private static final NtpServer PLAIN = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
    private static final NtpServer NTS = PLAIN.withAuth(NtpAuth.Nts.of("192.168.4.2"));
    private static final Optional<InetSocketAddress> AT = Optional.of(new InetSocketAddress("192.168.4.2", 123));
    private static final String KE_FAILED = "certificate is for pizero.other, not 192.168.4.2";

    private static SourceReport report(NtpServer server, Outcome outcome, RejectReason reason, String detail) {
        return new SourceReport(server, AT, outcome, reason == null ? List.of() : List.of(reason), Optional.empty(),
                detail);
    }

    @Test
    void anNtsServerThatGaveNoTimeSaysWhy() {
        assertEquals("192.168.4.2 (192.168.4.2:123) UNREACHABLE (" + KE_FAILED + ")",
                CheckText.source(report(NTS, Outcome.UNREACHABLE, null, KE_FAILED)));
        assertEquals("192.168.4.2 (192.168.4.2:123) TIMEOUT (no answer)",
                CheckText.source(report(NTS, Outcome.TIMEOUT, null, "no answer")));
    }

    @Test
    void aPlainServersNetworkFailureStaysShort() {
        assertEquals("192.168.4.2 (192.168.4.2:123) UNREACHABLE",
                CheckText.source(report(PLAIN, Outcome.UNREACHABLE, null, "Connection refused")));
    }

    @Test
    void anAuthenticationRefusalSaysWhyAndAnEmptyDetailAddsNothing() {
        assertEquals("192.168.4.2 (192.168.4.2:123) REJECTED UNAUTHENTICATED (NTS: no NTS fields)",
                CheckText.source(report(PLAIN, Outcome.REJECTED, DropReason.UNAUTHENTICATED,
                        "NTS: no NTS fields")));
        assertEquals("192.168.4.2 (192.168.4.2:123) UNREACHABLE", CheckText.source(report(NTS, Outcome.UNREACHABLE,
                null, "")));
    }

    @Test
    void aRejectedSourceNamesEveryReason() {
        SourceReport r = new SourceReport(PLAIN, AT, Outcome.REJECTED,
                List.of(RefusalReason.UNSYNCHRONIZED, RefusalReason.BAD_STRATUM), Optional.empty(), "leap 3");
        assertEquals("192.168.4.2 (192.168.4.2:123) REJECTED UNSYNCHRONIZED BAD_STRATUM", CheckText.source(r));
    }

    @Test
    void aSourceThatShowsThisClockOffIsOkAndTheCheckSaysWhatIsOff() {
        SourceReport pi = Checks.off(Checks.PRIMARY, Duration.ofMillis(1250));
        assertEquals("192.168.4.2 (127.0.0.2:123) OK offset +1250.000 ms root distance 1.000 ms",
                CheckText.source(pi));
        assertEquals("UNSYNCHRONIZED: this clock is +1.250 s off against 192.168.4.2 (127.0.0.2) (limit 0.128 s);"
                + " 192.168.4.2 (127.0.0.2:123) OK offset +1250.000 ms root distance 1.000 ms;"
                + " 0.debian.pool.ntp.org TIMEOUT", CheckText.check(Checks.clockOff(Checks.T0)));
        assertEquals("UNSYNCHRONIZED: none of the 2 sources gave a valid answer; 192.168.4.2 TIMEOUT;"
                + " 0.debian.pool.ntp.org TIMEOUT", CheckText.check(Checks.none(Checks.T0)));
    }

    @Test
    void aSkippedSourceSaysWhy() {
        SourceReport r = new SourceReport(PLAIN, AT, Outcome.SKIPPED, List.of(CheckDecision.BACKED_OFF),
                Optional.empty(), "KoD RATE");
        assertEquals("192.168.4.2 (192.168.4.2:123) SKIPPED BACKED_OFF", CheckText.source(r));
    }
}
