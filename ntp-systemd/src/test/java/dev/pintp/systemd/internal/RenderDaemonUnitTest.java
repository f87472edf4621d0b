package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default install's two services: the oneshot's client and the resident daemon it asks. */
class RenderDaemonUnitTest {
    private static final List<Path> WRITABLE = List.of(Path.of("/run/systemd/system/controller.service.d"));

    @TempDir
    Path root;

    private static String line(String unit, String key) {
        return unit.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .reduce((a, b) -> a + "\n" + b).orElse("");
    }

    @Test
    void theTimersServiceRunsTheClientAndPullsInTheDaemonWithoutAnEnableStep() {
        String service = Render.serviceUnit("/usr/bin/java", Installer.JAR.toString());
        assertEquals("/bin/sh /usr/local/lib/ntp-monitor/pintp-java daemon /usr/local/lib/ntp-monitor/ntp-systemd.jar"
                + " request", line(service, "ExecStart"));
        assertEquals("ntp-monitor-daemon.service", line(service, "Wants"));
        assertEquals("network.target nss-lookup.target\nntp-monitor-daemon.service", line(service, "After"));
        assertEquals("ntp-monitor-fail-safe.service", line(service, "OnFailure"));
        assertEquals("", line(service, "ExecStopPost"), "a good run starts no second process");
        assertEquals("120s", line(service, "TimeoutStartSec"));
    }

    @Test
    void theDaemonIsPartOfTheServiceRestartsOnFailureAndHasTheFullSandbox() {
        String daemon = Render.daemonUnit("/usr/bin/java", Installer.JAR.toString(), WRITABLE);
        assertEquals("ntp-monitor.service", line(daemon, "PartOf"));
        assertEquals("simple", line(daemon, "Type"));
        assertEquals("on-failure", line(daemon, "Restart"));
        assertEquals("143", line(daemon, "SuccessExitStatus"), "a stop (SIGTERM) is not a failure");
        assertEquals("/bin/sh /usr/local/lib/ntp-monitor/pintp-java daemon /usr/local/lib/ntp-monitor/ntp-systemd.jar"
                + " serve", line(daemon, "ExecStart"));
        assertFalse(daemon.contains("[Install]"), "never enabled itself: the service's Wants= starts it");
        String sandbox = Render.sandbox("/usr/bin/java", WRITABLE);
        assertTrue(daemon.endsWith(sandbox), daemon);
        assertTrue(Render.failSafeUnit("/usr/bin/java", Installer.JAR.toString(), WRITABLE).endsWith(sandbox));
        assertTrue(sandbox.contains("\nProtectSystem=strict\n") && sandbox.contains("\nPrivateDevices=yes\n"), sandbox);
        assertEquals("ntp-monitor", line(daemon, "RuntimeDirectory"));
        assertEquals("yes", line(daemon, "RuntimeDirectoryPreserve"));
    }

    @Test
    void theDaemonsStartMakesAFreshPrivateDirectoryWithTheRequestFifo() throws Exception {
        String daemon = Render.daemonUnit("/usr/bin/java", Installer.JAR.toString(), WRITABLE);
        String pre = line(daemon, "ExecStartPre");
        assertTrue(pre.startsWith("/bin/sh -c \""), pre);
        // what systemd hands sh: the word unquoted, $$ halved
        String script = pre.substring("/bin/sh -c \"".length(), pre.length() - 1).replace("\\\"", "\"")
                .replace("$$", "$");
        Path run = Files.createDirectory(root.resolve("run"));
        Files.createDirectories(run.resolve("control/old"));
        Files.writeString(run.resolve("control/reply.12"), "stale");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", script);
        pb.environment().put("RUNTIME_DIRECTORY", run.toString());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        try (var files = Files.list(run.resolve("control"))) {
            assertEquals(List.of(run.resolve("control/request")), files.toList());
        }
        ControlChannel.open(run.resolve("control")).close(); // private directory, private FIFO of ours
    }

    @Test
    void bothUnitsPassSystemdAnalyzeVerify() throws Exception {
        Path units = Files.createDirectory(root.resolve("units"));
        Map<Path, String> texts = Installer.unitTexts(Fixtures.settings(root, ""), "/usr/bin/java",
                Installer.JAR.toString(), BootWait.Options.ofDefaults());
        for (Path unit : List.of(Installer.SERVICE, Installer.DAEMON_SERVICE, Installer.FAIL_SAFE_SERVICE,
                Installer.TIMER)) {
            Files.writeString(units.resolve(unit.getFileName()), texts.get(unit));
        }
        Process p = new ProcessBuilder("systemd-analyze", "verify", "--man=no", units.resolve("ntp-monitor.service").toString(),
                units.resolve("ntp-monitor-daemon.service").toString(),
                units.resolve("ntp-monitor-fail-safe.service").toString(), units.resolve("ntp-monitor.timer").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertEquals("", out);
    }
}
