package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one-line source summary of the log and {@code status}: when the reason's detail is shown. */
class CheckTextTest {
    private static final NtpServer PLAIN = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
    private static final NtpServer NTS = PLAIN.withAuth(NtpAuth.Nts.of("192.168.4.2"));
    private static final Optional<InetSocketAddress> AT = Optional.of(new InetSocketAddress("192.168.4.2", 123));
    private static final String KE_FAILED = "certificate is for pizero.other, not 192.168.4.2";

    private static SourceReport report(NtpServer server, Outcome outcome, RejectReason reason, String detail) {
        return new SourceReport(server, AT, outcome, Optional.ofNullable(reason), Optional.empty(), detail);
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
                CheckText.source(report(PLAIN, Outcome.REJECTED, RejectReason.UNAUTHENTICATED,
                        "NTS: no NTS fields")));
        assertEquals("192.168.4.2 (192.168.4.2:123) UNREACHABLE", CheckText.source(report(NTS, Outcome.UNREACHABLE,
                null, "")));
    }
}
