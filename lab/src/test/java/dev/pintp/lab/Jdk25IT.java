package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The Debian package on trixie with OpenJDK 25 as the system's java (lab-prepare-trixie's root has trixie's default
 * OpenJDK 21 and openjdk-25-jre-headless; this container selects 25 with {@code update-alternatives}, in its own
 * overlay only): {@code apt-get install ./pintp_..._all.deb}, the site command, and the original three procedures
 * on the package's timer with the Pi Zero's chronyd stopped and started. That the checks really ran on 25 is seen in
 * the resident daemon's process (its executable is the JDK 25 java); that the probe did, in pintp-java's cache: its
 * stamp says {@code aot}, the AOT cache only a JDK 25 or later gets.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
@Execution(ExecutionMode.CONCURRENT)
class Jdk25IT {
    /** The resident daemon that makes the checks of the default install. */
    static final String DAEMON = "ntp-monitor-daemon.service";
    /** The same for ntp-probe run by root (the package's command puts root's archive there). */
    static final String PROBE_STAMP = "/var/cache/pintp/ntp-probe-probe.stamp";

    static Path deb;
    static String root;

    @BeforeAll
    static void canRun() {
        ScenariosIT.canRun();
        deb = PackagedPi.deb();
        root = Lab.run(Duration.ofSeconds(10), Lab.BIN.resolve("lab-prepare-trixie").toString(), "--print-root")
                .ok().out().strip();
        boolean has25;
        try (var jvms = Files.list(Path.of(root, "usr/lib/jvm"))) {
            has25 = jvms.anyMatch(p -> p.getFileName().toString().matches("java-25-openjdk-[a-z0-9]+"));
        } catch (java.io.IOException e) {
            has25 = false;
        }
        if (!Files.isExecutable(Path.of(root, "usr/lib/systemd/systemd")) || !has25) {
            Lab.loudSkip("no trixie root with OpenJDK 25 in " + root
                    + " (run lab/bin/lab-prepare-trixie; scripts/install-test-deps does)");
        }
    }

    @Test
    void packageOnTrixieWithJdk25_theThreeProcedures() {
        try (ProceduresIT.Pi pi = new ProceduresIT.Pi("jdk25", Map.of("LAB_LOWER", root))) {
            Lab lab = pi.lab;
            assertTrue(pi.read("/etc/os-release").contains("VERSION_CODENAME=trixie\n"));
            assertEquals("21", javaSpecification(lab), "the root's java is trixie's default");
            String java25 = lab.shMain("update-alternatives --list java | grep '/java-25-openjdk-[^/]*/bin/java$'")
                    .ok().out().strip();
            lab.inMain("update-alternatives", "--set", "java", java25).ok();
            assertEquals("25", javaSpecification(lab), "after update-alternatives --set java " + java25);
            pi.log("java: " + lab.shMain("java -version 2>&1").out().lines().findFirst().orElse(""));

            ProceduresIT.fallbackAndRecovery(pi, () -> {
                PackagedPi.install(lab, deb);
                String site = lab.inMain("ntp-monitor", "install").ok().out();
                long installed = TimerRuns.nowUs();
                pi.log("site command:\n" + site.strip());
                pi.nextSuccessfulRun(installed);
                pi.assertPowerSaving("procedure 1 on JDK 25, Pi Zero available");
                pi.assertTimesyncdOnThePiZero("procedure 1 on JDK 25");
                return lab.controllerStarts();
            }, "Pi Zero's chronyd stopped", () -> lab.ctl("ntp", "pizero", "stop").ok(),
                    () -> lab.ctl("ntp", "pizero", "start").ok());

            // the checks above were made by the resident daemon (the default install): its JVM (a child of the
            // launcher's sh, the unit's main process) is the JDK 25 java
            // (trixie's minbase root has no procps: /proc is read directly)
            String exes = lab.shMain("for d in /proc/[0-9]*; do case \"$(tr '\\0' ' ' <$d/cmdline 2>/dev/null)\" in"
                    + " *'ntp-systemd.jar serve'*) readlink -f $d/exe ;; esac; done").out();
            String real25 = lab.inMain("readlink", "-f", java25).ok().out().strip();
            assertTrue(exes.lines().anyMatch(real25::equals), DAEMON + " runs no " + real25 + ":\n" + exes
                    + lab.inMain("systemctl", "status", "--no-pager", "-n", "20", DAEMON).out());
            Lab.Result probe = lab.inMain("ntp-probe", "--primary", "192.168.4.2");
            assertEquals(0, probe.exit(), "ntp-probe on JDK 25 (0: PRIMARY_SYNCED)\n" + probe.out() + probe.err());
            assertTrue(pi.read(PROBE_STAMP).strip().endsWith(" aot"), "probe: " + pi.read(PROBE_STAMP));
        }
    }

    /** {@code java.specification.version} of the container's {@code java}: 21, 25. */
    static String javaSpecification(Lab lab) {
        String props = lab.shMain("java -XshowSettings:properties -version 2>&1").ok().out();
        return props.lines().map(String::strip).filter(l -> l.startsWith("java.specification.version = "))
                .map(l -> l.substring("java.specification.version = ".length())).findFirst().orElse(props);
    }
}
