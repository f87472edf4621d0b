package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The Debian package's life on a main Pi, once on bookworm (the host's root, OpenJDK 17, systemd 252) and once on
 * trixie (lab-prepare-trixie's debootstrap root: its own systemd 257, timesyncd, OpenJDK 21): {@code apt-get install
 * ./pintp_..._all.deb} (the timer enabled, the boot wait not) and the site command, the original three procedures on
 * the package's timer, an upgrade to a second build with a higher version ({@code dpkg -i}), {@code apt-get remove}
 * (the timer and the wait masked, as debhelper's postrm does), {@code dpkg --purge} (masks and all gone); the
 * controller's state is checked after every step.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class PackageLifecycleIT {
    static final Path DEB_DIR = Path.of(System.getProperty("lab.debDir", "../ntp-deb/target")).toAbsolutePath();
    static final String IN_CONTAINER = "/root/pintp_all.deb";
    static final String UPGRADE_IN_CONTAINER = "/root/pintp-upgrade_all.deb";
    static final String CONFFILE = "/etc/ntp-monitor/ntp-monitor.conf";
    static final String TIMESYNCD_DROP_IN = "/etc/systemd/timesyncd.conf.d/60-ntp-monitor.conf";
    static final String ADMIN_LINE = "# the administrator's note, kept across the upgrade\n";
    /** The units the maintainer scripts enable or keep the state of (deb-systemd-helper), masked on remove. */
    static final List<String> HELPER_UNITS = List.of(TimerRuns.TIMER, BootWaitIT.WAIT);
    /** Paths of this name in the container's system directories, listed before the install and after the purge (the
     * host's /etc/netns entries of concurrent labs and its lab cache /var/cache/pintp-lab, where a concurrent test may
     * be building the old package, show through the overlay's lower layer and are not the package's). */
    // /run/systemd/units/ is PID 1's own record of a loaded unit (log-extra-fields:UNIT, written when a unit with
    // LogExtraFields= starts, such as a fail-safe a remove set off), removed by systemd when it unloads the unit
    static final String OURS = "find /etc /var /run /usr /opt /srv -name '*ntp-monitor*' -o -name '*pintp*' 2>/dev/null"
            + " | grep -v -e '^/run/systemd/units/' -e '^/etc/netns/pintplab-' -e '^/var/lib/pintp-lab' -e '^/var/cache/pintp-lab' -e '^/usr/local/lib/pintp-lab' -e '^/root/' | sort";

    /** What of ours is in /etc/systemd/system: units, masks, enablement links (compared with the same before). */
    static final String OUR_UNITS = "find /etc/systemd/system -name '*ntp-monitor*' | sort";

    static Path deb;
    static Path upgrade;
    static String upgradeVersion;

    @TempDir
    static Path work;

    @BeforeAll
    static void packages() throws IOException {
        ScenariosIT.canRun();
        try (var s = Files.list(DEB_DIR)) {
            List<Path> debs = s.filter(p -> p.getFileName().toString().matches("pintp_.*_all\\.deb")).toList();
            if (debs.size() != 1) {
                Lab.loudSkip("need exactly one pintp_*_all.deb in " + DEB_DIR + " (package the ntp-deb module): " + debs);
            }
            deb = debs.get(0);
        }
        // the upgrade: the same files under a higher version, as the next build would be
        Path tree = work.resolve("tree");
        Lab.run(Duration.ofSeconds(120), "dpkg-deb", "-R", deb.toString(), tree.toString()).ok();
        Path control = tree.resolve("DEBIAN/control");
        String version = Lab.run(Duration.ofSeconds(10), "dpkg-deb", "-f", deb.toString(), "Version").ok().out().strip();
        upgradeVersion = version + "+lab1";
        Files.writeString(control, Files.readString(control).replace("Version: " + version + "\n",
                "Version: " + upgradeVersion + "\n"));
        upgrade = work.resolve("pintp_" + upgradeVersion + "_all.deb");
        Lab.run(Duration.ofSeconds(300), "dpkg-deb", "--build", "--root-owner-group", tree.toString(), upgrade.toString()).ok();
        Lab.run(Duration.ofSeconds(10), "dpkg", "--compare-versions", upgradeVersion, "gt", version).ok();
    }

    @Test
    void bookworm() {
        lifecycle("bookworm", Map.of());
    }

    @Test
    void trixie() {
        String root = Lab.run(Duration.ofSeconds(10), Lab.BIN.resolve("lab-prepare-trixie").toString(), "--print-root")
                .ok().out().strip();
        if (!Files.isExecutable(Path.of(root, "usr/lib/systemd/systemd")) || !Files.exists(Path.of(root, "usr/bin/java"))) {
            Lab.loudSkip("no trixie root in " + root + " (run lab/bin/lab-prepare-trixie; scripts/install-test-deps does)");
        }
        lifecycle("trixie", Map.of("LAB_LOWER", root));
    }

    /**
     * Remove when {@code ntp-monitor uninstall} cannot work (a configuration it refuses): the prerm still removes the
     * controller's drop-in and restarts the controller out of power saving, saying so; purge then removes what the
     * site command wrote, from its manifest.
     */
    @Test
    void bookwormRemoveWithAConfigurationTheJobRefuses() {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("deb-failsafe", Map.of())) {
            Lab lab = pi.lab;
            String before = lab.shMain(OURS).out();
            lab.ctl("copy-in", deb.toString(), IN_CONTAINER).ok();
            String apt = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get install -y " + IN_CONTAINER + " 2>&1").out();
            assertEquals("install ok installed", status(lab), apt);
            lab.inMain("ntp-monitor", "install").ok();
            long installed = TimerRuns.nowUs();
            pi.nextSuccessfulRun(installed);
            pi.assertPowerSaving("installed, Pi Zero available");
            int starts = lab.controllerStarts();
            pi.event("timer stopped, configuration broken", () -> {
                lab.inMain("systemctl", "stop", TimerRuns.TIMER).ok();
                pi.write(CONFFILE, "[Servers]\nTimeout=soon\n");
            });
            String removed = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get remove -y pintp 2>&1").out();
            pi.log("apt-get remove with a refused configuration:\n" + removed.strip());
            assertEquals("deinstall ok config-files", status(lab), removed);
            assertTrue(removed.contains("pintp: WARNING: 'ntp-monitor uninstall' failed"), removed);
            assertTrue(removed.contains("pintp: removed " + ProceduresIT.DROP_IN), removed);
            assertFalse(pi.exists(ProceduresIT.DROP_IN), removed);
            assertEquals(starts + 1, lab.controllerStarts(), "one controller restart to end power saving\n" + removed);
            pi.assertNoPowerSaving("after apt-get remove with a refused configuration");
            String purged = lab.shMain("DEBIAN_FRONTEND=noninteractive dpkg --purge pintp 2>&1").out();
            pi.log("dpkg --purge:\n" + purged.strip());
            assertFalse(pi.read("/etc/hosts").contains("pi-ntp"), purged);
            assertEquals(before, lab.shMain(OURS).out(), "purge left files behind\n" + purged);
        }
    }

    static void lifecycle(String release, Map<String, String> env) {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("deb-" + release, env)) {
            Lab lab = pi.lab;
            String osRelease = pi.read("/etc/os-release");
            assertTrue(osRelease.contains("VERSION_CODENAME=" + release + "\n"), osRelease);
            pi.log(lab.shMain("java -version 2>&1").out().lines().findFirst().orElse("") + "; "
                    + lab.inMain("systemctl", "--version").out().lines().findFirst().orElse(""));
            String before = lab.shMain(OURS).out();
            String unitsBefore = lab.shMain(OUR_UNITS).out();
            lab.ctl("copy-in", deb.toString(), IN_CONTAINER).ok();
            lab.ctl("copy-in", upgrade.toString(), UPGRADE_IN_CONTAINER).ok();

            // install: the package alone brings the timer up; the site command writes the site's files, no unit
            ProceduresIT.fallbackAndRecovery(pi, () -> {
                String apt = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get install -y " + IN_CONTAINER
                        + " 2>&1").out();
                assertEquals("install ok installed", status(lab), apt);
                assertEquals("enabled", lab.inMain("systemctl", "is-enabled", TimerRuns.TIMER).out().strip(), apt);
                assertEquals("active", lab.inMain("systemctl", "is-active", TimerRuns.TIMER).out().strip(), apt);
                // the boot wait is installed, not enabled (debhelper's --no-enable shape)
                assertEquals("disabled", lab.inMain("systemctl", "is-enabled", BootWaitIT.WAIT).out().strip(), apt);
                assertTrue(pi.exists(CONFFILE));
                String dry = lab.inMain("ntp-monitor", "install", "--dry-run").ok().out();
                assertFalse(pi.exists(TIMESYNCD_DROP_IN), "--dry-run wrote\n" + dry);
                String site = lab.inMain("ntp-monitor", "install").ok().out();
                long installed = TimerRuns.nowUs();
                pi.log("site command:\n" + site.strip());
                assertTrue(pi.read("/etc/hosts").contains("\n192.168.4.2 pi-ntp\n"), site);
                assertTrue(pi.exists(TIMESYNCD_DROP_IN), site);
                for (String unit : new String[] {"ntp-monitor.service", "ntp-monitor.timer", "ntp-monitor-daemon.service",
                        "ntp-monitor-fail-safe.service"}) {
                    assertFalse(pi.exists("/etc/systemd/system/" + unit), unit + " override for the defaults\n" + site);
                }
                assertTrue(lab.inMain("ntp-monitor", "install").ok().out().contains("Already installed; nothing changed."));
                pi.nextSuccessfulRun(installed);
                pi.assertPowerSaving("procedure 1 on the package, Pi Zero available");
                pi.assertTimesyncdOnThePiZero("procedure 1 on the package");
                pi.write(CONFFILE, pi.read(CONFFILE) + ADMIN_LINE);
                return lab.controllerStarts();
            }, "Pi Zero's chronyd stopped", () -> lab.ctl("ntp", "pizero", "stop").ok(),
                    () -> lab.ctl("ntp", "pizero", "start").ok());

            // upgrade: state, configuration and the controller's drop-in stay; the controller is not restarted
            int starts = lab.controllerStarts();
            String dropIn = pi.read(ProceduresIT.DROP_IN);
            long upgraded = pi.event("upgrade to " + upgradeVersion, () -> {
                String out = lab.shMain("DEBIAN_FRONTEND=noninteractive dpkg -i " + UPGRADE_IN_CONTAINER + " 2>&1").out();
                assertEquals(upgradeVersion, lab.inMain("dpkg-query", "-W", "-f", "${Version}", "pintp").out(), out);
            });
            assertEquals(starts, lab.controllerStarts(), "the upgrade restarted the controller");
            assertEquals(dropIn, pi.read(ProceduresIT.DROP_IN));
            assertTrue(pi.read(CONFFILE).endsWith(ADMIN_LINE), "the administrator's configuration was replaced");
            assertTrue(pi.exists("/var/lib/ntp-monitor/sync-state"));
            assertEquals("active", lab.inMain("systemctl", "is-active", TimerRuns.TIMER).out().strip());
            pi.nextSuccessfulRun(upgraded);
            pi.assertPowerSaving("the first run of the upgraded package");
            assertEquals(starts, lab.controllerStarts(), "the upgraded job restarted the controller");

            // remove: the controller restarted out of power saving, timesyncd back on its own configuration
            String removed = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get remove -y pintp 2>&1").out();
            pi.log("apt-get remove:\n" + removed.strip());
            assertEquals("deinstall ok config-files", status(lab), removed);
            assertFalse(pi.exists(ProceduresIT.DROP_IN), removed);
            assertFalse(pi.exists(ProceduresIT.STEERING), removed);
            assertEquals(starts + 1, lab.controllerStarts(), "one controller restart to end power saving\n" + removed);
            pi.assertNoPowerSaving("after apt-get remove");
            assertFalse(pi.exists(TIMESYNCD_DROP_IN), removed);
            assertFalse(pi.read("/etc/hosts").contains("pi-ntp"), removed);
            // debhelper's postrm-systemd: masked (a link to /dev/null) while the configuration files remain
            for (String unit : HELPER_UNITS) {
                assertEquals("masked", lab.inMain("systemctl", "is-enabled", unit).out().strip(), unit + "\n" + removed);
                assertEquals("masked", loadState(lab, unit), unit + "\n" + removed);
                assertEquals("/dev/null", lab.inMain("readlink", "/etc/systemd/system/" + unit).out().strip(), unit);
            }
            // the resident daemon was stopped with the service, not left running the removed jar
            assertEquals("inactive", lab.inMain("systemctl", "show", "-p", "ActiveState", "--value",
                    "ntp-monitor-daemon.service").out().strip(), removed);
            if (pi.timesyncd()) {
                assertTrue(Lab.await(ProceduresIT.TIMESYNCD_SWITCH,
                        () -> pi.timesyncdServer().endsWith(".debian.pool.ntp.org")),
                        "timesyncd is not back on its own configuration (the Debian pool): " + pi.timesyncdServer());
            }
            assertTrue(pi.exists(CONFFILE), "remove kept the configuration");
            assertTrue(pi.exists("/var/lib/ntp-monitor"), "remove kept the state");

            // purge: nothing is left, and the controller is left alone
            String purged = lab.shMain("DEBIAN_FRONTEND=noninteractive dpkg --purge pintp 2>&1").out();
            pi.log("dpkg --purge:\n" + purged.strip());
            assertEquals("", lab.inMain("dpkg-query", "-W", "-f", "${Status}", "pintp").out().strip(), purged);
            assertEquals(before, lab.shMain(OURS).out(), "purge left files behind\n" + purged);
            // the masks went with the enablement state: no link of ours in /etc/systemd/system, the units unknown
            assertEquals(unitsBefore, lab.shMain(OUR_UNITS).out(), purged);
            for (String unit : HELPER_UNITS) {
                assertEquals("not-found", loadState(lab, unit), unit + "\n" + purged);
            }
            assertEquals(starts + 1, lab.controllerStarts());
            pi.assertNoPowerSaving("after the purge");
        }
    }

    static String loadState(Lab lab, String unit) {
        return lab.inMain("systemctl", "show", "-p", "LoadState", "--value", unit).out().strip();
    }

    static String status(Lab lab) {
        return lab.inMain("dpkg-query", "-W", "-f", "${Status}", "pintp").out().strip();
    }

    static String text(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
