package dev.pintp.ntp.internal.nts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.SntpClient;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A query whose NTS-KE fails: UNREACHABLE, nothing sent, and the detail is the reason in plain words. */
class NtsKeRefusalTest {
    @Test
    void aRefusedKeyExchangeIsUnreachableWithTheReasonAlone() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        try (SntpTestServer server = SntpTestServer.start()) {
            QueryOptions options = new QueryOptions(2, Duration.ofSeconds(1), Duration.ofSeconds(5))
                    .withAuth(NtpAuth.Nts.of("127.0.0.1").withKePort(closed));
            QueryResult r = SntpClient.ofDefaults().query(server.address(), options);
            assertEquals(Outcome.UNREACHABLE, r.outcome(), r::toString);
            // the message, not the exception's class name: this is what the probe and the job's log show
            assertTrue(r.detail().startsWith("cannot connect to NTS-KE server 127.0.0.1 port " + closed + ": "),
                    r.detail());
            assertEquals(0, r.exchanges(), "no request without keys");
            assertEquals(0, server.requestCount(), "nothing reached the server");
        }
    }
}
