package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Symmetric keys against the lab's real chronyd, and the on-path attacker: the real installer's
 * {@code install --auth key} makes the key pair, the Pi Zero's chronyd gets its copy, and
 * {@link ForgingUdpRelay} sits at 192.168.4.2:123 on the path to the Pi Zero's chronyd (moved to 127.0.0.1 in the Pi
 * Zero's namespace, as the lab's loss relay does), shifting every answer by +4 s. Without a key the probe uses the
 * forged time; with the key the probe and the job refuse it, and power saving goes off with the reason in the log.
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
class AuthScenariosIT {
    static final String DROP_IN = "/run/systemd/system/controller.service.d/ntp-environment.conf";
    private static final Pattern OFFSET = Pattern.compile("\"offsetSeconds\": ?(-?[0-9.Ee+-]+)");
    private static final Pattern DELAY = Pattern.compile("\"delaySeconds\": ?(-?[0-9.Ee+-]+)");

    private Lab lab;

    @BeforeAll
    static void canRun() {
        Lab.assumeLabCanRun();
        for (Path jar : new Path[] {ScenariosIT.SYSTEMD_JAR, ScenariosIT.PROBE_JAR}) {
            if (!Files.isRegularFile(jar)) {
                Lab.loudSkip("the auth scenarios need " + jar + " (package the module)");
            }
        }
    }

    @BeforeEach
    void up() {
        lab = Lab.up();
    }

    @AfterEach
    void down() {
        if (lab != null) {
            lab.close(); // lab-down also kills the relay: it lives in the Pi Zero's namespace
        }
    }

    private static String config(boolean keyed) {
        return "[Servers]\nPrimary=192.168.4.2\nFallback=\nTimeout=1s\n[Decision]\nInterval=60s\n"
                + (keyed ? "[Auth]\nPrimaryKey=1\n" : "");
    }

    private void writeConfig(String text) {
        try {
            Path conf = lab.containerPath("/etc/ntp-monitor/ntp-monitor.conf");
            Files.createDirectories(conf.getParent());
            Files.writeString(conf, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void runJob() {
        lab.inMain("systemctl", "reset-failed", "ntp-monitor.service");
        Lab.Result r = lab.inMain("systemctl", "start", "ntp-monitor.service");
        if (r.exit() != 0) {
            fail("ntp-monitor.service failed: " + r.err() + "\n" + journal());
        }
    }

    private String journal() {
        return lab.inMain("journalctl", "-u", "ntp-monitor.service", "--no-pager", "-o", "cat").out();
    }

    private String controllerEnvironment() {
        return lab.inMain("systemctl", "show", "controller.service", "-p", "Environment", "--value").ok().out().strip();
    }

    private Path hostDir(String host) {
        return Lab.RUN_BASE.resolve("pintplab-" + lab.id).resolve("hosts").resolve(host);
    }

    private Lab.Result lib(String script) {
        return Lab.run(Duration.ofSeconds(60), "bash", "-c", ". \"$1\"; " + script, "lab",
                Lab.BIN.resolve("lab-lib.sh").toString());
    }

    private Lab.Result probe(String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "java";
        cmd[1] = "-jar";
        cmd[2] = ScenariosIT.PROBE_JAR.toString();
        cmd[3] = "--json";
        System.arraycopy(args, 0, cmd, 4, args.length);
        return lab.inNs("main", cmd);
    }

    private static double number(Pattern p, String json) {
        Matcher m = p.matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void keysAgainstRealChronydAndTheOnPathAttacker() throws IOException {
        // 1. The real installer makes the key pair; the Pi Zero's chronyd gets its copy and is restarted.
        writeConfig(config(false));
        lab.ctl("copy-in", ScenariosIT.SYSTEMD_JAR.toString(), ScenariosIT.JAR_IN_CONTAINER).ok();
        Lab.Result installed = lab.inMain("java", "-jar", ScenariosIT.JAR_IN_CONTAINER, "install", "--auth", "key").ok();
        assertTrue(installed.out().contains("keyfile /etc/chrony/chrony.keys"), installed.out());
        lab.inMain("systemctl", "stop", "ntp-monitor.timer").ok();
        Path mainKeys = lab.containerPath("/etc/ntp-monitor/chrony.keys");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mainKeys)));
        Path piZeroKeys = hostDir("pizero").resolve("chrony.keys");
        Files.copy(lab.containerPath("/etc/ntp-monitor/pi-zero/chrony.keys"), piZeroKeys,
                StandardCopyOption.REPLACE_EXISTING);
        lab.ctl("ntp", "pizero", "stop").ok();
        lab.ctl("ntp", "pizero", "start").ok();
        assertTrue(Files.readString(hostDir("pizero").resolve("chrony.conf")).contains("keyfile " + piZeroKeys));

        // 2. With the key, the job verifies the Pi Zero's answers: power saving.
        writeConfig(config(true));
        runJob();
        runJob();
        String env = controllerEnvironment();
        assertTrue(env.contains("CONSERVE_POWER=1") && env.contains("NTP_SERVER=192.168.4.2"), env + "\n" + journal());
        Lab.Result keyedOk = probe("--keyfile", mainKeys.toString(), "--key", "1", "192.168.4.2");
        assertEquals(0, keyedOk.exit(), keyedOk.out() + keyedOk.err());

        // 3. The attacker on the path: chronyd behind 127.0.0.1, the forging relay at 192.168.4.2:123, +4 s.
        lib("lab_chronyd_stop " + lab.id + " pizero && lab_chronyd_start " + lab.id + " pizero 2 127.0.0.1 123 server")
                .ok();
        Path relayLog = hostDir("pizero").resolve("forge.log");
        lib("setsid ip netns exec \"$(lab_ns " + lab.id + " pizero)\" java -Dpintplab.run=pintplab-" + lab.id
                + " -cp \"$LAB_JAR\" dev.pintp.lab.ForgingUdpRelay 192.168.4.2:123 127.0.0.1:123 4 </dev/null >>"
                + relayLog + " 2>&1 &").ok();
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> {
            try {
                return Files.exists(relayLog) && Files.readString(relayLog).startsWith("listening");
            } catch (IOException e) {
                return false;
            }
        }), "the forging relay did not start");

