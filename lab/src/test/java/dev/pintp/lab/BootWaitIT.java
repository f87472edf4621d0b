package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Boot gating on real systemd: ntp-monitor-wait.service enabled by the real installer, the container rebooted, and the
 * order in which systemd started things read from systemd's own monotonic timestamps. Two test units wait for the
 * time: {@code needs-time.service} the usual way ({@code After=} and {@code Wants=time-sync.target}), and
 * {@code needs-verified-time.service} with {@code Requires=} and {@code After=ntp-monitor-wait.service}. One lab for
 * both boots (the Pi Zero serving, then not).
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
class BootWaitIT {
    /** The wait's timeout for the test, shortened from the default 180 s. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** A check's deadline (NtpConfig's default): the wait starts no check that could not end before the timeout. */
    static final Duration CHECK_DEADLINE = Duration.ofSeconds(2);
    static final String WAIT = "ntp-monitor-wait.service";
    static final String NEEDS_TIME = "needs-time.service";
    static final String NEEDS_VERIFIED = "needs-verified-time.service";
    /** How long a boot may take on a loaded machine: the wait's timeout, JVM starts and the rest of the boot. */
    static final Duration BOOT = Duration.ofSeconds(180);

    static Lab lab;

    @BeforeAll
    static void upAndInstall() {
        ScenariosIT.canRun();
        lab = Lab.up();
        write("/etc/ntp-monitor/ntp-monitor.conf", ScenariosIT.config("192.168.4.2", ScenariosIT.POOL, "60s"));
        lab.ctl("copy-in", ScenariosIT.SYSTEMD_JAR.toString(), ScenariosIT.JAR_IN_CONTAINER).ok();
        testUnit(NEEDS_TIME, "After=time-sync.target\nWants=time-sync.target\n");
        testUnit(NEEDS_VERIFIED, "Requires=" + WAIT + "\nAfter=" + WAIT + "\n");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The real installer, the wait enabled with the test's timeout and {@code require}. */
    static void installWait(String require) {
        lab.inMain("java", "-jar", ScenariosIT.JAR_IN_CONTAINER, "install", "--enable-wait", "--wait-timeout",
                TIMEOUT.toSeconds() + "s", "--wait-require", require).ok();
        assertEquals("enabled", lab.inMain("systemctl", "is-enabled", WAIT).out().strip());
        String unit = lab.inMain("cat", "/etc/systemd/system/" + WAIT).ok().out();
        assertTrue(unit.contains(" wait --timeout 20s --require " + require + " "), unit);
    }

    static void write(String absolute, String text) {
        try {
            Path p = lab.containerPath(absolute);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A oneshot that stays active once started, enabled into multi-user.target. */
    static void testUnit(String name, String dependencies) {
        write("/etc/systemd/system/" + name, "[Unit]\nDescription=pintp lab: " + name + "\n" + dependencies
                + "\n[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n\n[Install]\n"
                + "WantedBy=multi-user.target\n");
        lab.inMain("systemctl", "enable", name).ok();
    }

    /** Reboots the container; checks that systemd found no ordering cycle and prints the wait's log lines. */
    static void reboot() {
        lab.ctl(BOOT.plusSeconds(60), "reboot", Long.toString(BOOT.toSeconds())).ok();
        String all = journal();
        assertFalse(all.contains("ordering cycle"), all);
        System.err.print(lab.shMain("journalctl -b --no-pager -o short-monotonic -u " + WAIT).out());
    }

    /** {@code systemctl show UNIT} properties. */
    static Map<String, String> show(String unit, String... properties) {
        StringBuilder cmd = new StringBuilder("systemctl show " + unit);
        for (String p : properties) {
            cmd.append(" -p ").append(p);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : lab.shMain(cmd.toString()).ok().out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    static long monotonic(String unit, String property) {
        String v = show(unit, property).get(property);
        long us = Long.parseLong(v);
        assertTrue(us > 0, unit + " " + property + " is 0: it did not happen in this boot");
        return us;
    }

    static String journal(String... args) {
        StringBuilder cmd = new StringBuilder("journalctl -b --no-pager -o cat");
        for (String a : args) {
            cmd.append(' ').append(a);
        }
        return lab.shMain(cmd.toString()).out();
    }

    static String diagnosis() {
        return "\n" + journal("-u", WAIT, "-u", NEEDS_TIME, "-u", NEEDS_VERIFIED, "-u", "time-sync.target");
    }

    @Test
    void withThePiZeroServingTheUnitsAfterTimeSyncTargetStartAfterTheWaitVerifiedTheTime() {
        installWait("primary");
        lab.ctl("ntp", "pizero", "start").ok();
        reboot();
        Map<String, String> wait = show(WAIT, "ActiveState", "Result", "ExecMainStatus");
        assertEquals(Map.of("ActiveState", "active", "Result", "success", "ExecMainStatus", "0"), wait, diagnosis());
        String log = journal("-u", WAIT);
        assertTrue(log.contains("time verified against the primary 192.168.4.2 (192.168.4.2:123): offset "), log);

        long waitDone = monotonic(WAIT, "ExecMainExitTimestampMonotonic");
        long target = monotonic("time-sync.target", "ActiveEnterTimestampMonotonic");
        assertTrue(target >= waitDone, "time-sync.target reached at " + target + " µs, before the wait ended at "
                + waitDone + diagnosis());
        for (String unit : new String[] {NEEDS_TIME, NEEDS_VERIFIED}) {
            assertEquals("active", show(unit, "ActiveState").get("ActiveState"), unit + diagnosis());
            long started = monotonic(unit, "ExecMainStartTimestampMonotonic");
            assertTrue(started >= waitDone, unit + " started at " + started + " µs, before the wait ended at "
                    + waitDone + diagnosis());
        }
        System.err.printf("LAB boot wait [%s]: verified; wait ran %.1f s, time-sync.target %.3f s after it ended%n",
                lab.id, (waitDone - monotonic(WAIT, "ExecMainStartTimestampMonotonic")) / 1e6, (target - waitDone) / 1e6);
    }

    @Test
    void withThePiZeroDownTheWaitTimesOutSaysWhyAndOnlyTheUnitThatRequiresItStaysDown() {
        installWait("primary");
        // the job's last state before the reboot says verified; the wait must not take it for this boot's
        lab.ctl("ntp", "pizero", "start").ok();
        lab.inMain("systemctl", "start", "ntp-monitor.service").ok();
        String state = lab.inMain("cat", "/var/lib/ntp-monitor/sync-state").ok().out();
        assertTrue(state.contains("verdict=PRIMARY_SYNCED\n"), state);
        lab.ctl("ntp", "pizero", "stop").ok();
        try {
            reboot();
        } finally {
            lab.ctl("ntp", "pizero", "start").ok();
        }
        Map<String, String> wait = show(WAIT, "ActiveState", "Result", "ExecMainStatus");
        // exit-code, not timeout: the wait gave up by itself before systemd's TimeoutStartSec
        assertEquals(Map.of("ActiveState", "failed", "Result", "exit-code", "ExecMainStatus", "1"), wait, diagnosis());
        String errors = journal("-u", WAIT, "-p", "err");
        assertTrue(errors.contains("time not verified within the timeout of 20s ("), errors + diagnosis());
        assertTrue(errors.contains("last check: no primary verified it: 192.168.4.2 (192.168.4.2:123) "),
                errors + diagnosis());
        long waitStart = monotonic(WAIT, "ExecMainStartTimestampMonotonic");
        long waitDone = monotonic(WAIT, "ExecMainExitTimestampMonotonic");
        // it gives up when less than a check's deadline is left, never before
        double ran = (waitDone - waitStart) / 1e6;
        assertTrue(ran >= TIMEOUT.minus(CHECK_DEADLINE).toSeconds(), "the wait ended after " + ran + " s" + diagnosis());

        // time-sync.target is reached anyway, after the wait; the unit that only orders itself after it starts
        long target = monotonic("time-sync.target", "ActiveEnterTimestampMonotonic");
        assertTrue(target >= waitDone, "time-sync.target reached at " + target + " µs, before the wait ended at "
                + waitDone + diagnosis());
        assertEquals("active", show(NEEDS_TIME, "ActiveState").get("ActiveState"), diagnosis());
        long started = monotonic(NEEDS_TIME, "ExecMainStartTimestampMonotonic");
        assertTrue(started >= target, NEEDS_TIME + " started at " + started + " µs, before time-sync.target at "
                + target + diagnosis());
        // the one that Requires= the wait is not started: its start job failed with result 'dependency'
        assertEquals("inactive", show(NEEDS_VERIFIED, "ActiveState").get("ActiveState"), diagnosis());
        assertEquals("0", show(NEEDS_VERIFIED, "ExecMainStartTimestampMonotonic").get("ExecMainStartTimestampMonotonic"),
                diagnosis());
        String pid1 = journal("-u", NEEDS_VERIFIED);
        assertTrue(pid1.contains("failed with result 'dependency'"), pid1 + diagnosis());
        System.err.printf("LAB boot wait [%s]: timed out after %.1f s; time-sync.target %.3f s after it ended%n",
                lab.id, ran, (target - waitDone) / 1e6);
    }

    @Test
    void withThePiZeroDownAMajorityOfThePoolVerifiesTheTimeWhenAllowed() {
        installWait("majority");
        lab.ctl("ntp", "pizero", "stop").ok();
        try {
            reboot();
        } finally {
            lab.ctl("ntp", "pizero", "start").ok();
        }
        Map<String, String> wait = show(WAIT, "ActiveState", "Result", "ExecMainStatus");
        assertEquals(Map.of("ActiveState", "active", "Result", "success", "ExecMainStatus", "0"), wait, diagnosis());
        String log = journal("-u", WAIT);
        assertTrue(log.contains("time verified by a majority of the pool, 3 of 3 pool sources agree; closest "), log);
        assertEquals("active", show(NEEDS_VERIFIED, "ActiveState").get("ActiveState"), diagnosis());
        assertTrue(monotonic(NEEDS_VERIFIED, "ExecMainStartTimestampMonotonic")
                >= monotonic(WAIT, "ExecMainExitTimestampMonotonic"), diagnosis());
    }
}
