package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile values against every format Render writes: unit files, tmpfiles.d, and the configuration that feeds them. */
class RenderEscapingTest {
    @TempDir
    Path root;

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

    private static Settings settings(String ini) throws ConfigException, IOException {
        return Settings.parse(IniFile.parse(Path.of("/etc/ntp-monitor/ntp-monitor.conf"), ini),
                TimesyncdConfig.load(Path.of("/nonexistent-root")), Map.of());
    }

    @Test
    void unitWordsDoublePercentAndQuoteWhatIsNotPlain() {
        assertEquals("NTP_SERVER=192.168.4.2", Render.unitWord("NTP_SERVER=192.168.4.2"));
        assertEquals("NTP_SERVER=fe80::1%%eth0", Render.unitWord("NTP_SERVER=fe80::1%eth0"));
        assertEquals("\"-/var/lib/my dir/100%%\"", Render.unitWord("-/var/lib/my dir/100%"));
        assertEquals("\"a\\\"b\\\\c'd\"", Render.unitWord("a\"b\\c'd"));
        assertEquals("\"$$HOME\"", Render.execArgument("$HOME"));
        for (String bad : List.of("a\nExecStartPre=/bin/id", "a\rb", "a\tb", "a\u0000b", "a\u007fb", "")) {
            assertThrows(IllegalArgumentException.class, () -> Render.unitWord(bad), bad);
        }
    }

    @Test
    void aLinkLocalServerWithAZoneKeepsItsVariableInSystemd() throws Exception {
        String dropIn = Render.controllerDropIn(Settings.Variables.DEFAULTS, "fe80::1%eth0", 3);
        assertTrue(dropIn.contains("\nEnvironment=NTP_SERVER=fe80::1%%eth0\n"), dropIn);
        Path dir = root.resolve("units");
        Files.createDirectories(dir.resolve("controller.service.d"));
        Files.writeString(dir.resolve("controller.service"), "[Service]\nExecStart=/bin/true\n");
        Files.writeString(dir.resolve("controller.service.d/ntp-environment.conf"), dropIn);
        // unescaped, systemd says "Failed to resolve specifiers in NTP_SERVER=fe80::1%eth0, ignoring"
        assertEquals("", run(List.of("systemd-analyze", "verify", "--man=no", dir.resolve("controller.service").toString())));
    }

    @Test
    void serverNamesThatCannotBeWrittenAsTheyAreAreRefusedWhenTheConfigurationIsRead() {
        for (String bad : List.of("a\"b", "x'y", "a\\b", "$(id)", "pool;id", "a#b", "ntp`id`")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> settings("[Servers]\n\nPrimary=192.168.4.2 " + bad + "\n"), bad);
            assertTrue(e.getMessage().startsWith("/etc/ntp-monitor/ntp-monitor.conf:3: Primary: server '"),
                    e.getMessage());
            ConfigException f = assertThrows(ConfigException.class, () -> settings("[Servers]\nFallback=" + bad + "\n"));
            assertTrue(f.getMessage().startsWith("/etc/ntp-monitor/ntp-monitor.conf:2: Fallback: "), f.getMessage());
        }
    }

    @Test
    void aTextfilePathWithASpaceAndAPercentIsQuotedInTheUnitAndInTmpfiles() throws Exception {
        Settings s = settings("[Metrics]\nTextfilePath=/var/lib/node exporter/100%/ntp.prom\n");
        List<Path> writable = Installer.writableDirectories(s);
        String unit = Render.daemonUnit("/usr/bin/java", Installer.JAR.toString(), writable);
        assertTrue(unit.contains("ReadWritePaths=-/run/systemd/system/controller.service.d -/run/systemd/timesyncd.conf.d"
                + " \"-/var/lib/node exporter/100%%\"\n"), unit);
        String tmpfiles = Render.tmpfiles(writable);
        assertTrue(tmpfiles.contains("\nd \"/var/lib/node exporter/100%%\" 0755 root root -\n"), tmpfiles);

        // systemd-tmpfiles reads it back as the one directory meant
        Path conf = root.resolve("ntp-monitor.conf");
        Files.writeString(conf, tmpfiles);
        Path target = root.resolve("target");
        Files.createDirectories(target);
        assertEquals("", run(List.of("systemd-tmpfiles", "--create", "--root=" + target, conf.toString())));
        assertTrue(Files.isDirectory(target.resolve("var/lib/node exporter/100%")));
        try (var list = Files.list(target.resolve("var/lib"))) {
            assertEquals(List.of("node exporter"), list.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aTextfilePathWithAControlCharacterIsRefusedWithFileLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> settings("[Metrics]\nTextfilePath=/var/lib/x\u0001y/ntp.prom\n"));
        assertTrue(e.getMessage().startsWith("/etc/ntp-monitor/ntp-monitor.conf:2: TextfilePath: must not contain control"),
                e.getMessage());
    }

    @Test
    void aFailedRunStartsTheFailSafeUnitAndAGoodRunStartsNothing() {
        String unit = Render.serviceUnit("/usr/bin/java", Installer.JAR.toString());
        assertTrue(unit.contains("\nOnFailure=ntp-monitor-fail-safe.service\n"), unit);
        assertTrue(unit.lines().noneMatch(l -> l.startsWith("ExecStopPost=") || l.startsWith("ExecStartPost=")), unit);
        String failSafe = Render.failSafeUnit("/usr/bin/java", Installer.JAR.toString(), List.of());
        assertTrue(failSafe.contains("\nExecStart=/bin/sh /usr/local/lib/ntp-monitor/pintp-java job "
                + "/usr/local/lib/ntp-monitor/ntp-systemd.jar fail-safe\n"), failSafe);
        assertTrue(failSafe.contains("\nLogExtraFields=OBJECT_SYSTEMD_UNIT=ntp-monitor.service\n"), failSafe);
    }

    @Test
    void aJavaPathWithSpacesPercentAndDollarIsOneExecutableForSystemd() throws Exception {
        Path dir = root.resolve("opt/my java 100%/$HOME");
        Files.createDirectories(dir);
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Render.checkJava(java.toString());
        Path units = root.resolve("units");
        Files.createDirectories(units);
        List<Path> writable = new ArrayList<>(List.of(Path.of("/run/systemd/system/controller.service.d"),
                Path.of("/var/lib/node exporter/100%")));
        for (String unit : List.of(Render.serviceUnit(java.toString(), Installer.JAR.toString()),
                Render.daemonUnit(java.toString(), Installer.JAR.toString(), writable),
                Render.failSafeUnit(java.toString(), Installer.JAR.toString(), writable))) {
            assertEquals(1, unit.lines().filter(l -> l.startsWith("ExecStart=")).count(), unit);
            Files.writeString(units.resolve("ntp-monitor.service"), unit);
            // a misread path says "Command ... is not executable" or "Executable name contains special characters"
            assertEquals("", run(List.of("systemd-analyze", "verify", "--man=no", units.resolve("ntp-monitor.service").toString())),
                    unit);
        }
    }

    @Test
    void aPrimaryThatIsNotALanIpv4AddressGivesNoHostsLineOrDhcpEntries() throws Exception {
        assertEquals("10.1.2.3", Render.piZeroAddress(settings("[Servers]\nPrimary=ntp.lan 10.1.2.3\n").ntp()).get());
        for (String primary : List.of("ntp.lan", "127.0.0.1", "::1", "fe80::1%eth0", "0.0.0.0", "224.0.1.1",
                "999.1.1.1")) {
            assertFalse(Render.piZeroAddress(settings("[Servers]\nPrimary=" + primary + "\n").ntp()).isPresent(),
                    primary);
        }
    }
}
