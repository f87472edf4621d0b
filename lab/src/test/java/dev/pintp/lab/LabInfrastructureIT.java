package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The lab itself: real chronyd servers answer inside it, the container boots with real systemd and no clock rights. */
@Tag("lab")
@ExtendWith(LabAvailable.class)
class LabInfrastructureIT {
    private static Lab lab;

    @BeforeAll
    static void up() {
        Lab.assumeLabCanRun();
        lab = Lab.up();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static double offsetSeconds(String ntpdigJson) {
        Matcher m = Pattern.compile("\"offset\":(-?[0-9.]+)").matcher(ntpdigJson);
        assertTrue(m.find(), "no offset in " + ntpdigJson);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void chronydServersAnswerInsideTheLabWithTheHostsTime() {
        for (String address : new String[] {"192.168.4.2", "192.168.4.11", "192.168.4.12", "192.168.4.13"}) {
            String json = lab.inNs("main", "ntpdig", "-j", "-t", "2", address).ok().out();
            assertTrue(json.contains("\"stratum\":1"), address + ": " + json);
            assertTrue(Math.abs(offsetSeconds(json)) < 0.05, address + ": " + json);
        }
    }

    @Test
    void fakeTimeServerIsAheadByTheKnownOffset() {
        String json = lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.21").ok().out();
        assertEquals(3.0, offsetSeconds(json), 0.05, json);
    }

    @Test
    void poolNamesResolveToLabHostsInTheMainNamespaceAndTheContainer() {
        assertTrue(lab.inNs("main", "getent", "hosts", "0.debian.pool.ntp.org").ok().out().startsWith("192.168.4.11 "));
        assertTrue(lab.inMain("getent", "hosts", "2.debian.pool.ntp.org").ok().out().startsWith("192.168.4.13 "));
        String json = lab.inMain("ntpdig", "-j", "-t", "2", "1.debian.pool.ntp.org").ok().out();
        assertTrue(json.contains("\"ip\":\"192.168.4.12\""), json);
    }

    @Test
    void farAndKissOfDeathServersAnswerAsScripted() {
        String far = lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.22").ok().out();
        assertTrue(far.contains("\"stratum\":2"), far);
        Lab.Result kod = lab.inNs("main", "ntpdig", "-t", "2", "192.168.4.23");
        assertTrue(kod.err().contains("KOD") || kod.out().contains("KOD"), kod.toString());
    }

    @Test
    void stoppingThePiZerosNtpLeavesTheHostAnsweringPingAndStartingIsIdempotent() {
        try {
            lab.ctl("ntp", "pizero", "start").ok(); // already running: must not start a second chronyd
            lab.ctl("ntp", "pizero", "stop").ok();
            assertTrue(lab.inNs("main", "ntpdig", "-t", "1", "192.168.4.2").exit() != 0, "NTP still answers");
            assertEquals(0, lab.ctl("ping", "main", "192.168.4.2").exit(), "host does not answer ping");
            lab.ctl("link", "pizero", "down").ok();
            assertTrue(lab.ctl("ping", "main", "192.168.4.2").exit() != 0, "unplugged host answers ping");
        } finally {
            lab.ctl("link", "pizero", "up").ok();
            lab.ctl("ntp", "pizero", "start").ok();
        }
        assertEquals(0, lab.inNs("main", "ntpdig", "-t", "2", "192.168.4.2").exit());
    }

    @Test
    void clockPutsThePiZerosChronydOnAWrongClockAndBack() {
        try {
            lab.ctl("clock", "pizero", "+5s").ok();
            assertEquals(5.0, offsetSeconds(lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.2").ok().out()), 0.05);
            lab.ctl("ntp", "pizero", "stop").ok();
            lab.ctl("ntp", "pizero", "start").ok(); // the wrong clock survives a restart of the NTP service
            assertEquals(5.0, offsetSeconds(lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.2").ok().out()), 0.05);
            lab.ctl("clock", "pizero", "@2000-01-01 00:00:00").ok();
            String y2k = lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.2").ok().out();
            assertTrue(y2k.contains("\"time\":\"2000-01-01T"), y2k);
            assertTrue(lab.ctl("clock", "pizero", "tomorrow").exit() != 0, "a value libfaketime would misread is refused");
        } finally {
            lab.ctl("clock", "pizero", "real").ok();
        }
        assertEquals(0.0, offsetSeconds(lab.inNs("main", "ntpdig", "-j", "-t", "2", "192.168.4.2").ok().out()), 0.05);
    }

    @Test
    void noNamespaceHasARouteOutOfTheLab() {
        for (String host : new String[] {"main", "pizero", "pool1", "fake", "far"}) {
            assertEquals("", lab.inNs(host, "ip", "route", "show", "default").ok().out().strip(), host);
        }
        assertEquals("", lab.inMain("ip", "route", "show", "default").ok().out().strip());
    }

    @Test
    void containerBootsWithoutCapSysTime() {
        String state = lab.inMain("systemctl", "is-system-running").out().strip();
        assertTrue(state.equals("running") || state.equals("degraded"), state);
        assertEquals("systemd-nspawn", lab.inMain("systemd-detect-virt").ok().out().strip());
        Matcher m = Pattern.compile("CapBnd:\\s*([0-9a-f]+)").matcher(lab.inMain("cat", "/proc/1/status").ok().out());
        assertTrue(m.find());
        long capSysTime = 1L << 25;
        assertEquals(0, Long.parseLong(m.group(1), 16) & capSysTime, "CAP_SYS_TIME in the bounding set");
    }

    @Test
    void controllerStandInRecordsTheEnvironmentOfEveryStart() {
        int before = lab.controllerStarts();
        assertTrue(before >= 1, "controller stand-in never started");
        lab.shMain("mkdir -p /run/systemd/system/controller.service.d && printf '[Service]\\nEnvironment=LABPROBE=1\\n'"
                + " > /run/systemd/system/controller.service.d/probe.conf && systemctl daemon-reload"
                + " && systemctl restart controller").ok();
        assertTrue(Lab.await(Duration.ofSeconds(10), () -> lab.controllerStarts() == before + 1));
        assertTrue(lab.controllerEnv().contains("LABPROBE=1"), lab.controllerEnv());
        lab.shMain("rm -r /run/systemd/system/controller.service.d && systemctl daemon-reload && systemctl restart controller").ok();
        assertTrue(Lab.await(Duration.ofSeconds(10), () -> lab.controllerStarts() == before + 2));
        assertFalse(lab.controllerEnv().contains("LABPROBE"), lab.controllerEnv());
    }

    @Test
    void realTimesyncdRunsInTheContainerButCannotTouchTheClock() {
        Assumptions.assumeTrue(lab.ctl("timesyncd").ok().out().strip().equals("yes"),
                "no systemd-timesyncd for the container: run lab/bin/lab-prepare");
        assertTrue(Lab.await(Duration.ofSeconds(20),
                () -> lab.inMain("timedatectl", "show-timesync", "-p", "ServerAddress", "--value").out().startsWith("192.168.4.")));
        assertTrue(Lab.await(Duration.ofSeconds(10), () -> lab.inMain("journalctl", "-u", "systemd-timesyncd", "--no-pager")
                .out().contains("Operation not permitted")), "timesyncd's clock adjustment was not refused");
    }
}
