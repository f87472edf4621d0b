package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer with the Debian package's layout ({@link Installer.Layout#PACKAGED}), on a file root that holds what
 * the package ships ({@link Installer#packagedUnits} for the defaults, as the ntp-deb module packs them).
 */
class PackagedLayoutTest {
    private static final String HOSTS = "127.0.0.1\tlocalhost\n";

    @TempDir
    Path root;
    @TempDir
    Path build;
    Path jar;
    final RecordingSystemctl systemctl = new RecordingSystemctl();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void shipThePackage() throws IOException {
        jar = Fixtures.installable(root, build, HOSTS);
        Path empty = Files.createDirectories(build.resolve("empty"));
        for (Map.Entry<Path, String> f : Installer.packagedUnits(Fixtures.settings(empty, "")).entrySet()) {
            Fixtures.write(root, f.getKey().toString(), f.getValue());
        }
        // what deb-systemd-helper enable made
        Files.createDirectories(root.resolve("etc/systemd/system/timers.target.wants"));
        Files.createSymbolicLink(root.resolve("etc/systemd/system/timers.target.wants/ntp-monitor.timer"),
                Path.of("/usr/lib/systemd/system/ntp-monitor.timer"));
    }

    private Installer installer() {
        return new Installer(root, systemctl, new AtomicFiles(), new PrintStream(out, true, StandardCharsets.UTF_8), false);
    }

    private Installer.Options options(Installer.Layout layout) {
        return new Installer.Options(Optional.of("b8:27:eb:12:34:56"), jar, "/usr/bin/java", false,
                false, layout);
    }

    private int install(String ini) throws IOException {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", ini);
        return installer().install(Fixtures.settings(root, ini), options(Installer.Layout.PACKAGED));
    }

    private boolean exists(String systemPath) {
        return Files.exists(root.resolve(systemPath.substring(1)), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    private String read(String systemPath) throws IOException {
        return Files.readString(root.resolve(systemPath.substring(1)));
    }

    @Test
    void theJobRunsFromThePackagesJarThroughThePackagesLauncher() {
        String service = Installer.packagedUnits(Fixtures.settings(root, "")).get(Path.of("/usr/lib/systemd/system/ntp-monitor.service"));
        assertTrue(service.contains("ExecStart=/bin/sh /usr/lib/pintp/pintp-java daemon /usr/share/pintp/ntp-systemd.jar request\n"),
                service);
        String daemon = Installer.packagedUnits(Fixtures.settings(root, "")).get(Path.of("/usr/lib/systemd/system/ntp-monitor-daemon.service"));
        assertTrue(daemon.contains("ExecStart=/bin/sh /usr/lib/pintp/pintp-java daemon /usr/share/pintp/ntp-systemd.jar serve\n"),
                daemon);
        String failSafe = Installer.packagedUnits(Fixtures.settings(root, "")).get(Path.of("/usr/lib/systemd/system/ntp-monitor-fail-safe.service"));
        assertTrue(failSafe.contains("ExecStart=/bin/sh /usr/lib/pintp/pintp-java job /usr/share/pintp/ntp-systemd.jar fail-safe\n"),
                failSafe);
        assertEquals(Installer.Layout.PACKAGED, Installer.Layout.of(Path.of("/usr/share/pintp/ntp-systemd.jar")));
        assertEquals(Installer.Layout.LOCAL, Installer.Layout.of(Path.of("/opt/pintp/ntp-systemd.jar")));
    }

    @Test
    void withTheDefaultsTheSiteCommandWritesOnlyTheSitesFilesAndNoUnitOrJar() throws IOException {
        assertEquals(0, install(""));
        for (String none : new String[] {"/etc/systemd/system/ntp-monitor.service", "/etc/systemd/system/ntp-monitor.timer",
                "/etc/tmpfiles.d/ntp-monitor.conf", "/usr/local/lib/ntp-monitor"}) {
            assertFalse(exists(none), none + " written");
        }
        assertTrue(read("/etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf").contains("NTP=192.168.4.2\n"));
        assertTrue(read("/etc/dnsmasq.d/ntp-monitor.conf").contains("dhcp-host=b8:27:eb:12:34:56,192.168.4.2,pi-ntp\n"));
        assertEquals(HOSTS + "192.168.4.2 pi-ntp\n", read("/etc/hosts"));
        assertTrue(read("/etc/profile.d/ntp-monitor.sh").contains(
                "alias ntp.monitor.status='systemctl status ntp-monitor.timer ntp-monitor.service'\n"));
        String manifest = read("/var/lib/pintp/install-manifest");
        assertFalse(manifest.contains("ntp-monitor.timer") || manifest.contains(".jar"), manifest);
        assertEquals(Path.of("/usr/lib/systemd/system/ntp-monitor.timer"),
                Files.readSymbolicLink(root.resolve("etc/systemd/system/timers.target.wants/ntp-monitor.timer")),
                "the package's enablement is left alone");
        out.reset();
        assertEquals(0, install(""));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Already installed; nothing changed."));
    }

    @Test
    void aConfigurationThatRendersAUnitDifferentlyGetsAnOverrideInEtcUntilItRendersThePackagesAgain() throws IOException {
        assertEquals(0, install("[Decision]\nInterval=30s\n"));
        assertTrue(read("/etc/systemd/system/ntp-monitor.timer").contains("OnUnitActiveSec=30s\n"));
        assertFalse(exists("/etc/systemd/system/ntp-monitor-daemon.service"), "the daemon renders as packaged");
        assertEquals(0, install("[Metrics]\nTextfilePath=/var/lib/node-exporter/ntp.prom\n"));
        assertFalse(exists("/etc/systemd/system/ntp-monitor.timer"), "the timer override outlived its reason");
        assertTrue(read("/etc/systemd/system/ntp-monitor-daemon.service").contains("-/var/lib/node-exporter"));
        assertFalse(exists("/etc/systemd/system/ntp-monitor.service"), "the client writes nothing: as packaged");
        assertTrue(read("/etc/tmpfiles.d/ntp-monitor.conf").contains("/var/lib/node-exporter"));
        assertEquals(0, install(""));
        assertFalse(exists("/etc/systemd/system/ntp-monitor-daemon.service"));
        assertFalse(exists("/etc/tmpfiles.d/ntp-monitor.conf"));
    }

    @Test
    void uninstallRemovesTheSitesFilesAndTheJobsDropInsAndLeavesThePackagesFiles() throws IOException {
        assertEquals(0, install("[Decision]\nInterval=30s\n"));
        Fixtures.write(root, "/run/systemd/system/controller.service.d/ntp-environment.conf", "[Service]\n");
        Fixtures.write(root, "/run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf", "[Time]\n");
        assertEquals(0, installer().uninstall(Fixtures.settings(root, ""), false, Installer.Layout.PACKAGED));
        for (String gone : new String[] {"/etc/systemd/system/ntp-monitor.timer", "/etc/dnsmasq.d/ntp-monitor.conf",
                "/etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf", "/etc/profile.d/ntp-monitor.sh",
                "/run/systemd/system/controller.service.d/ntp-environment.conf",
                "/run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf", "/var/lib/pintp"}) {
            assertFalse(exists(gone), gone + " left");
        }
        assertEquals(HOSTS, read("/etc/hosts"));
        assertTrue(exists("/usr/lib/systemd/system/ntp-monitor.timer"));
    }

    @Test
    void withoutTheSiteCommandUninstallStillRemovesTheJobsDropIns() throws IOException {
        Fixtures.write(root, "/run/systemd/system/controller.service.d/ntp-environment.conf", "[Service]\n");
        assertEquals(0, installer().uninstall(Fixtures.settings(root, ""), false, Installer.Layout.PACKAGED));
        assertFalse(exists("/run/systemd/system/controller.service.d/ntp-environment.conf"));
    }

    @Test
    void theSiteCommandTakesOverAJarInstallAndRemovesWhatThePackageReplaces() throws IOException {
        Files.delete(root.resolve("etc/systemd/system/timers.target.wants/ntp-monitor.timer"));
        assertEquals(0, installer().install(Fixtures.settings(root, ""), options(Installer.Layout.LOCAL)));
        assertTrue(exists("/usr/local/lib/ntp-monitor/ntp-systemd.jar"));
        assertEquals(0, install(""));
        for (String gone : new String[] {"/usr/local/lib/ntp-monitor", "/etc/systemd/system/ntp-monitor.service",
                "/etc/systemd/system/ntp-monitor.timer", "/etc/tmpfiles.d/ntp-monitor.conf"}) {
            assertFalse(exists(gone), gone + " left");
        }
        assertEquals(Path.of("/usr/lib/systemd/system/ntp-monitor.timer"),
                Files.readSymbolicLink(root.resolve("etc/systemd/system/timers.target.wants/ntp-monitor.timer")));
        assertEquals(HOSTS + "192.168.4.2 pi-ntp\n", read("/etc/hosts"), "the hosts line once, now the package's");
        assertTrue(read("/var/lib/pintp/install-manifest").contains("line /etc/hosts 192.168.4.2 pi-ntp\n"));
    }
}
