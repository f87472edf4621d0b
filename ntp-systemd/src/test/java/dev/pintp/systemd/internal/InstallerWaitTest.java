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
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The installer and ntp-monitor-wait.service: always installed, enabled only with {@code --enable-wait}. */
class InstallerWaitTest {
    @TempDir
    Path root;
    @TempDir
    Path build;
    Path jar;
    final RecordingSystemctl systemctl = new RecordingSystemctl();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    static final BootWait.Options SHORT = BootWait.Options.ofDefaults().withTimeout(Duration.ofSeconds(20))
            .withRequire(BootWait.Require.MAJORITY);

    @BeforeEach
    void setUp() throws IOException {
        jar = build.resolve("ntp-systemd.jar");
        Files.write(jar, new byte[] {'P', 'K', 3, 4});
        Fixtures.write(root, "/etc/hosts", "127.0.0.1 localhost\n");
        Files.createDirectories(root.resolve("etc/systemd/system"));
    }

    private int install(boolean live, Optional<BootWait.Options> wait, boolean dryRun) throws IOException {
        return new Installer(root, systemctl, new AtomicFiles(), new PrintStream(out, true, StandardCharsets.UTF_8),
                live).install(Fixtures.settings(root, ""), new Installer.Options(
                        Optional.of("b8:27:eb:12:34:56"), jar, "/usr/bin/java", dryRun, false, wait));
    }

    private int uninstall(boolean live) throws IOException {
        return new Installer(root, systemctl, new AtomicFiles(), new PrintStream(out, true, StandardCharsets.UTF_8),
                live).uninstall(Fixtures.settings(root, ""), false);
    }

    private Path at(Path systemPath) {
        return Settings.under(root, systemPath);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theWaitUnitIsInstalledWithTheDefaultsButNotEnabledWithoutEnableWait() throws IOException {
        assertEquals(0, install(false, Optional.empty(), false));
        assertEquals(Render.waitUnit("/usr/bin/java", Installer.JAR.toString(), BootWait.Options.ofDefaults()),
                Files.readString(at(Installer.WAIT)));
        assertFalse(Files.exists(at(Installer.WAIT_LINK), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void enableWaitRendersItsOptionsAndLinksItIntoMultiUserTarget() throws IOException {
        assertEquals(0, install(true, Optional.of(SHORT), false));
        assertEquals(Render.waitUnit("/usr/bin/java", Installer.JAR.toString(), SHORT),
                Files.readString(at(Installer.WAIT)));
        assertEquals(Installer.WAIT, Files.readSymbolicLink(at(Installer.WAIT_LINK)));
        assertTrue(output().contains("note: ntp-monitor-wait.service is enabled: from the next boot on,"
                + " time-sync.target waits for verified time (at most 20s)"), output());
        // not started now: it is for the boot, and it would hold the install for up to its timeout
        assertFalse(systemctl.calls().stream().anyMatch(c -> c.contains("ntp-monitor-wait")), systemctl.calls()
                .toString());
        out.reset();
        assertEquals(0, install(true, Optional.of(SHORT), false));
        assertTrue(output().contains("Already installed; nothing changed."), output());
    }

    @Test
    void aDryRunShowsTheLinkAndWritesNothing() throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        assertEquals(0, install(false, Optional.of(SHORT), true));
        assertTrue(output().contains("+ symlink " + Installer.WAIT_LINK + " -> " + Installer.WAIT + "\n"), output());
        assertTrue(output().contains("+++ b" + Installer.WAIT + "\n"), output());
        assertEquals(before, Fixtures.tree(root));
    }

    @Test
    void installWithoutEnableWaitDisablesAWaitAnEarlierInstallEnabled() throws IOException {
        install(false, Optional.of(SHORT), false);
        out.reset();
        assertEquals(0, install(false, Optional.empty(), false));
        assertFalse(Files.exists(at(Installer.WAIT_LINK), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(output().contains("changed removed " + Installer.WAIT_LINK), output());
        assertTrue(Files.exists(at(Installer.WAIT)), "the unit stays installed");
    }

    @Test
    void aWaitEnabledByHandStaysEnabledAcrossAnInstall() throws IOException {
        install(false, Optional.empty(), false);
        Files.createDirectories(at(Installer.WAIT_LINK).getParent());
        Files.createSymbolicLink(at(Installer.WAIT_LINK), Installer.WAIT); // systemctl enable ntp-monitor-wait
        assertEquals(0, install(false, Optional.empty(), false));
        assertEquals(Installer.WAIT, Files.readSymbolicLink(at(Installer.WAIT_LINK)));
    }

    @Test
    void uninstallRemovesTheUnitAndItsLinkAlsoOneMadeByHandWithoutStoppingIt() throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        install(false, Optional.empty(), false);
        Files.createDirectories(at(Installer.WAIT_LINK).getParent());
        Files.createSymbolicLink(at(Installer.WAIT_LINK), Installer.WAIT);
        systemctl.clear();
        assertEquals(0, uninstall(true), output());
        assertFalse(Files.exists(at(Installer.WAIT)));
        assertFalse(Files.exists(at(Installer.WAIT_LINK), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(output().contains("removed " + Installer.WAIT_LINK + "\n"), output());
        // stopping it would stop every unit that Requires= it
        assertFalse(systemctl.calls().stream().anyMatch(c -> c.contains("ntp-monitor-wait")), systemctl.calls()
                .toString());
        Map<String, String> after = Fixtures.tree(root);
        after.keySet().removeIf(k -> k.startsWith("run"));
        // the directory the hand-made link needed is the admin's, not the installer's
        assertEquals("dir", after.remove("etc/systemd/system/multi-user.target.wants"));
        assertEquals(before, after);
    }

    @Test
    void uninstallLeavesAnotherUnitsLinkOfTheSameName() throws IOException {
        install(false, Optional.empty(), false);
        Files.createDirectories(at(Installer.WAIT_LINK).getParent());
        Files.createSymbolicLink(at(Installer.WAIT_LINK), Path.of("/lib/systemd/system/ntp-monitor-wait.service"));
        assertEquals(0, uninstall(false), output());
        assertEquals(Path.of("/lib/systemd/system/ntp-monitor-wait.service"),
                Files.readSymbolicLink(at(Installer.WAIT_LINK)));
        assertFalse(output().contains("multi-user.target.wants"), output());
    }
}
