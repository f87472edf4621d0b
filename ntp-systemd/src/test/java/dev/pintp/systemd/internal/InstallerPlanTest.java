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
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install and uninstall as plans: {@code --dry-run} prints the plan that a run then applies, so the dry run names
 * exactly the changes the run makes, in every situation (first install, re-install, a mode switch, a new primary,
 * the boot wait on and off, the package taking over a jar install, uninstall).
 */
class InstallerPlanTest {
    private static final String HOSTS = "127.0.0.1\tlocalhost\n";
    private static final Pattern COUNT = Pattern.compile("(\\d+) change\\(s\\); nothing written \\(--dry-run\\)\\.\n");

    @TempDir
    Path root;
    @TempDir
    Path build;
    Path jar;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        jar = Fixtures.installable(root, build, HOSTS);
        Files.createDirectories(root.resolve("etc/systemd/system"));
    }

    private Installer installer() {
        return new Installer(root, new RecordingSystemctl(), new AtomicFiles(),
                new PrintStream(out, true, StandardCharsets.UTF_8), false);
    }

    private Installer.Options options(boolean dryRun, Optional<BootWait.Options> wait, Installer.Layout layout) {
        return new Installer.Options(Optional.of("b8:27:eb:12:34:56"), jar, "/usr/bin/java", dryRun, false, wait,
                layout);
    }

    private String take() {
        String s = out.toString(StandardCharsets.UTF_8);
        out.reset();
        return s;
    }

    /** Runs install with {@code --dry-run}, then for real; checks that the first named what the second did. */
    private String dryRunThenRun(String ini, Optional<BootWait.Options> wait, Installer.Layout layout)
            throws IOException {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", ini);
        Map<String, String> before = Fixtures.tree(root);
        assertEquals(0, installer().install(Fixtures.settings(root, ini), options(true, wait, layout)));
        String dry = take();
        assertEquals(before, Fixtures.tree(root), "--dry-run wrote\n" + dry);
        assertEquals(0, installer().install(Fixtures.settings(root, ini), options(false, wait, layout)));
        String run = take();
        long changed = run.lines().filter(l -> l.startsWith("changed ")).count();
        Matcher m = COUNT.matcher(dry);
        assertEquals(changed, m.find() ? Long.parseLong(m.group(1)) : 0, "--dry-run said\n" + dry + "the run did\n" + run);
        assertEquals(changed == 0, dry.endsWith("Nothing to change.\n"), dry);
        return dry;
    }

    @Test
    void theDryRunNamesExactlyWhatTheRunThenChangesInEverySituation() throws IOException {
        Optional<BootWait.Options> wait = Optional.of(BootWait.Options.ofDefaults());
        dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL);
        assertTrue(dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL)
                .equals("Nothing to change.\n"));
        dryRunThenRun("[Servers]\nPrimary=10.1.2.3\n", wait, Installer.Layout.LOCAL);
        dryRunThenRun("[Servers]\nPrimary=ntp.lan\n", Optional.empty(), Installer.Layout.LOCAL);
        dryRunThenRun("", Optional.empty(), Installer.Layout.PACKAGED);
        dryRunThenRun("[Decision]\nInterval=30s\n", wait, Installer.Layout.PACKAGED);
        dryRunThenRun("", Optional.empty(), Installer.Layout.PACKAGED);
    }

    /**
     * Restored: the dry run printed "- remove line /etc/hosts" for the stale line and the run removed it; the
     * documented dry run is a unified diff of every change, the line's removal included.
     */
    @Test
    void aHostsLineForAnEarlierPrimaryIsShownAsADiffOfItsRemoval() throws IOException {
        dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL);
        String dry = dryRunThenRun("[Servers]\nPrimary=10.1.2.3\n", Optional.empty(),
                Installer.Layout.LOCAL);
        assertTrue(dry.contains("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +1,3 @@\n 127.0.0.1\tlocalhost\n"
                + " 192.168.4.2 pi-ntp\n+10.1.2.3 pi-ntp\n"), dry);
        assertTrue(dry.contains("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,3 +1,2 @@\n 127.0.0.1\tlocalhost\n"
                + "-192.168.4.2 pi-ntp\n 10.1.2.3 pi-ntp\n"), dry);
        assertFalse(dry.contains("- remove line"), dry);
        assertEquals(HOSTS + "10.1.2.3 pi-ntp\n", Files.readString(root.resolve("etc/hosts")));
    }

    /**
     * Restored: the dry run counted the removal of a stale file that was already gone, which the run then did not
     * remove ("a unified diff of every change").
     */
    @Test
    void aStaleFileAlreadyGoneIsNoChange() throws IOException {
        dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL);
        // an earlier "install --daemon" listed its link; the link is gone already
        Path manifest = root.resolve("usr/local/lib/ntp-monitor/install-manifest");
        Files.writeString(manifest, Files.readString(manifest)
                + "link /etc/systemd/system/multi-user.target.wants/ntp-monitor.service\n");
        String dry = dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL);
        assertFalse(dry.contains("multi-user.target.wants/ntp-monitor.service"), dry);
    }

    /**
     * Restored: when the package takes a jar install over, the run links the timer to the package's unit; the dry
     * run did not say so.
     */
    @Test
    void theTakeOverOfAJarInstallShowsTheLinkToThePackagesTimer() throws IOException {
        Path empty = Files.createDirectories(build.resolve("empty"));
        for (Map.Entry<Path, String> f : Installer.packagedUnits(Fixtures.settings(empty, "")).entrySet()) {
            Fixtures.write(root, f.getKey().toString(), f.getValue());
        }
        dryRunThenRun("", Optional.empty(), Installer.Layout.LOCAL);
        String dry = dryRunThenRun("", Optional.empty(), Installer.Layout.PACKAGED);
        assertTrue(dry.contains("- remove link " + Installer.TIMER_LINK + "\n+ symlink " + Installer.TIMER_LINK
                + " -> /usr/lib/systemd/system/ntp-monitor.timer\n"), dry);
        assertTrue(dry.contains("- remove file /usr/local/lib/ntp-monitor/install-manifest (the jar install's manifest;"
                + " now /var/lib/pintp/install-manifest)\n"), dry);
        assertEquals(Path.of("/usr/lib/systemd/system/ntp-monitor.timer"),
                Files.readSymbolicLink(Settings.under(root, Installer.TIMER_LINK)));
    }

    /** Restored: the run replaced a symlink where install writes a file; the dry run refused it, as the job does. */
    @Test
    void aSymlinkWhereInstallWritesAFileIsRefusedNotReplaced() throws IOException {
        Path theirs = Fixtures.write(root, "/srv/theirs.conf", "theirs\n");
        Files.createDirectories(root.resolve("etc/profile.d"));
        Files.createSymbolicLink(root.resolve("etc/profile.d/ntp-monitor.sh"), theirs);
        IOException e = assertThrows(IOException.class, () -> installer().install(Fixtures.settings(root, ""),
                options(false, Optional.empty(), Installer.Layout.LOCAL)));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        assertTrue(Files.isSymbolicLink(root.resolve("etc/profile.d/ntp-monitor.sh")));
        assertEquals("theirs\n", Files.readString(theirs));
    }

    /**
     * Uninstall's dry run names what the run removes, and only that. Restored: it listed every manifest entry, also
     * those already gone, and the hosts line as "- remove line"; now the line is a diff as in install's dry run.
     */
    @Test
    void uninstallsDryRunNamesExactlyWhatTheRunRemoves() throws IOException {
        dryRunThenRun("", Optional.of(BootWait.Options.ofDefaults()), Installer.Layout.LOCAL);
        Files.delete(root.resolve("etc/profile.d/ntp-monitor.sh"));
        Fixtures.write(root, "/run/systemd/system/controller.service.d/ntp-environment.conf", "[Service]\n");
        Map<String, String> before = Fixtures.tree(root);
        assertEquals(0, installer().uninstall(Fixtures.settings(root, ""), true));
        String dry = take();
        assertEquals(before, Fixtures.tree(root), "--dry-run removed\n" + dry);
        assertFalse(dry.contains("ntp-monitor.sh"), dry);
        assertTrue(dry.contains("--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +1 @@\n 127.0.0.1\tlocalhost\n"
                + "-192.168.4.2 pi-ntp\n"), dry);
        assertTrue(dry.contains("- remove file /run/systemd/system/controller.service.d/ntp-environment.conf\n"), dry);
        assertTrue(dry.endsWith("Nothing removed (--dry-run).\n"), dry);
        assertEquals(0, installer().uninstall(Fixtures.settings(root, ""), false));
        String run = take();
        long removed = run.lines().filter(l -> l.startsWith("removed ") && !l.startsWith("removed directory ")).count();
        long shown = dry.lines().filter(l -> l.startsWith("- remove ") || l.startsWith("+++ ")).count();
        assertEquals(shown, removed, "--dry-run said\n" + dry + "the run did\n" + run);
        assertTrue(run.contains("removed /etc/hosts line '192.168.4.2 pi-ntp'\n"), run);
        assertEquals(HOSTS, Files.readString(root.resolve("etc/hosts")));
    }
}
