package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code ntp-monitor install --daemon} with the Debian package's layout (bookworm), now that the default install keeps
 * a resident daemon itself (issue 12; docs/systemd.md, "The default install"): {@code --daemon} is deprecated and
 * ignored. The site command says so and does exactly what it does without it ({@code --dry-run} shows the same
 * changes): no override of the package's ntp-monitor.service, no {@code multi-user.target} link, the package's timer
 * enabled (issue 13: it stayed enabled next to the daemon's unit). With {@code Interval=5s} the timer's runs ask the
 * package's resident daemon, which bring power saving, end it when the Pi Zero's chronyd stops and bring it back
 * when it starts, with one daemon process throughout; {@code apt-get remove} ends power saving and stops it, and
 * {@code dpkg --purge} leaves nothing.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class PackagedDaemonIT {
    static final String SERVICE = "ntp-monitor.service";
    static final String DAEMON = "ntp-monitor-daemon.service";
    static final String OVERRIDE = "/etc/systemd/system/ntp-monitor.service";
    static final String LINK = "/etc/systemd/system/multi-user.target.wants/ntp-monitor.service";
    static final String PACKAGED_UNIT = "/lib/systemd/system/ntp-monitor.service";
    static final String MANIFEST = "/var/lib/pintp/install-manifest";
    static final String PACKAGED_JAR = "/usr/share/pintp/ntp-systemd.jar";
    /** A timer run every 5 to 15 s: a change shows within a few runs, also on a loaded machine. */
    static final Duration CHANGE = Duration.ofSeconds(60);

    static Path deb;

    @BeforeAll
    static void canRun() {
        ScenariosIT.canRun();
        deb = PackagedPi.deb();
    }

    @Test
    void siteCommandWithDaemon_isTheDefaultWithANoteAndRunsTheProceduresOnThePackagesTimer() {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("deb-daemon")) {
            Lab lab = pi.lab;
            String before = lab.shMain(PackageLifecycleIT.OURS).out();
            PackagedPi.install(lab, deb);
            pi.write(PackagedPi.CONFFILE, pi.read(PackagedPi.CONFFILE) + "[Decision]\nInterval=5s\n");

            String note = "note: --daemon is deprecated and ignored";
            String dry = lab.inMain("ntp-monitor", "install", "--daemon", "--dry-run").ok().out();
            assertTrue(dry.startsWith(note) || dry.contains("\n" + note), dry);
            String plain = lab.inMain("ntp-monitor", "install", "--dry-run").ok().out();
            assertEquals(plain, dry.lines().filter(l -> !l.startsWith(note)).map(l -> l + "\n")
                    .reduce("", String::concat), "--daemon changes what install does");
            assertFalse(dry.contains(OVERRIDE) || dry.contains(LINK), dry);
            for (String p : new String[] {OVERRIDE, LINK, MANIFEST, PackageLifecycleIT.TIMESYNCD_DROP_IN}) {
                assertFalse(pi.exists(p), p + " written by --dry-run\n" + dry);
            }

            String site = lab.inMain("ntp-monitor", "install", "--daemon").ok().out();
            pi.log("ntp-monitor install --daemon:\n" + site.strip());
            assertTrue(site.contains(note), site);
            assertFalse(pi.exists(OVERRIDE), "an override of the package's service\n" + site);
            assertFalse(pi.exists(LINK), site);
            assertFalse(pi.exists("/usr/local/lib/ntp-monitor"), "the packaged layout copies no jar\n" + site);
            assertTrue(pi.read("/etc/systemd/system/ntp-monitor.timer").contains("OnUnitActiveSec=5s\n"));
            assertEquals("enabled", lab.inMain("systemctl", "is-enabled", TimerRuns.TIMER).out().strip(), site);
            assertEquals("active", lab.inMain("systemctl", "is-active", TimerRuns.TIMER).out().strip(), site);
            assertEquals(Map.of("Type", "oneshot", "FragmentPath", PACKAGED_UNIT), show(lab, SERVICE, "Type", "FragmentPath"));
            // the timer's runs start the daemon; the daemon writes the drop-in, then restarts the controller
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() > 1 && lab.controllerEnv().contains("CONSERVE_POWER=1\n")),
                    "the controller was not restarted into power saving\n" + pi.journal());
            pi.assertPowerSaving("procedure 1 on the package, installed with --daemon");
            String pid = show(lab, DAEMON, "MainPID").get("MainPID");
            int starts = lab.controllerStarts();
            assertTrue(lab.inMain("ntp-monitor", "install", "--daemon").ok().out()
                    .contains("Already installed; nothing changed."));

            lab.ctl("ntp", "pizero", "stop").ok();
            pi.log("Pi Zero's chronyd stopped");
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() == starts + 1), "no restart for the loss\n" + pi.journal());
            assertFalse(pi.exists(ProceduresIT.DROP_IN), "drop-in kept\n" + pi.journal());
            pi.assertNoPowerSaving("procedure 2 on the package");
            pi.assertTimesyncdOnThePool("procedure 2 on the package");
            assertEquals(starts + 1, lab.controllerStarts(), "one restart for the loss");
            lab.ctl("ntp", "pizero", "start").ok();
            pi.log("Pi Zero's chronyd started");
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() == starts + 2), "no restart for the recovery\n" + pi.journal());
            pi.assertPowerSaving("procedure 3 on the package");
            pi.assertTimesyncdOnThePiZero("procedure 3 on the package");
            assertEquals(starts + 2, lab.controllerStarts(), "a single outage costs exactly two restarts");
            assertEquals(pid, show(lab, DAEMON, "MainPID").get("MainPID"), "one daemon process throughout");

            String removed = lab.shMain("DEBIAN_FRONTEND=noninteractive apt-get remove -y pintp 2>&1").out();
            pi.log("apt-get remove:\n" + removed.strip());
            assertEquals("deinstall ok config-files", PackageLifecycleIT.status(lab), removed);
            assertFalse(pi.exists(ProceduresIT.DROP_IN), removed);
            pi.assertNoPowerSaving("after apt-get remove");
            assertEquals(starts + 3, lab.controllerStarts(), "one restart to end power saving\n" + removed);
            // pgrep itself, not a shell around it: a shell's command line would name the jar too
            Lab.Result left = lab.inMain("pgrep", "-af", PACKAGED_JAR);
            assertEquals(1, left.exit(), "a job process outlived the package: " + left.out() + "\n" + removed);
            String purged = lab.shMain("DEBIAN_FRONTEND=noninteractive dpkg --purge pintp 2>&1").out();
            assertEquals(before, lab.shMain(PackageLifecycleIT.OURS).out(), "purge left files behind\n" + purged);
        }
    }

    /** {@code systemctl show UNIT} for {@code properties}. */
    static Map<String, String> show(Lab lab, String unit, String... properties) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("systemctl", "show", unit));
        for (String p : properties) {
            cmd.add("-p");
            cmd.add(p);
        }
        lab.inMain(cmd.toArray(String[]::new)).ok().out().lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                out.put(l.substring(0, eq), l.substring(eq + 1));
            }
        });
        return out;
    }
}
