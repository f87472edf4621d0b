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
import org.junit.jupiter.params.provider.EnumSource;

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

    private Path writeUnits(Render.Mode mode) throws IOException {
        Path dir = root.resolve("etc/systemd/system");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("ntp-monitor.service"),
                Render.serviceUnit(mode, "/usr/bin/java", "/usr/local/lib/ntp-monitor/ntp-systemd.jar", WRITABLE));
        Files.writeString(dir.resolve("ntp-monitor.timer"), Render.timerUnit(Duration.ofSeconds(60)));
        return dir;
    }

    @ParameterizedTest
    @EnumSource(Render.Mode.class)
    void renderedUnitsPassSystemdAnalyzeVerifyWithoutAWord(Render.Mode mode) throws Exception {
        Path dir = writeUnits(mode);
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/java")), "verify needs /usr/bin/java to exist");
        List<String> args = new ArrayList<>(List.of("verify", dir.resolve("ntp-monitor.service").toString()));
        if (mode == Render.Mode.TIMER) {
            args.add(dir.resolve("ntp-monitor.timer").toString());
        }
        Result r = systemdAnalyze(args);
        assertEquals(0, r.status(), r.output());
        assertEquals("", r.output().strip(), "systemd-analyze verify complained");
    }

    @ParameterizedTest
    @EnumSource(Render.Mode.class)
    void theServiceIsSandboxedToAnExposureOfAtMostTwo(Render.Mode mode) throws Exception {
        writeUnits(mode);
        Result r = systemdAnalyze(List.of("security", "--offline=true", "--root=" + root, "ntp-monitor.service"));
        Matcher m = Pattern.compile("Overall exposure level for ntp-monitor.service: (\\d+\\.\\d)").matcher(r.output());
        assertTrue(m.find(), r.output());
        double exposure = Double.parseDouble(m.group(1));
        assertTrue(exposure <= 2.0, "exposure " + exposure + "\n" + r.output());
        assertEquals(0, systemdAnalyze(List.of("security", "--offline=true", "--root=" + root, "--threshold=20",
                "ntp-monitor.service")).status());
    }

    @Test
    void theServiceKeepsWhatTheJvmAndTheJobNeed() {
        String s = Render.serviceUnit(Render.Mode.TIMER, "/usr/bin/java", "/x.jar", WRITABLE);
        assertTrue(s.lines().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute")), "the JIT needs W+X memory");
        assertTrue(s.contains("RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"));
        assertTrue(s.contains("ReadWritePaths=-/run/systemd/system/controller.service.d -/run/systemd/timesyncd.conf.d\n"));
        assertTrue(s.contains("\nCapabilityBoundingSet=\n"), "no capabilities at all");
        assertTrue(s.contains("StateDirectory=ntp-monitor\n"));
        assertTrue(s.lines().noneMatch(l -> l.startsWith("Restart")), "no Restart= on a oneshot");
        assertFalse(Render.timerUnit(Duration.ofMinutes(1)).contains("Requires="));
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
