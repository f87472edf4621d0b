package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RenderTest {
    private static final List<Path> WRITABLE = List.of(Path.of("/run/systemd/system/controller.service.d"),
            Path.of("/run/systemd/timesyncd.conf.d"));

    @TempDir
    Path root;

    private record Result(int status, String output) {
    }

    private static Result systemdAnalyze(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("systemd-analyze"));
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            System.err.println("SKIPPED: systemd-analyze is not installed; rendered units not verified");
            Assumptions.abort("systemd-analyze is not installed: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    private static final String JAR = "/usr/local/lib/ntp-monitor/ntp-systemd.jar";

    private Path writeUnits() throws IOException {
        Path dir = root.resolve("etc/systemd/system");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ntp-monitor.service"), Render.serviceUnit("/usr/bin/java", JAR));
        Files.writeString(dir.resolve(Render.DAEMON_UNIT), Render.daemonUnit("/usr/bin/java", JAR, WRITABLE));
        Files.writeString(dir.resolve(Render.FAIL_SAFE_UNIT), Render.failSafeUnit("/usr/bin/java", JAR, WRITABLE));
        Files.writeString(dir.resolve("ntp-monitor.timer"), Render.timerUnit(Duration.ofSeconds(60)));
        return dir;
    }

    @Test
    void renderedUnitsPassSystemdAnalyzeVerifyWithoutAWord() throws Exception {
        Path dir = writeUnits();
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/java")), "verify needs /usr/bin/java to exist");
        List<String> args = new ArrayList<>(List.of("verify", "--man=no"));
        for (String u : List.of("ntp-monitor.service", Render.DAEMON_UNIT, Render.FAIL_SAFE_UNIT, "ntp-monitor.timer")) {
            args.add(dir.resolve(u).toString());
        }
        Result r = systemdAnalyze(args);
        assertEquals(0, r.status(), r.output());
        assertEquals("", r.output().strip(), "systemd-analyze verify complained");
    }

    private double exposure(String unit) throws Exception {
        Result r = systemdAnalyze(List.of("security", "--offline=true", "--root=" + root, unit));
        Matcher m = Pattern.compile("Overall exposure level for " + Pattern.quote(unit) + ": (\\d+\\.\\d)")
                .matcher(r.output());
        assertTrue(m.find(), r.output());
        return Double.parseDouble(m.group(1));
    }

    /** The daemon and the fail-safe run the job's code (LAN packets, drop-ins): the full sandbox, as before. */
    @ParameterizedTest
    @ValueSource(strings = {Render.DAEMON_UNIT, Render.FAIL_SAFE_UNIT})
    void theUnitsThatRunTheJobAreSandboxedToAnExposureOfAtMostTwo(String unit) throws Exception {
        writeUnits();
        double exposure = exposure(unit);
        assertTrue(exposure <= 2.0, unit + ": exposure " + exposure);
        assertEquals(0, systemdAnalyze(List.of("security", "--offline=true", "--root=" + root, "--threshold=20",
                unit)).status());
    }

    /**
     * The oneshot's client (docs/security.md, "The oneshot's client"): no mount namespace option (they cost more
     * CPU than a check), but no capabilities, no new privileges, only AF_UNIX sockets, the system call filter and
     * no W+X memory. A documented change (issue 12): until then the oneshot had the full sandbox (exposure <= 2.0).
     */
    @Test
    void theClientHasNoCapabilitiesTheSystemCallFilterAndNoMountNamespace() throws Exception {
        String s = Render.serviceUnit("/usr/bin/java", JAR);
        for (String line : List.of("CapabilityBoundingSet=", "AmbientCapabilities=", "NoNewPrivileges=yes",
                "RestrictAddressFamilies=AF_UNIX", "RestrictNamespaces=yes", "RestrictRealtime=yes",
                "RestrictSUIDSGID=yes", "LockPersonality=yes", "MemoryDenyWriteExecute=yes",
                "SystemCallArchitectures=native", "SystemCallFilter=@system-service",
                "SystemCallFilter=~@privileged @resources", "UMask=0077")) {
            assertTrue(s.contains("\n" + line + "\n"), line + " missing:\n" + s);
        }
        for (String key : List.of("ProtectSystem", "ProtectHome", "PrivateTmp", "PrivateDevices", "PrivateMounts",
                "PrivateIPC", "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
                "ProtectControlGroups", "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset",
                "ReadWritePaths", "ExecStopPost", "ExecStartPost", "ExecStartPre")) {
            assertTrue(s.lines().noneMatch(l -> l.startsWith(key + "=")), key + " set:\n" + s);
        }
        writeUnits();
        double exposure = exposure("ntp-monitor.service");
        System.err.println("client ntp-monitor.service: systemd-analyze security exposure " + exposure);
        assertTrue(exposure <= 4.0, "exposure " + exposure); // 3.4 with systemd 252
    }

    @Test
    void theDaemonKeepsWhatTheJvmAndTheJobNeed() {
        String s = Render.daemonUnit("/usr/bin/java", "/x.jar", WRITABLE);
        assertTrue(s.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute")), "the JIT needs W+X memory");
        assertTrue(s.contains("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"));
        assertTrue(s.contains("ReadWritePaths=-/run/systemd/system/controller.service.d -/run/systemd/timesyncd.conf.d\n"));
        assertTrue(s.contains("\nCapabilityBoundingSet=\n"), "no capabilities at all");
        assertTrue(s.contains("StateDirectory=ntp-monitor\n"));
        assertTrue(Render.serviceUnit("/usr/bin/java", "/x.jar").lines().noneMatch(l -> l.startsWith("Restart")),
                "no Restart= on a oneshot");
        assertFalse(Render.timerUnit(Duration.ofMinutes(1)).contains("Requires="));
    }

    @Test
    void everyServiceUnitNamesThePackagesManPage() {
        for (String unit : List.of(Render.serviceUnit("/usr/bin/java", "/x.jar"),
                Render.daemonUnit("/usr/bin/java", "/x.jar", WRITABLE),
                Render.failSafeUnit("/usr/bin/java", "/x.jar", WRITABLE),
                Render.waitUnit("/usr/bin/java", "/x.jar", BootWait.Options.ofDefaults()))) {
            assertTrue(unit.contains("\n[Unit]\n") && unit.contains("\nDocumentation=man:ntp-monitor(1)\n"), unit);
        }
    }

    @Test
    void theDropInHoldsNothingThatChangesFromRunToRun() {
        // Only the stable state goes in: any other line (an offset, a time stamp) would restart the controller at
        // every run. Comments aside, the drop-in is exactly the section header and the four variables.
        List<String> content = Render.controllerDropIn(Settings.Variables.DEFAULTS, "192.168.4.2", 2).lines()
                .filter(l -> !l.startsWith("#")).toList();
        assertEquals(List.of("[Service]", "Environment=CONSERVE_POWER=1", "Environment=NTP_SYNCED=true",
                "Environment=NTP_SERVER=192.168.4.2", "Environment=NTP_SYNC_LEVEL=2"), content);
        assertThrows(IllegalArgumentException.class,
                () -> Render.controllerDropIn(Settings.Variables.DEFAULTS, "a\nExecStart=/bin/evil", 2));
        assertThrows(IllegalArgumentException.class, () -> Render.controllerDropIn(Settings.Variables.DEFAULTS, "x", 0));
    }

    @Test
    void theSteeringDropInSortsAfterTheInstalledOneSoItsNtpResetWins() {
        assertTrue(Settings.STEERING_DROP_IN.compareTo(Installer.TIMESYNCD.getFileName().toString()) > 0);
        assertTrue(Render.steeringDropIn(List.of(Checks.FALLBACK)).contains("\nNTP=\nFallbackNTP=0.debian.pool.ntp.org\n"));
        assertTrue(Render.dnsmasqSnippet(Optional.of("192.168.4.2"), Optional.empty(), Optional.empty())
                .contains("dhcp-option=42,192.168.4.2\n"));
    }
}
