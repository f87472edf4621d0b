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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * NTS (RFC 8915) in the lab, end to end: the Pi Zero's real chronyd serves NTS with a certificate from a CA this test
 * makes with openssl, the real installer's {@code install --auth nts} steps are followed in the main Pi container, and
 * the installed, sandboxed job gets power saving over NTS; chronyd's own NTS client in the main Pi's namespace
 * confirms the server set-up. Then each attacker, as its own scenario, starting from power saving granted over NTS:
 * forged plain answers, forged NTS answers, a tampered NTS-KE (handshake and response), an untrusted CA, a
 * certificate for another name and an expired one. Each ends with no {@code CONSERVE_POWER} and a log line that says why.
 *
 * <p>One lab for the class (bringing one up costs more than a scenario); every scenario first puts the Pi Zero back
 * into the good state and checks that power saving is granted, so none depends on another's order. The attackers sit
 * on the path as the lab's other relays do: chronyd moves to 127.0.0.1 in the Pi Zero's namespace, and relays take
 * 192.168.4.2:123 (UDP, {@link ForgingUdpRelay}) and 192.168.4.2:4460 (TCP, {@link TcpRelay}).
 */
@Tag("lab")
@ExtendWith(LabAvailable.class)
class NtsScenariosIT {
    static final String PIZERO = "192.168.4.2";
    static final String CA_IN_CONTAINER = "/etc/ntp-monitor/nts-ca.pem";
    static final String OTHER_CA_IN_CONTAINER = "/etc/ntp-monitor/other-ca.pem";
    private static final Pattern OFFSET = Pattern.compile("\"offsetSeconds\": ?(-?[0-9.Ee+-]+)");
    private static final Pattern DELAY = Pattern.compile("\"delaySeconds\": ?(-?[0-9.Ee+-]+)");

    private static Lab lab;
    private static Path pki;

