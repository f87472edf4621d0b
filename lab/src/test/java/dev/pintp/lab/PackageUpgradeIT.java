package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * An upgrade from the package an older commit built to the one just built, once on bookworm and once on trixie:
 * {@code apt-get install} of the old package ({@code lab-prepare-old-deb} builds it from {@link #OLD_COMMIT}'s tree
 * and lowers its version to {@code VERSION~gitCOMMIT}), its site command and a run that brings power saving, then
 * {@code apt-get install} of the current package over it. The old commit wrote its state files in the formats before
 * {@code pintp-state KIND 1} (docs/monitor.md): the upgrade keeps them, the configuration with the administrator's
 * edit and the controller's drop-in, does not restart the controller; the next run of the new job reads the old state
 * (no file moved aside as corrupt), keeps power saving and writes the state in the new format. {@code apt-get remove}
 * then undoes the old site command through its old-format manifest and ends power saving; purge leaves nothing.
 * PackageLifecycleIT upgrades to the same files under a higher version; this one changes the code.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class PackageUpgradeIT {
    /**
     * main when stop 18 began: the package before the one state-file format (305c209) and the install plans. Kept in
     * lab/old-package-commit, which scripts/install-test-deps reads too (it builds that package at set-up).
     */
    static final String OLD_COMMIT = oldCommit();
    static final String OLD_IN_CONTAINER = "/root/pintp-old_all.deb";
    static final String NEW_IN_CONTAINER = "/root/pintp-new_all.deb";
    static final String ADMIN_LINE = "# the administrator's note, kept across the upgrade from " + OLD_COMMIT + "\n";
    static final String SYNC_STATE = "/var/lib/ntp-monitor/sync-state";
    static final String APPLIED = "/var/lib/ntp-monitor/applied";

    static Path deb;
    static Path old;

    @BeforeAll
    static void packages() {
        ScenariosIT.canRun();
        deb = PackagedPi.deb();
        // cached by scripts/install-test-deps; else a build of the old tree with offline Maven, generous for a loaded
        // machine (about a minute alone)
        Lab.Result r = Lab.run(Duration.ofSeconds(900), Lab.BIN.resolve("lab-prepare-old-deb").toString(), OLD_COMMIT);
        if (r.exit() != 0) {
            Lab.loudSkip("no package of " + OLD_COMMIT + " (lab/bin/lab-prepare-old-deb " + OLD_COMMIT + "): " + r.err());
        }
        old = Path.of(r.out().strip());
        assertTrue(Files.isRegularFile(old), r.out() + r.err());
    }

    private static String oldCommit() {
        try {
            return Files.readString(Lab.BIN.resolveSibling("old-package-commit")).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void bookworm() {
        upgrade("bookworm", Map.of());
    }

    @Test
    void trixie() {
        String root = Lab.run(Duration.ofSeconds(10), Lab.BIN.resolve("lab-prepare-trixie").toString(), "--print-root")
                .ok().out().strip();
        if (!Files.isExecutable(Path.of(root, "usr/lib/systemd/systemd"))) {
            Lab.loudSkip("no trixie root in " + root + " (run lab/bin/lab-prepare-trixie; scripts/install-test-deps does)");
        }
        upgrade("trixie", Map.of("LAB_LOWER", root));
    }

    static void upgrade(String release, Map<String, String> env) {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("upgrade-" + release, env)) {
            Lab lab = pi.lab;
            assertTrue(pi.read("/etc/os-release").contains("VERSION_CODENAME=" + release + "\n"));
            String before = lab.shMain(PackageLifecycleIT.OURS).out();
            lab.ctl("copy-in", old.toString(), OLD_IN_CONTAINER).ok();
            lab.ctl("copy-in", deb.toString(), NEW_IN_CONTAINER).ok();
            String oldVersion = Lab.run(Duration.ofSeconds(10), "dpkg-deb", "-f", old.toString(), "Version").ok().out().strip();
            String newVersion = Lab.run(Duration.ofSeconds(10), "dpkg-deb", "-f", deb.toString(), "Version").ok().out().strip();
            Lab.run(Duration.ofSeconds(10), "dpkg", "--compare-versions", oldVersion, "lt", newVersion).ok();

            // the old package, its site command, power saving
            String apt = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get install -y " + OLD_IN_CONTAINER + " 2>&1").out();
            assertEquals("install ok installed", PackageLifecycleIT.status(lab), apt);
            assertEquals(oldVersion, version(lab), apt);
            String site = lab.inMain("ntp-monitor", "install").ok().out();
            long installed = TimerRuns.nowUs();
            pi.log(oldVersion + " installed, site command:\n" + site.strip());
            pi.nextSuccessfulRun(installed);
            pi.assertPowerSaving("the old package (" + OLD_COMMIT + "), Pi Zero available");
            pi.write(PackageLifecycleIT.CONFFILE, pi.read(PackageLifecycleIT.CONFFILE) + ADMIN_LINE);
            // what makes this an upgrade across formats: the old job's state is not in the new one's
            assertFalse(pi.read(SYNC_STATE).startsWith("pintp-state "), pi.read(SYNC_STATE));
            int starts = lab.controllerStarts();
            String dropIn = pi.read(ProceduresIT.DROP_IN);

            // the upgrade, with apt as a Pi admin runs it
            long upgraded = pi.event("upgrade to " + newVersion, () -> {
                String out = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get install -y " + NEW_IN_CONTAINER + " 2>&1").out();
                pi.log("apt-get install (upgrade):\n" + out.strip());
                assertEquals(newVersion, version(lab), out);
                assertEquals("install ok installed", PackageLifecycleIT.status(lab), out);
            });
            assertEquals(starts, lab.controllerStarts(), "the upgrade restarted the controller");
            assertEquals(dropIn, pi.read(ProceduresIT.DROP_IN), "the upgrade changed the controller's drop-in");
            assertTrue(pi.read(PackageLifecycleIT.CONFFILE).endsWith(ADMIN_LINE), "the administrator's configuration was replaced");
            assertEquals("active", lab.inMain("systemctl", "is-active", TimerRuns.TIMER).out().strip());
            pi.nextSuccessfulRun(upgraded);
            pi.assertPowerSaving("the first run of the upgraded package");
            assertEquals(starts, lab.controllerStarts(), "the upgraded job restarted the controller\n" + pi.journal());
            assertTrue(pi.read(SYNC_STATE).startsWith("pintp-state sync 1\n"), "sync-state after the new job's run:\n"
                    + pi.read(SYNC_STATE));
            assertTrue(pi.read(APPLIED).startsWith("pintp-state applied 1\n"), "applied after the new job's run:\n"
                    + pi.read(APPLIED));
            String moved = lab.shMain("ls /var/lib/ntp-monitor | grep -F .corrupt- || true").out();
            assertEquals("", moved, "the new job took the old state for corrupt\n" + pi.journal());
            String journal = lab.inMain("journalctl", "-u", TimerRuns.SERVICE, "--no-pager", "-o", "cat").out();
            assertFalse(journal.contains("corrupt state file"), journal);

            // remove undoes the old site command (its manifest is in the old format) and ends power saving
            String removed = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get remove -y pintp 2>&1").out();
            pi.log("apt-get remove:\n" + removed.strip());
            assertEquals("deinstall ok config-files", PackageLifecycleIT.status(lab), removed);
            assertFalse(pi.exists(ProceduresIT.DROP_IN), removed);
            assertEquals(starts + 1, lab.controllerStarts(), "one controller restart to end power saving\n" + removed);
            pi.assertNoPowerSaving("after apt-get remove of the upgraded package");
            assertFalse(pi.exists(PackageLifecycleIT.TIMESYNCD_DROP_IN), removed);
            assertFalse(pi.read("/etc/hosts").contains("pi-ntp"), removed);
            String purged = lab.shMain("DEBIAN_FRONTEND=noninteractive dpkg --purge pintp 2>&1").out();
            pi.log("dpkg --purge:\n" + purged.strip());
            assertEquals("", PackageLifecycleIT.status(lab), purged);
            assertEquals(before, lab.shMain(PackageLifecycleIT.OURS).out(), "purge left files behind\n" + purged);
        }
    }

    static String version(Lab lab) {
        return lab.inMain("dpkg-query", "-W", "-f", "${Version}", "pintp").out().strip();
    }
}
