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
 * {@code ntp-monitor install --daemon} with the Debian package's layout (bookworm): the site command writes the
 * daemon's unit as an override in /etc/systemd/system and enables it with its own link, copies no jar, and
 * {@code --dry-run} shows exactly that first; the daemon (one JVM for the whole test, {@code Interval=5s}) brings
 * power saving, ends it when the Pi Zero's chronyd stops and brings it back when it starts; {@code ntp-monitor
 * install} without {@code --daemon} removes the override and the link, so the package's own units are in use again;
 * {@code apt-get remove} ends power saving and {@code dpkg --purge} leaves nothing.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class PackagedDaemonIT {
    static final String SERVICE = "ntp-monitor.service";
    static final String OVERRIDE = "/etc/systemd/system/ntp-monitor.service";
    static final String LINK = "/etc/systemd/system/multi-user.target.wants/ntp-monitor.service";
    static final String PACKAGED_UNIT = "/lib/systemd/system/ntp-monitor.service";
    static final String MANIFEST = "/var/lib/pintp/install-manifest";
    static final String PACKAGED_JAR = "/usr/share/pintp/ntp-systemd.jar";
    /** A daemon cycle every 5 s: a change shows within a few cycles, also on a loaded machine. */
    static final Duration CHANGE = Duration.ofSeconds(60);

    static Path deb;

    @BeforeAll
    static void canRun() {
        ScenariosIT.canRun();
        deb = PackagedPi.deb();
    }

    @Test
    void siteCommandWithDaemon_overridesThePackagesUnitRunsTheProceduresAndSwitchesBack() {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("deb-daemon")) {
            Lab lab = pi.lab;
            String before = lab.shMain(PackageLifecycleIT.OURS).out();
            PackagedPi.install(lab, deb);
            pi.write(PackagedPi.CONFFILE, pi.read(PackagedPi.CONFFILE) + "[Decision]\nInterval=5s\n");

            String dry = lab.inMain("ntp-monitor", "install", "--daemon", "--dry-run").ok().out();
            // what docs/systemd.md says of the --daemon unit: Type=simple running the jar's daemon, Restart=on-failure,
            // WantedBy=multi-user.target (how ExecStart launches the JVM is the launcher's business)
            assertTrue(dry.contains("+++ b" + OVERRIDE + "\n") && dry.contains("\n+Type=simple\n")
                    && dry.contains("\n+Restart=on-failure\n") && dry.contains("\n+WantedBy=multi-user.target\n"), dry);
            assertTrue(dry.lines().anyMatch(l -> l.startsWith("+ExecStart=") && l.contains(" " + PACKAGED_JAR + " ")
                    && l.endsWith(" daemon")), "no +ExecStart= running " + PACKAGED_JAR + "'s daemon\n" + dry);
            assertTrue(dry.contains("+ symlink " + LINK + " -> " + OVERRIDE + "\n"), dry);
            for (String p : new String[] {OVERRIDE, LINK, MANIFEST, PackageLifecycleIT.TIMESYNCD_DROP_IN}) {
                assertFalse(pi.exists(p), p + " written by --dry-run\n" + dry);
            }

            String site = lab.inMain("ntp-monitor", "install", "--daemon").ok().out();
            pi.log("ntp-monitor install --daemon:\n" + site.strip());
            assertTrue(pi.read(OVERRIDE).contains("\nType=simple\n"), pi.read(OVERRIDE));
            assertEquals(OVERRIDE, lab.inMain("readlink", LINK).ok().out().strip());
            assertFalse(pi.exists("/usr/local/lib/ntp-monitor"), "the packaged layout copies no jar\n" + site);
            String manifest = pi.read(MANIFEST);
            assertTrue(manifest.contains("\nfile " + OVERRIDE + "\n") && manifest.contains("\nlink " + LINK + "\n"),
                    manifest);
            assertEquals(Map.of("Type", "simple", "FragmentPath", OVERRIDE, "ActiveState", "active"),
                    show(lab, "Type", "FragmentPath", "ActiveState"));
            String pid = show(lab, "MainPID").get("MainPID");
            // the daemon writes the drop-in, then restarts the controller: wait for the restart, not the file
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() > 1 && lab.controllerEnv().contains("CONSERVE_POWER=1\n")),
                    "the controller was not restarted into power saving\n" + pi.journal());
            pi.assertPowerSaving("procedure 1 on the packaged daemon");
            int starts = lab.controllerStarts();
            assertTrue(lab.inMain("ntp-monitor", "install", "--daemon").ok().out()
                    .contains("Already installed; nothing changed."));

            lab.ctl("ntp", "pizero", "stop").ok();
            pi.log("Pi Zero's chronyd stopped");
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() == starts + 1), "no restart for the loss\n" + pi.journal());
            assertFalse(pi.exists(ProceduresIT.DROP_IN), "drop-in kept\n" + pi.journal());
            pi.assertNoPowerSaving("procedure 2 on the packaged daemon");
            pi.assertTimesyncdOnThePool("procedure 2 on the packaged daemon");
            assertEquals(starts + 1, lab.controllerStarts(), "one restart for the loss");
            lab.ctl("ntp", "pizero", "start").ok();
            pi.log("Pi Zero's chronyd started");
            assertTrue(Lab.await(CHANGE, () -> lab.controllerStarts() == starts + 2), "no restart for the recovery\n" + pi.journal());
            pi.assertPowerSaving("procedure 3 on the packaged daemon");
            pi.assertTimesyncdOnThePiZero("procedure 3 on the packaged daemon");
            assertEquals(starts + 2, lab.controllerStarts(), "a single outage costs exactly two restarts");
            assertEquals(pid, show(lab, "MainPID").get("MainPID"), "one daemon process throughout");

            // back to the package's timer: the override and its link go, the package's unit is the one loaded
            String back = lab.inMain("ntp-monitor", "install").ok().out();
            pi.log("ntp-monitor install (timer again):\n" + back.strip());
            assertFalse(pi.exists(OVERRIDE), back);
            assertFalse(pi.exists(LINK), back);
            assertEquals(PACKAGED_UNIT, show(lab, "FragmentPath").get("FragmentPath"), back);
            assertFalse(pi.read(MANIFEST).contains(OVERRIDE), pi.read(MANIFEST));
            assertEquals("active", lab.inMain("systemctl", "is-active", TimerRuns.TIMER).out().strip(), back);

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

    /** {@code systemctl show ntp-monitor.service} for {@code properties}. */
    static Map<String, String> show(Lab lab, String... properties) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("systemctl", "show", SERVICE));
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
