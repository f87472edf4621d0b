package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.sysconf.TimeSpans;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ntp-monitor-wait.service as {@link Render#waitUnit} writes it. */
class RenderWaitUnitTest {
    @TempDir
    Path root;

    static String line(String unit, String key) {
        List<String> lines = unit.lines().filter(l -> l.startsWith(key + "=")).toList();
        assertEquals(1, lines.size(), key + " in\n" + unit);
        return lines.get(0).substring(key.length() + 1);
    }

    @Test
    void theDefaultUnitHoldsTimeSyncTargetForAtMostTheTimeoutAndIsEnabledIntoMultiUser() {
        String unit = Render.waitUnit("/usr/bin/java", Installer.JAR.toString(), BootWait.Options.ofDefaults());
        assertEquals("time-sync.target", line(unit, "Before"));
        assertEquals("time-sync.target", line(unit, "Wants"));
        assertEquals("network.target nss-lookup.target", line(unit, "After"));
        assertEquals("oneshot", line(unit, "Type"));
        assertEquals("yes", line(unit, "RemainAfterExit"));
        assertEquals("/bin/sh /usr/local/lib/ntp-monitor/pintp-java job /usr/local/lib/ntp-monitor/ntp-systemd.jar"
                + " wait --timeout 3min --require primary --max-interval 30s", line(unit, "ExecStart"));
        assertEquals("JAVA=/usr/bin/java PINTP_CACHE_DIR=/var/cache/ntp-monitor", line(unit, "Environment"));
        assertEquals("3min 30s", line(unit, "TimeoutStartSec"));
        assertEquals("multi-user.target", line(unit, "WantedBy"));
        assertFalse(unit.contains("DefaultDependencies"), "default dependencies, as chrony-wait.service");
        // it writes nothing: no state, runtime or writable directory
        for (String key : List.of("ReadWritePaths", "StateDirectory", "RuntimeDirectory")) {
            assertFalse(unit.contains(key + "="), key);
        }
        assertEquals("", line(unit, "CapabilityBoundingSet"));
        assertEquals("strict", line(unit, "ProtectSystem"));
        assertEquals("yes", line(unit, "PrivateMounts"));
    }

    @Test
    void theStartTimeoutIsTheWaitsOwnPlusTheBackstopSoTheWaitSaysWhyItEnded() {
        for (Duration t : List.of(Duration.ofSeconds(1), Duration.ofSeconds(20), Duration.ofMillis(61_500),
                Duration.ofDays(1))) {
            BootWait.Options o = BootWait.Options.ofDefaults().withTimeout(t);
            String unit = Render.waitUnit("/usr/bin/java", Installer.JAR.toString(), o);
            assertEquals(t.plus(Render.WAIT_BACKSTOP), TimeSpans.parse(line(unit, "TimeoutStartSec")), unit);
            assertTrue(line(unit, "ExecStart").contains(" wait --timeout " + Render.execArgument(TimeSpans.format(t))
                    + " --require "), unit);
        }
        String unit = Render.waitUnit("/usr/bin/java", Installer.JAR.toString(),
                new BootWait.Options(Duration.ofSeconds(90), BootWait.Require.MAJORITY, Duration.ofMillis(1500)));
        assertTrue(line(unit, "ExecStart").endsWith(" wait --timeout \"1min 30s\" --require majority --max-interval"
                + " \"1s 500ms\""), unit);
    }

    @Test
    void aJarPathWithSpacesPercentAndDollarIsOneArgumentAndAJavaWithAQuoteIsRefused() {
        String unit = Render.waitUnit("/usr/bin/java", "/opt/my jars/100%/$HOME.jar", BootWait.Options.ofDefaults());
        assertEquals("/bin/sh \"/opt/my jars/100%%/pintp-java\" job \"/opt/my jars/100%%/$$HOME.jar\" wait"
                + " --timeout 3min --require primary --max-interval 30s", line(unit, "ExecStart"), unit);
        assertThrows(IllegalArgumentException.class, () -> Render.waitUnit("/usr/bin/ja\"va", "/x.jar",
                BootWait.Options.ofDefaults()));
        assertThrows(IllegalArgumentException.class, () -> Render.waitUnit("/usr/bin/java", "/x\n.jar",
                BootWait.Options.ofDefaults()));
        assertThrows(IllegalArgumentException.class, () -> Render.waitUnit("java", "/x.jar",
                BootWait.Options.ofDefaults()));
    }

    @Test
    void systemdReadsTheUnitWithoutComplaint() throws Exception {
        Path dir = root.resolve("opt/my java 100%/$HOME");
        Files.createDirectories(dir);
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path units = root.resolve("units");
        Files.createDirectories(units);
        Path unit = units.resolve("ntp-monitor-wait.service");
        Files.writeString(unit, Render.waitUnit(java.toString(), "/opt/my jars/100%/x.jar",
                new BootWait.Options(Duration.ofSeconds(90), BootWait.Require.MAJORITY, Duration.ofMillis(1500))));
        assertEquals("", run(List.of("systemd-analyze", "verify", "--man=no", unit.toString())), Files.readString(unit));
    }

    @Test
    void theWaitIsSandboxedToAnExposureOfAtMostTwo() throws Exception {
        Path units = root.resolve("etc/systemd/system");
        Files.createDirectories(units);
        Files.writeString(units.resolve("ntp-monitor-wait.service"), Render.waitUnit("/usr/bin/java",
                Installer.JAR.toString(), BootWait.Options.ofDefaults()));
        String out = run(List.of("systemd-analyze", "security", "--offline=true", "--root=" + root,
                "ntp-monitor-wait.service"));
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("Overall exposure level for ntp-monitor-wait.service: (\\d+\\.\\d)").matcher(out);
        assertTrue(m.find(), out);
        double exposure = Double.parseDouble(m.group(1));
        assertTrue(exposure <= 2.0, "exposure " + exposure + "\n" + out);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.err.println("SKIPPED: " + command.get(0) + " is not installed");
            Assumptions.abort(command.get(0) + " is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out.strip() + (p.exitValue() == 0 ? "" : "\nexit " + p.exitValue());
    }
}
