package dev.pintp.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wait}: its options and exit status, against the in-process SNTP server on loopback. */
class SystemdMainWaitTest {
    @TempDir
    Path root;

    private void config(String ini) throws IOException {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, ini);
    }

    private record Run(int status, String log) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = SystemdMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("JOURNAL_STREAM", "8:1234"));
        return new Run(status, out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aLoopbackPrimaryThatAnswersEndsTheWaitWithExitZeroAndSaysWhichSource() throws IOException {
        try (SntpTestServer pi = SntpTestServer.start()) {
            pi.localClock(1);
            config("[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=\nTimeout=300ms\nPrimarySamples=2\n");
            Run r = run("wait", "--root", root.toString(), "--timeout", "60s");
            assertEquals(0, r.status(), r.log());
            List<String> lines = r.log().lines().toList();
            assertEquals("<6>waiting up to 1min for the time to be verified against a primary (127.0.0.1)", lines.get(0));
            assertTrue(lines.get(lines.size() - 1).startsWith("<6>time verified against the primary 127.0.0.1"
                    + " (127.0.0.1:" + pi.port() + "): offset "), r.log());
        }
    }

    @Test
    void aSilentPrimaryEndsTheWaitAfterTheTimeoutWithExitOneAndTheReason() throws IOException {
        try (SntpTestServer pi = SntpTestServer.start()) {
            pi.drop(true);
            config("[Servers]\nPrimary=127.0.0.1:" + pi.port() + "\nFallback=\nTimeout=200ms\n");
            Run r = run("wait", "--root", root.toString(), "--timeout", "1s", "--require", "majority");
            assertEquals(1, r.status(), r.log());
            List<String> lines = r.log().lines().toList();
            String last = lines.get(lines.size() - 1);
            assertTrue(last.startsWith("<3>time not verified within the timeout of 1s ("), r.log());
            assertTrue(last.contains("required: a primary or a majority of the pool): "), last);
            assertTrue(last.endsWith("units with Requires= and After=ntp-monitor-wait.service do not"), last);
        }
    }

    @Test
    void badWaitOptionsAreUsageErrorsWithExitTwoThatNameTheProblem() {
        Map<String, String[]> cases = Map.of(
                "error: --timeout must be 1s to 1d, was 0", new String[] {"wait", "--timeout", "0"},
                "error: --timeout must be finite", new String[] {"wait", "--timeout", "infinity"},
                "error: --timeout: ", new String[] {"wait", "--timeout", "soon"},
                "error: --timeout needs a value", new String[] {"wait", "--timeout"},
                "error: --require must be primary or majority, was 'all'", new String[] {"wait", "--require", "all"},
                "error: --max-interval must be 1s to 10min, was 1h", new String[] {"wait", "--max-interval", "1h"},
                "error: --timeout applies only to wait, not to run", new String[] {"run", "--timeout", "5s"},
                "error: --enable-wait applies only to install, not to wait", new String[] {"wait", "--enable-wait"},
                "error: --wait-timeout and --wait-require need --enable-wait",
                new String[] {"install", "--wait-timeout", "20s"},
                "error: --wait-require must be", new String[] {"install", "--enable-wait", "--wait-require", "x"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Run r = run(c.getValue());
            assertEquals(2, r.status(), String.join(" ", c.getValue()) + "\n" + r.log());
            assertTrue(r.log().startsWith(c.getKey()), String.join(" ", c.getValue()) + "\n" + r.log());
        }
    }

    @Test
    void aBrokenConfigurationIsExitTwoAndSaysTheTimeIsNotVerified() throws IOException {
        config("[Servers]\nPrimary=127.0.0.1:9\n[NoSuchSection]\nKey=1\n");
        Run r = run("wait", "--root", root.toString(), "--timeout", "1s");
        assertEquals(2, r.status(), r.log());
        assertTrue(r.log().startsWith("<3>configuration error, the time is not verified: "), r.log());
    }
}
