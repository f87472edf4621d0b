package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.testkit.SntpTestServer;
import dev.pintp.ntp.testkit.TestTimeouts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which checks the probe runs on its own thread (one address, nothing to resolve), and that such a check works. */
class CallerThreadTest {

    @ParameterizedTest
    @ValueSource(strings = {"192.168.4.2", "127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "fe80::1%eth0",
        "2001:db8::1"})
    void addressesNeedNoResolver(String host) {
        assertTrue(ProbeMain.isAddress(host), host);
        assertTrue(ProbeMain.onCallerThread(NtpConfig.custom().primaries(List.of(
                new NtpServer(host, 123, NtpServer.Role.PRIMARY))).fallbacks(List.of()).build()), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1..2.3", ".1.2.3.4", "", "1.2.3.4 "})
    void notAnAddress(String host) {
        assertFalse(ProbeMain.isAddress(host), host);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pi-zero.local", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4.",
        "0001.2.3.4", "10", "1.2.3.a", "pool.ntp.org"})
    void namesGoThroughTheExecutor(String host) {
        assertFalse(ProbeMain.isAddress(host), host);
        assertFalse(ProbeMain.onCallerThread(NtpConfig.custom().primaries(List.of(
                new NtpServer(host, 123, NtpServer.Role.PRIMARY))).fallbacks(List.of()).build()), host);
    }

    @Test
    void severalServersFallbacksAndNtsGoThroughTheExecutor() {
        NtpServer a = new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY);
        NtpServer b = new NtpServer("192.168.4.3", 123, NtpServer.Role.PRIMARY);
        NtpServer f = new NtpServer("192.168.4.4", 123, NtpServer.Role.FALLBACK);
        assertFalse(ProbeMain.onCallerThread(NtpConfig.custom().primaries(List.of(a, b)).fallbacks(List.of())
                .build()));
        assertFalse(ProbeMain.onCallerThread(NtpConfig.custom().primaries(List.of(a)).fallbacks(List.of(f))
                .build()));
        assertFalse(ProbeMain.onCallerThread(NtpConfig.custom().primaries(List.of(a.withAuth(
                NtpAuth.Nts.of("192.168.4.2")))).fallbacks(List.of()).build()));
        // the default configuration: names, and the pool as fallback
        assertFalse(ProbeMain.onCallerThread(NtpConfig.ofDefaults()));
    }

    @Test
    void aCheckOnTheCallersThreadGivesTheUsualResult() {
        try (SntpTestServer server = SntpTestServer.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = ProbeMain.run(new String[] {"--json", "--timeout",
                TestTimeouts.arg(Duration.ofMillis(300)), "127.0.0.1:" + server.port()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String json = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, code, json + err);
            assertEquals("PRIMARY_SYNCED", Json.object(json).get("verdict"), json);
            assertEquals("", err.toString(StandardCharsets.UTF_8));
        }
    }
}