        // 4. Without a key the forged time is used: the Pi Zero seems 4 s ahead (a --max-offset of 10 s makes it
        //    even the synchronized source).
        Lab.Result plain = probe("--max-offset", "10s", "192.168.4.2");
        assertEquals(0, plain.exit(), plain.out() + plain.err());
        assertTrue(plain.out().contains("\"verdict\": \"PRIMARY_SYNCED\"") || plain.out().contains("\"verdict\":\"PRIMARY_SYNCED\""),
                plain.out());
        double offset = number(OFFSET, plain.out());
        double delay = number(DELAY, plain.out());
        System.out.println("LAB AUTH: without a key, through the forging relay: offset " + offset + " s, delay " + delay
                + " s");
        assertEquals(4.0, offset, delay / 2 + 0.01, "the forged offset, within the measurement's error bound: "
                + plain.out());

        // 5. With the key the probe refuses it and says why.
        Lab.Result keyed = probe("--max-offset", "10s", "--keyfile", mainKeys.toString(), "--key", "1", "192.168.4.2");
        assertEquals(2, keyed.exit(), keyed.out() + keyed.err());
        assertTrue(keyed.out().contains("UNSYNCHRONIZED"), keyed.out());
        assertTrue(keyed.out().contains("bad-mac"), keyed.out());
        System.out.println("LAB AUTH: with key 1: " + keyed.out().strip());

        // 6. And the keyed job: power saving off, the log names the refusal.
        runJob();
        String after = controllerEnvironment();
        assertFalse(after.contains("CONSERVE_POWER"), after + "\n" + journal());
        assertFalse(Files.exists(lab.containerPath(DROP_IN)));
        String log = journal();
        assertTrue(log.contains("REJECTED BAD_MAC") && log.contains("failed authentication"), log);
        System.out.println("LAB AUTH: the job logged: " + log.lines().filter(l -> l.contains("BAD_MAC")).reduce((a, b) -> b).orElse(""));
    }
}
