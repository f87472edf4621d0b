package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallerTest {
    private static final String HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n";

    @TempDir
    Path root;
    @TempDir
    Path build;
    Path jar;
    final RecordingSystemctl systemctl = new RecordingSystemctl();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        jar = build.resolve("ntp-systemd.jar");
        Files.write(jar, new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        Fixtures.write(root, "/etc/hosts", HOSTS);
        Files.createDirectories(root.resolve("etc/systemd/system"));
    }

    private Installer installer(boolean live) {
        return new Installer(root, systemctl, new AtomicFiles(), new PrintStream(out, true, StandardCharsets.UTF_8),
                live);
    }

    private Installer.Options options(Optional<String> mac, boolean dryRun) {
        return new Installer.Options(mac, jar, "/usr/bin/java", dryRun, false);
    }

    private int install(Optional<String> mac) throws IOException {
        return installer(false).install(Fixtures.settings(root, ""), options(mac, false));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String read(String systemPath) throws IOException {
        return Files.readString(root.resolve(systemPath.substring(1)));
    }

    @Test
    void installWritesEveryFileAndEnablesTheTimer() throws IOException {
        assertEquals(0, install(Optional.of("B8:27:EB:12:34:56")));
        assertTrue(read("/etc/systemd/system/ntp-monitor.service").contains("Type=oneshot\n"));
        assertFalse(read("/etc/systemd/system/ntp-monitor.service").contains("Restart="), "no Restart= on a oneshot");
        String timer = read("/etc/systemd/system/ntp-monitor.timer");
        assertTrue(timer.contains("OnBootSec=30s\nOnUnitActiveSec=60s\nRandomizedDelaySec=10s\n"), timer);
        assertFalse(timer.contains("network-online"), timer);
        assertEquals(Path.of("/etc/systemd/system/ntp-monitor.timer"),
                Files.readSymbolicLink(root.resolve("etc/systemd/system/timers.target.wants/ntp-monitor.timer")));
        assertEquals("# Installed by ntp-monitor (pintp). The Pi Zero first, the Debian pool as fallback.\n"
                + "[Time]\nNTP=192.168.4.2\n"
                + "FallbackNTP=0.debian.pool.ntp.org 1.debian.pool.ntp.org 2.debian.pool.ntp.org\n"
                + "PollIntervalMinSec=32\nPollIntervalMaxSec=2048\nRootDistanceMaxSec=5\n",
                read("/etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf"));
        String dnsmasq = read("/etc/dnsmasq.d/ntp-monitor.conf");
        assertTrue(dnsmasq.contains("\ndhcp-host=b8:27:eb:12:34:56,192.168.4.2,pi-ntp\n"), dnsmasq);
        assertTrue(dnsmasq.contains("\ndhcp-option=42,192.168.4.2\n"), dnsmasq);
        assertEquals(HOSTS + "192.168.4.2 pi-ntp\n", read("/etc/hosts"));
        String aliases = read("/etc/profile.d/ntp-monitor.sh");
        for (String a : List.of("ntp.status", "ntp.show", "ntp.monitor.status", "ntp.monitor.logs", "ntp.monitor.run",
                "ntp.test")) {
            assertTrue(aliases.contains("alias " + a + "="), a);
        }
        assertTrue(Files.exists(root.resolve("usr/local/lib/ntp-monitor/ntp-systemd.jar")));
        assertTrue(output().contains("units not started"), output());
        assertEquals(List.of(), systemctl.calls(), "not the running system: no systemctl");
    }

    @Test
    void installTwiceChangesNothingTheSecondTimeAndAddsTheHostsLineOnce() throws IOException {
        install(Optional.empty());
        Map<String, String> first = Fixtures.tree(root);
        out.reset();
        install(Optional.empty());
        assertEquals(first, Fixtures.tree(root));
        assertTrue(output().contains("Already installed; nothing changed."), output());
        assertEquals(1, read("/etc/hosts").lines().filter(l -> l.equals("192.168.4.2 pi-ntp")).count());
    }

    @Test
    void anExistingHostsEntryIsKeptAndNotClaimed() throws IOException {
        Fixtures.write(root, "/etc/hosts", HOSTS + "192.168.4.2    pi-ntp   # mine\n");
        install(Optional.empty());
        assertEquals(HOSTS + "192.168.4.2    pi-ntp   # mine\n", read("/etc/hosts"));
        installer(false).uninstall(Fixtures.settings(root, ""), false);
        assertEquals(HOSTS + "192.168.4.2    pi-ntp   # mine\n", read("/etc/hosts"), "uninstall leaves it too");
    }

    @Test
    void dryRunPrintsAUnifiedDiffAndChangesNothing() throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        assertEquals(0, installer(false).install(Fixtures.settings(root, ""), options(Optional.empty(), true)));
        assertEquals(before, Fixtures.tree(root));
        String diff = output();
        assertTrue(diff.contains("--- /dev/null\n+++ b/etc/systemd/system/ntp-monitor.timer\n@@ -0,0 +1,"), diff);
        assertTrue(diff.contains("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +1,3 @@\n 127.0.0.1\tlocalhost\n"
                + " ::1\tlocalhost ip6-localhost\n+192.168.4.2 pi-ntp\n"), diff);
        assertTrue(diff.contains("+ symlink /etc/systemd/system/timers.target.wants/ntp-monitor.timer -> "
                + "/etc/systemd/system/ntp-monitor.timer"), diff);
        assertTrue(diff.contains("Binary file /usr/local/lib/ntp-monitor/ntp-systemd.jar would be created"), diff);

        install(Optional.empty());
        out.reset();
        installer(false).install(Fixtures.settings(root, ""), options(Optional.of("b8:27:eb:00:00:01"), true));
        assertTrue(output().contains("-# dhcp-host=<MAC>,192.168.4.2,pi-ntp\n")
                && output().contains("+dhcp-host=b8:27:eb:00:00:01,192.168.4.2,pi-ntp\n"), output());
        assertTrue(output().contains("1 change(s); nothing written (--dry-run)."), output());
    }

    @Test
    void uninstallRemovesExactlyWhatInstallWrote() throws IOException {
        Fixtures.write(root, "/etc/profile.d/other.sh", "alias x=y\n");
        Map<String, String> before = Fixtures.tree(root);
        install(Optional.of("b8:27:eb:12:34:56"));
        // the job's own runtime drop-ins go too
        Fixtures.write(root, "/run/systemd/system/controller.service.d/ntp-environment.conf", "[Service]\n");
        Files.writeString(root.resolve("etc/hosts"), read("/etc/hosts") + "10.0.0.9 added-later\n");
        assertEquals(0, installer(false).uninstall(Fixtures.settings(root, ""), false));
        Map<String, String> after = Fixtures.tree(root);
        Map<String, String> expected = new java.util.TreeMap<>(before);
        expected.put("etc/hosts", HOSTS + "10.0.0.9 added-later\n" + " mode " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                root.resolve("etc/hosts"))));
        expected.put("run", "dir");
        expected.put("run/systemd", "dir");
        expected.put("run/systemd/system", "dir");
        expected.put("run/systemd/system/controller.service.d", "dir");
        assertEquals(expected, after);
    }

    @Test
    void anInstallThatFailsHalfWayLeavesAManifestSoUninstallStillRemovesWhatItWrote() throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        // a file where install needs a directory: it fails after the units and the jar are written
        Fixtures.write(root, "/etc/systemd/system/timers.target.wants", "in the way\n");
        assertThrows(IOException.class, () -> install(Optional.of("b8:27:eb:12:34:56")));
        assertTrue(Files.exists(root.resolve("etc/systemd/system/ntp-monitor.service")));
        Files.delete(root.resolve("etc/systemd/system/timers.target.wants"));
        assertEquals(0, installer(false).uninstall(Fixtures.settings(root, ""), false), output());
        assertEquals(before, Fixtures.tree(root));
    }

    @Test
    void aLeaseMacIsShownButWrittenOnlyWhenConfirmedWithTrustLeaseElseANoteSaysHowToAddIt() throws IOException {
        install(Optional.empty());
        String none = read("/etc/dnsmasq.d/ntp-monitor.conf");
        assertFalse(none.contains("\ndhcp-host="), none);
        assertTrue(none.contains("ntp-monitor install --mac <MAC>"), none);
        Fixtures.write(root, "/var/lib/misc/dnsmasq.leases",
                "1764050000 aa:bb:cc:dd:ee:ff 192.168.4.50 laptop 01:aa:bb:cc:dd:ee:ff\n"
                        + "1764050000 B8:27:EB:AB:CD:EF 192.168.4.2 pi-ntp *\n");
        // any DHCP client can call itself pi-ntp: its MAC is shown in the diff and the output, not written
        out.reset();
        installer(false).install(Fixtures.settings(root, ""), options(Optional.empty(), true));
        assertTrue(output().contains("+# dnsmasq has a lease for a client calling itself pi-ntp with MAC b8:27:eb:ab:cd:ef"),
                output());
        assertTrue(output().contains("warning: the MAC b8:27:eb:ab:cd:ef comes from a DHCP lease"), output());
        install(Optional.empty());
        String unconfirmed = read("/etc/dnsmasq.d/ntp-monitor.conf");
        assertFalse(unconfirmed.contains("\ndhcp-host="), unconfirmed);
        assertTrue(unconfirmed.contains("--trust-lease"), unconfirmed);

        out.reset();
        installer(false).install(Fixtures.settings(root, ""),
                new Installer.Options(Optional.empty(), jar, "/usr/bin/java", false, true));
        assertTrue(read("/etc/dnsmasq.d/ntp-monitor.conf").contains("\ndhcp-host=b8:27:eb:ab:cd:ef,192.168.4.2,pi-ntp\n"));
        assertTrue(output().contains("taken from pi-ntp's DHCP lease"), output());

        // once written, a lease that now names another client does not replace it without confirmation
        Fixtures.write(root, "/var/lib/misc/dnsmasq.leases", "1764050000 de:ad:be:ef:00:01 192.168.4.2 pi-ntp *\n");
        out.reset();
        install(Optional.empty());
        assertTrue(read("/etc/dnsmasq.d/ntp-monitor.conf").contains("\ndhcp-host=b8:27:eb:ab:cd:ef,"));
        assertTrue(output().contains("now names MAC de:ad:be:ef:00:01"), output());
        Files.delete(root.resolve("var/lib/misc/dnsmasq.leases"));
        install(Optional.empty());
        assertTrue(read("/etc/dnsmasq.d/ntp-monitor.conf").contains("\ndhcp-host=b8:27:eb:ab:cd:ef,"),
                "a MAC confirmed before is kept");
    }

    @Test
    void theHostsLineAndTheDnsmasqEntriesFollowTheConfiguredPrimary() throws Exception {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Servers]\nPrimary=10.1.2.3\n");
        installer(false).install(Settings.load(root, Map.of()), options(Optional.of("b8:27:eb:12:34:56"), false));
        assertEquals(HOSTS + "10.1.2.3 pi-ntp\n", read("/etc/hosts"));
        String dnsmasq = read("/etc/dnsmasq.d/ntp-monitor.conf");
        assertTrue(dnsmasq.contains("\ndhcp-host=b8:27:eb:12:34:56,10.1.2.3,pi-ntp\n")
                && dnsmasq.contains("\ndhcp-option=42,10.1.2.3\n") && !dnsmasq.contains("192.168.4.2"), dnsmasq);

        // a primary that is a name: no address to pin, the line an earlier install added goes
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Servers]\nPrimary=ntp.lan\n");
        installer(false).install(Settings.load(root, Map.of()), options(Optional.of("b8:27:eb:12:34:56"), false));
        assertEquals(HOSTS, read("/etc/hosts"));
        String named = read("/etc/dnsmasq.d/ntp-monitor.conf");
        assertFalse(named.contains("\ndhcp-host=") || named.contains("\ndhcp-option="), named);
        assertEquals(0, installer(false).uninstall(Settings.load(root, Map.of()), false));
        assertEquals(HOSTS, read("/etc/hosts"));
    }

    @Test
    void onTheRunningSystemInstallReloadsAndStartsTheTimerOnlyWhenSomethingChanged() throws IOException {
        assertEquals(0, installer(true).install(Fixtures.settings(root, ""), options(Optional.empty(), false)));
        assertTrue(Files.isDirectory(root.resolve("run/systemd/system/controller.service.d")),
                "the directories the sandbox binds writable exist at once");
        // new units: a service running from an earlier install would be restarted (ActiveState active), the daemon too
        assertEquals(List.of("daemon-reload", "show ntp-monitor.service -p ActiveState",
                "try-restart ntp-monitor-daemon.service", "start ntp-monitor.timer",
                "show systemd-timesyncd.service -p LoadState", "try-restart systemd-timesyncd.service",
                "show dnsmasq.service -p LoadState", "try-restart dnsmasq.service"), systemctl.calls());
        systemctl.clear();
        installer(true).install(Fixtures.settings(root, ""), options(Optional.empty(), false));
        assertEquals(List.of(), systemctl.calls());
    }

    /**
     * An install made by "install --daemon" before the resident daemon became the default (ntp-monitor.service a
     * long-lived JVM, enabled into multi-user.target, no timer): the next install takes it back to the default, and
     * restarts the still running JVM into a oneshot check (issue 13: it went on running under the oneshot unit).
     */
    @Test
    void anEarlierDaemonInstallIsTakenBackToTheDefaultAndItsJvmStopped() throws IOException {
        install(Optional.empty());
        Path system = root.resolve("etc/systemd/system");
        Files.delete(system.resolve("timers.target.wants/ntp-monitor.timer"));
        Files.writeString(system.resolve("ntp-monitor.service"), "[Service]\nType=simple\nExecStart=/bin/true\n");
        Files.createDirectories(system.resolve("multi-user.target.wants"));
        Files.createSymbolicLink(system.resolve("multi-user.target.wants/ntp-monitor.service"),
                Path.of("/etc/systemd/system/ntp-monitor.service"));
        Path manifest = root.resolve("usr/local/lib/ntp-monitor/install-manifest");
        Files.writeString(manifest, Files.readString(manifest).replace(
                "link /etc/systemd/system/timers.target.wants/ntp-monitor.timer\n",
                "link /etc/systemd/system/multi-user.target.wants/ntp-monitor.service\n"));
        systemctl.clear();
        systemctl.property("ntp-monitor.service", "ActiveState", "active");
        installer(true).install(Fixtures.settings(root, ""), options(Optional.empty(), false));
        assertFalse(Files.exists(system.resolve("multi-user.target.wants/ntp-monitor.service"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(system.resolve("timers.target.wants/ntp-monitor.timer")));
        assertTrue(read("/etc/systemd/system/ntp-monitor.service").contains("Type=oneshot\n"));
        assertEquals(List.of("daemon-reload", "show ntp-monitor.service -p ActiveState",
                "try-restart ntp-monitor.service", "start ntp-monitor.timer"), systemctl.calls());
        String manifestText = read("/usr/local/lib/ntp-monitor/install-manifest");
        assertFalse(manifestText.contains("multi-user.target.wants/ntp-monitor.service"), manifestText);
    }

    /** A oneshot run in progress ("activating") is not restarted when its unit changes: it is a check, not the JVM. */
    @Test
    void aChangedServiceUnitDoesNotRestartACheckInProgress() throws IOException {
        install(Optional.empty());
        Files.writeString(root.resolve("etc/systemd/system/ntp-monitor.service"), "# edited\n");
        systemctl.clear();
        systemctl.property("ntp-monitor.service", "ActiveState", "activating");
        installer(true).install(Fixtures.settings(root, ""), options(Optional.empty(), false));
        assertEquals(List.of("daemon-reload", "show ntp-monitor.service -p ActiveState", "start ntp-monitor.timer"),
                systemctl.calls());
    }

    /** A running daemon keeps its unit, jar and launcher until it starts again: restarted when one changed. */
    @Test
    void aChangedDaemonUnitOrLauncherRestartsTheDaemon() throws IOException {
        install(Optional.empty());
        for (String changed : List.of("/etc/systemd/system/ntp-monitor-daemon.service",
                "/usr/local/lib/ntp-monitor/pintp-java")) {
            Files.writeString(root.resolve(changed.substring(1)), "# edited\n");
            systemctl.clear();
            installer(true).install(Fixtures.settings(root, ""), options(Optional.empty(), false));
            assertEquals(List.of("daemon-reload", "try-restart ntp-monitor-daemon.service", "start ntp-monitor.timer"),
                    systemctl.calls(), changed);
        }
    }

    @Test
    void theTimerIntervalAndWritablePathsFollowTheConfiguration() throws Exception {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Decision]\nInterval=15s\n[Controller]\n"
                + "DropInLocation=etc\n[Metrics]\nTextfilePath=/var/lib/prometheus/node-exporter/ntp.prom\n");
        installer(false).install(Settings.load(root, Map.of()), options(Optional.empty(), false));
        assertTrue(read("/etc/systemd/system/ntp-monitor.timer").contains("OnUnitActiveSec=15s\n"));
        // the units that run the job's code: the daemon and the fail-safe (the client writes none of these)
        for (String unit : List.of("ntp-monitor-daemon.service", "ntp-monitor-fail-safe.service")) {
            String text = read("/etc/systemd/system/" + unit);
            assertTrue(text.contains("ReadWritePaths=-/etc/systemd/system/controller.service.d "
                    + "-/run/systemd/timesyncd.conf.d -/var/lib/prometheus/node-exporter\n"), text);
        }
        assertEquals("# Installed by ntp-monitor (pintp): directories its sandboxed service writes to.\n"
                + "d /etc/systemd/system/controller.service.d 0755 root root -\n"
                + "d /run/systemd/timesyncd.conf.d 0755 root root -\n"
                + "d /var/lib/prometheus/node-exporter 0755 root root -\n", read("/etc/tmpfiles.d/ntp-monitor.conf"));
    }

    @Test
    void theAliasesFileDefinesEveryAliasInAPosixShell() throws Exception {
        install(Optional.empty());
        Path file = root.resolve("etc/profile.d/ntp-monitor.sh");
        Process p = new ProcessBuilder("sh", "-c", ". \"$0\" && alias", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        for (String a : List.of("ntp.status", "ntp.show", "ntp.monitor.status", "ntp.monitor.logs", "ntp.monitor.run",
                "ntp.test")) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(a + "=") || l.startsWith("alias " + a + "=")), a + "\n" + out);
        }
        // the original design's meaning: the status of the timer and of the service
        assertTrue(out.contains("ntp.monitor.status='systemctl status ntp-monitor.timer ntp-monitor.service'"), out);
    }

    @Test
    void aJavaPathThatIsNotAbsoluteOrHoldsAControlCharacterIsRefused() {
        for (String java : List.of("java", "/usr/bin/java\nExecStartPre=/bin/sh -c id", "/usr/bin/ja\tva",
                "/usr/bin/java\r", "", "/opt/j'; id; '/java", "/opt/j\"/java", "/opt/j\\x/java", "/usr/bin/java\u007f")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Installer.Options(Optional.empty(), jar, java, false, false), java);
            assertTrue(e.getMessage().startsWith("--java must be an absolute path") && !e.getMessage().contains("\n"),
                    e.getMessage());
        }
    }

    @Test
    void theAliasesHoldNothingFromTheInstallationSoNoJavaPathCanReachThem() throws Exception {
        String java = "/opt/j 1/$(id)/bin/java";
        assertEquals(0, installer(false).install(Fixtures.settings(root, ""),
                new Installer.Options(Optional.empty(), jar, java, false, false)));
        String aliases = read("/etc/profile.d/ntp-monitor.sh");
        assertEquals(Render.aliases(), aliases);
        assertFalse(aliases.contains("/opt/j") || aliases.contains("ntp-systemd.jar"), aliases);
    }

    @Test
    void aBadMacIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> options(Optional.of("not-a-mac"), false));
    }
}