    @BeforeAll
    static void up() throws IOException {
        Lab.assumeLabCanRun();
        for (Path jar : new Path[] {ScenariosIT.SYSTEMD_JAR, ScenariosIT.PROBE_JAR}) {
            if (!Files.isRegularFile(jar)) {
                Lab.loudSkip("the NTS scenarios need " + jar + " (package the module)");
            }
        }
        if (Lab.run(Duration.ofSeconds(10), "sh", "-c", "command -v openssl").exit() != 0) {
            Lab.loudSkip("the NTS scenarios need openssl (the test's CA)");
        }
        lab = Lab.up();
        pki = hostDir("pizero").resolve("pki");
        makePki(pki);

        // The real installer in the container, then the steps install --auth nts prints for this machine.
        writeConfig(config(false, CA_IN_CONTAINER));
        lab.ctl("copy-in", ScenariosIT.SYSTEMD_JAR.toString(), ScenariosIT.JAR_IN_CONTAINER).ok();
        Lab.Result installed = lab.inMain("java", "-jar", ScenariosIT.JAR_IN_CONTAINER, "install", "--auth", "nts")
                .ok();
        for (String line : new String[] {"ntsserverkey /etc/chrony/nts.key", "ntsservercert /etc/chrony/nts.crt",
            "subjectAltName=IP:" + PIZERO, "PrimaryNts=yes", "NtsCa=" + CA_IN_CONTAINER}) {
            assertTrue(installed.out().contains(line), "install --auth nts prints " + line + ":\n" + installed.out());
        }
        lab.inMain("systemctl", "stop", "ntp-monitor.timer").ok();
        copyIntoContainer(pki.resolve("ca.crt"), CA_IN_CONTAINER);
        copyIntoContainer(pki.resolve("other-ca.crt"), OTHER_CA_IN_CONTAINER);
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close(); // lab-down kills chronyd and the relays too: they live in the Pi Zero's namespace
        }
    }

    /**
     * The test's PKI with the commands {@code install --auth nts} prints: a CA, the Pi Zero's certificate (IP
     * 192.168.4.2), one for another name signed by the same CA, one for the right name that expired (signed under
     * libfaketime 400 days ago, valid for 30), and a second CA that signs nothing the Pi Zero has.
     */
    private static void makePki(Path dir) throws IOException {
        Files.createDirectories(dir);
        String ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        String script = String.join("\n", "set -e", "cd \"$1\"",
                "openssl req -x509 " + ec + " -days 3650 -subj '/CN=pintp lab NTS CA' -keyout ca.key -out ca.crt",
                "openssl req -x509 " + ec + " -days 30 -subj '/CN=another CA' -keyout other-ca.key -out other-ca.crt",
                "issue() {",
                "  openssl req " + ec + " -subj \"/CN=$2\" -keyout \"$1.key\" -out \"$1.csr\"",
                "  printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' \"$3\""
                        + " > \"$1.ext\"",
                "  $4 openssl x509 -req -in \"$1.csr\" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30"
                        + " -extfile \"$1.ext\" -out \"$1.crt\"",
                "}",
                // libfaketime preloaded as lab-lib.sh does (the faketime wrapper leaves shared memory behind)
                "issue expired " + PIZERO + " IP:" + PIZERO
                        + " \"env LD_PRELOAD=$2 FAKETIME=-400d FAKETIME_DONT_FAKE_MONOTONIC=1\"",
                "issue good " + PIZERO + " IP:" + PIZERO,
                "issue wrong-name pizero.other 'DNS:pizero.other,IP:192.168.4.3'",
                "chmod 600 *.key", "");
        String libfaketime = lib("lab_libfaketime").ok().out().strip();
        Lab.run(Duration.ofSeconds(60), "bash", "-c", script, "pki", dir.toString(), libfaketime).ok();
    }

    private static String config(boolean nts, String ca) {
        return "[Servers]\nPrimary=" + PIZERO + "\nFallback=\nTimeout=1s\n[Decision]\nInterval=60s\n"
                + (nts ? "[Auth]\nPrimaryNts=yes\nNtsCa=" + ca + "\n" : "");
    }

    private static void writeConfig(String text) {
        try {
            Path conf = lab.containerPath("/etc/ntp-monitor/ntp-monitor.conf");
            Files.createDirectories(conf.getParent());
            Files.writeString(conf, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyIntoContainer(Path file, String to) throws IOException {
        Path target = lab.containerPath(to);
        Files.createDirectories(target.getParent());
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path hostDir(String host) {
        return Lab.RUN_BASE.resolve("pintplab-" + lab.id).resolve("hosts").resolve(host);
    }

    private static Lab.Result lib(String script) {
        return Lab.run(Duration.ofSeconds(60), "bash", "-c", ". \"$1\"; " + script, "lab",
                Lab.BIN.resolve("lab-lib.sh").toString());
    }

    // --- the Pi Zero: chronyd with a certificate, directly or behind the relays -------------------------------------

    /**
     * (Re)starts the Pi Zero's NTS server with certificate {@code cert} ("good", "wrong-name"). Without relays
     * chronyd serves 192.168.4.2 itself; otherwise it serves 127.0.0.1 and the relays take 192.168.4.2: UDP through
     * {@link ForgingUdpRelay} with {@code udpArgs} ("0" forwards unchanged), TCP through {@link TcpRelay} in
     * {@code tcpMode}.
     */
    private static void serve(String cert, boolean relays, String udpArgs, String tcpMode) throws IOException {
        stopRelays();
        lib("lab_chronyd_stop " + lab.id + " pizero").ok();
        Path d = hostDir("pizero");
        Files.copy(pki.resolve(cert + ".crt"), d.resolve("nts.crt"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(pki.resolve(cert + ".key"), d.resolve("nts.key"), StandardCopyOption.REPLACE_EXISTING);
        String bind = relays ? "127.0.0.1" : PIZERO;
        lib("lab_chronyd_start " + lab.id + " pizero 2 " + bind + " 123 server").ok();
        String conf = Files.readString(d.resolve("chrony.conf"));
        assertTrue(conf.contains("ntsservercert " + d.resolve("nts.crt")), conf);
        awaitListening(bind + ":4460");
        if (relays) {
            startRelay("udp", "ForgingUdpRelay " + PIZERO + ":123 127.0.0.1:123 " + udpArgs);
            startRelay("tcp", "TcpRelay " + PIZERO + ":4460 127.0.0.1:4460 " + tcpMode);
        }
    }

    /** Waits until something in the Pi Zero's namespace listens on TCP {@code address} (ss, no connection made). */
    private static void awaitListening(String address) {
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> lab.inNs("pizero", "ss", "-Hltn", "src", address).out()
                .contains(address)), "nothing listens on " + address + ": " + chronydLog());
    }

    private static String chronydLog() {
        try {
            return Files.readString(hostDir("pizero").resolve("chronyd.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void startRelay(String name, String mainAndArgs) {
        Path d = hostDir("pizero");
        Path log = d.resolve(name + "-relay.log");
        lib("rm -f " + log + "; setsid ip netns exec \"$(lab_ns " + lab.id + " pizero)\" java -Dpintplab.run=pintplab-"
                + lab.id + " -XX:TieredStopAtLevel=1 -cp \"$LAB_JAR\" dev.pintp.lab." + mainAndArgs + " </dev/null >>"
                + log + " 2>&1 & echo $! >" + d.resolve(name + "-relay.pid")).ok();
        assertTrue(Lab.await(Duration.ofSeconds(30), () -> read(log).startsWith("listening")),
                "the " + name + " relay did not start: " + read(log));
    }

    /** Stops the relays this class started (by their recorded pids), waiting until they are gone. */
    private static void stopRelays() throws IOException {
        for (String name : new String[] {"udp", "tcp"}) {
            Path pidFile = hostDir("pizero").resolve(name + "-relay.pid");
            if (!Files.exists(pidFile)) {
                continue;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
            if (p.isPresent()) {
                p.get().destroy();
                try {
                    p.get().onExit().get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.get().destroyForcibly();
                }
            }
            Files.delete(pidFile);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** NTS-KE connections the TCP relay has seen. */
    private static long keConnections() {
        return read(hostDir("pizero").resolve("tcp-relay.log")).lines().filter(l -> l.startsWith("connection "))
                .count();
    }

    // --- the main Pi: the job and the probe ------------------------------------------------------------------------

    private static void runJob() {
        lab.inMain("systemctl", "reset-failed", "ntp-monitor.service");
        Lab.Result r = lab.inMain("systemctl", "start", "ntp-monitor.service");
        if (r.exit() != 0) {
            fail("ntp-monitor.service failed: " + r.err() + "\n" + lastRunLog());
        }
    }

    /**
     * The log lines of the job's latest run only. journald reads a unit's output asynchronously, so right after
     * {@code systemctl start} returned the lines may not be there yet: waits (up to 10 s) for the run's decision line.
     */
    private static String lastRunLog() {
        String id = lab.inMain("systemctl", "show", "ntp-monitor.service", "-p", "InvocationID", "--value").out()
                .strip();
        String[] log = {""};
        Lab.await(Duration.ofSeconds(10), () -> {
            log[0] = lab.inMain("journalctl", "--no-pager", "-o", "cat", "_SYSTEMD_INVOCATION_ID=" + id).out();
            return log[0].contains("check ");
        });
        return log[0];
    }

    private static String controllerEnvironment() {
        return lab.inMain("systemctl", "show", "controller.service", "-p", "Environment", "--value").ok().out()
                .strip();
    }

    private static void forgetCookies() {
        lab.shMain("rm -f /var/lib/ntp-monitor/nts-*").ok();
    }

    private static Lab.Result probe(String... args) {
        String[] cmd = new String[args.length + 4];
        cmd[0] = "java";
        cmd[1] = "-jar";
        cmd[2] = ScenariosIT.PROBE_JAR.toString();
        cmd[3] = "--json";
        System.arraycopy(args, 0, cmd, 4, args.length);
        return lab.inNs("main", cmd);
    }

    private static Lab.Result ntsProbe(String ca) {
        // a generous timeout: these probes are about what the answers say, and NTS-KE through the lab's relays on a
        // loaded machine took longer than the default check deadline of 2 s
        return probe("--max-offset", "10s", "--timeout", "5s", "--nts", "--nts-ca", ca, PIZERO);
    }

    private static double number(Pattern p, String json) {
        Matcher m = p.matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }

    /**
     * The good state every scenario starts from: chronyd with the good certificate (behind pass-through relays when
     * {@code relays}), the job trusting the test's CA, and power saving granted over NTS within four runs.
     */
    private static void grantedOverNts(boolean relays) throws IOException {
        serve("good", relays, "0", "pass");
        writeConfig(config(true, CA_IN_CONTAINER));
        // A fresh decision state: the scenarios lose and regain power saving within minutes, which the job's flap
        // damping (rightly) would hold back; each scenario starts as a job whose last run was good. Cookies are kept.
        lab.shMain("rm -f /var/lib/ntp-monitor/sync-state /var/lib/ntp-monitor/backoff-state").ok();
        // at least one run under this set-up, whatever the controller had before: the grant is this server's
        String env;
        int run = 0;
        do {
            runJob();
            env = controllerEnvironment();
        } while (++run < 4 && !env.contains("CONSERVE_POWER=1"));
        String log = lastRunLog();
        assertTrue(env.contains("CONSERVE_POWER=1") && env.contains("NTP_SERVER=" + PIZERO)
                && log.contains("PRIMARY_SYNCED via " + PIZERO), env + "\n" + log + "\n" + chronydLog());
    }

    /** After an attack: no power saving, the drop-in gone, and the run's log names {@code reasons}. */
    private static String assertRefused(String scenario, String... reasons) {
        runJob();
        String log = lastRunLog();
        String env = controllerEnvironment();
        assertFalse(env.contains("CONSERVE_POWER"), scenario + ": " + env + "\n" + log);
        assertFalse(Files.exists(lab.containerPath(ScenariosIT.DROP_IN)), scenario);
        for (String reason : reasons) {
            assertTrue(log.contains(reason), scenario + ": the log says " + reason + ":\n" + log);
        }
        String line = log.lines().filter(l -> l.contains(PIZERO) && l.contains(reasons[0])).findFirst()
                .orElse(log.strip());
        System.out.println("LAB NTS " + scenario + ": the job logged: " + line);
        return log;
    }

    // --- the scenarios ----------------------------------------------------------------------------------------------

    @Test
    void powerSavingIsGrantedOverNtsAndChronydsOwnClientAgrees() throws Exception {
        forgetCookies();
        grantedOverNts(false);
        Path cookies = lab.containerPath("/var/lib/ntp-monitor/nts-" + PIZERO + "-123");
        assertTrue(Files.isRegularFile(cookies), "the job keeps its NTS cookies");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cookies)));

        Lab.Result probed = ntsProbe(pki.resolve("ca.crt").toString());
        assertEquals(0, probed.exit(), probed.out() + probed.err());
        assertTrue(probed.out().matches("(?s).*\"verdict\": ?\"PRIMARY_SYNCED\".*"), probed.out());
        System.out.println("LAB NTS: the probe over NTS: offset " + number(OFFSET, probed.out()) + " s, delay "
                + number(DELAY, probed.out()) + " s");

        // chronyd's own NTS client (-Q: measure once and exit; -x: never touch the clock) in the main Pi's namespace
        Path dir = Lab.RUN_BASE.resolve("pintplab-" + lab.id).resolve("hosts").resolve("nts-client");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("client.conf"), String.join("\n",
                "server " + PIZERO + " nts iburst maxsamples 1",
                "ntstrustedcerts " + pki.resolve("ca.crt"),
                "cmdport 0",
                "pidfile " + dir.resolve("client.pid"),
                ""));
        Lab.Result chronyc = lab.inNs("main", "chronyd", "-x", "-Q", "-t", "20", "-u", "root", "-f",
                dir.resolve("client.conf").toString());
        Matcher m = Pattern.compile("System clock wrong by (-?[0-9.]+) seconds").matcher(chronyc.out() + chronyc.err());
        assertTrue(m.find(), chronyc.out() + chronyc.err() + "\nserver log:\n" + chronydLog());
        assertEquals(0.0, Double.parseDouble(m.group(1)), 0.5, chronyc.err());
        System.out.println("LAB NTS: chronyd -Q over NTS: System clock wrong by " + m.group(1) + " seconds");
    }

    /** The timer's new process every minute reuses the stored cookies: one NTS-KE for many runs. */
    @Test
    void tenRunsOfTheJobMakeOneKeyExchange() throws Exception {
        forgetCookies();
        grantedOverNts(true);
        long before = keConnections();
        for (int run = 0; run < 10; run++) {
            runJob();
        }
        assertTrue(controllerEnvironment().contains("CONSERVE_POWER=1"), lastRunLog());
        long total = keConnections();
        System.out.println("LAB NTS: NTS-KE connections: " + total + " for all runs since the cookies were removed, "
                + (total - before) + " during the last 10 runs");
        assertEquals(1, total, "one NTS-KE, then cookies only");
    }

    /** The attacker answers in plain NTP (no NTS fields) with time 4 s ahead: used without NTS, refused with it. */
    @Test
    void forgedPlainAnswersEndPowerSavingWhereNtsIsConfigured() throws Exception {
        grantedOverNts(true);
        serve("good", true, "4 strip", "pass");

        Lab.Result plain = probe("--max-offset", "10s", PIZERO);
        assertEquals(0, plain.exit(), plain.out() + plain.err());
        double offset = number(OFFSET, plain.out());
        double delay = number(DELAY, plain.out());
        System.out.println("LAB NTS plain-forgery: without NTS the probe measured " + offset + " s (delay " + delay
                + " s)");
        assertEquals(4.0, offset, delay / 2 + 0.01, "the forged time is used without NTS: " + plain.out());

        Lab.Result nts = ntsProbe(pki.resolve("ca.crt").toString());
        assertEquals(2, nts.exit(), nts.out() + nts.err());
        assertTrue(nts.out().contains("unauthenticated"), nts.out());
        System.out.println("LAB NTS plain-forgery: with --nts: " + nts.out().strip());

        assertRefused("plain-forgery", "UNAUTHENTICATED", "a plain answer, without NTS fields");
    }

    /** The attacker shifts the Pi Zero's NTS answers by 4 s and keeps the NTS fields: the authenticator fails. */
    @Test
    void forgedNtsAnswersEndPowerSaving() throws Exception {
        grantedOverNts(true);
        serve("good", true, "4", "pass");
        Lab.Result nts = ntsProbe(pki.resolve("ca.crt").toString());
        assertEquals(2, nts.exit(), nts.out() + nts.err());
        assertTrue(nts.out().contains("bad-mac"), nts.out());
        assertRefused("nts-forgery", "BAD_MAC", "NTS:");
    }

    /** A relay that alters the server's first encrypted TLS record: the NTS-KE handshake fails. */
    @Test
    void aTamperedKeyExchangeHandshakeEndsPowerSaving() throws Exception {
        grantedOverNts(true);
        serve("good", true, "0", "tamper-handshake");
        forgetCookies();
        assertRefused("tampered-handshake", "TLS handshake with " + PIZERO);
        assertTrue(read(hostDir("pizero").resolve("tcp-relay.log")).contains("tampered server record 1"));
    }

    /** A relay that alters the record carrying the NTS-KE response (cookies, AEAD): it does not decrypt. */
    @Test
    void aTamperedKeyExchangeResponseEndsPowerSaving() throws Exception {
        grantedOverNts(true);
        serve("good", true, "0", "tamper-response");
        forgetCookies();
        assertRefused("tampered-response", "NTS-KE with " + PIZERO);
        assertTrue(read(hostDir("pizero").resolve("tcp-relay.log")).contains("tampered server record"));
    }

    /** The job trusts another CA than the one that signed the Pi Zero's certificate. */
    @Test
    void anUntrustedCaEndsPowerSaving() throws Exception {
        grantedOverNts(false);
        writeConfig(config(true, OTHER_CA_IN_CONTAINER));
        forgetCookies();
        assertRefused("untrusted-ca", "is not trusted", "pintp lab NTS CA");
        Lab.Result nts = ntsProbe(pki.resolve("other-ca.crt").toString());
        assertEquals(2, nts.exit(), nts.out() + nts.err());
        assertTrue(nts.out().contains("is not trusted"), nts.out());
    }

    /** The Pi Zero presents a certificate from the trusted CA, but for another name. */
    @Test
    void aCertificateForAnotherNameEndsPowerSaving() throws Exception {
        grantedOverNts(false);
        serve("wrong-name", false, "0", "pass");
        forgetCookies();
        assertRefused("wrong-name", "certificate is for", "not " + PIZERO);
        Lab.Result nts = ntsProbe(pki.resolve("ca.crt").toString());
        assertEquals(2, nts.exit(), nts.out() + nts.err());
        assertTrue(nts.out().contains("certificate is for"), nts.out());
    }

    /** The Pi Zero presents the right name from the trusted CA, but the certificate expired. */
    @Test
    void anExpiredCertificateEndsPowerSaving() throws Exception {
        grantedOverNts(false);
        serve("expired", false, "0", "pass");
        forgetCookies();
        assertRefused("expired", "certificate for " + PIZERO + " expired on ");
        Lab.Result nts = ntsProbe(pki.resolve("ca.crt").toString());
        assertEquals(2, nts.exit(), nts.out() + nts.err());
        assertTrue(nts.out().contains("expired on"), nts.out());
    }
}
