package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.testkit.SntpTestServer;
import dev.pintp.ntp.testkit.TestTimeouts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded, minimized {@code ntp-probe.jar} run as {@code java -jar} against in-process servers on loopback: every
 * code path must find its classes in the jar alone. Names resolve through /etc/hosts ({@code localhost}) only.
 */
class ProbeJarIT {
    private final List<SntpTestServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(SntpTestServer::close);
    }

    private SntpTestServer server() {
        SntpTestServer s = SntpTestServer.start();
        servers.add(s);
        return s;
    }

    private record Result(int code, String out, String err) {
    }

    private static Result java(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("ntpProbeJar", "target/ntp-probe.jar")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        try {
            p.getOutputStream().close();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the probe finishes");
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void everyOutputModeAndOutcomeRunsFromTheJarAlone() throws Exception {
        SntpTestServer ok = server().offset(Duration.ofMillis(-730));
        SntpTestServer kiss = server().kissOfDeath("RATE");
        SntpTestServer silent = server().drop(true);
        String[] sources = {"--timeout", TestTimeouts.arg(Duration.ofMillis(300)), "--max-offset", "1s",
            "127.0.0.1:" + ok.port(),
            "--fallback", "localhost:" + kiss.port(), "--fallback", "127.0.0.1:" + silent.port(),
            "--fallback", "127.0.0.1:9"};
        Result table = java(sources);
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("Verdict: PRIMARY_SYNCED"), table.out());
        assertTrue(table.out().contains("kiss (RATE)") && table.out().contains(" timeout")
                && table.out().contains(" unreachable"), table.out());
        Result json = java(concat(new String[] {"--json"}, sources));
        assertEquals(0, json.code(), json.err());
        java.util.Map<?, ?> selected = (java.util.Map<?, ?>) Json.object(json.out()).get("selected");
        Offsets.assertOffset(-0.73, ((java.math.BigDecimal) selected.get("offsetSeconds")).doubleValue(),
                ((java.math.BigDecimal) selected.get("delaySeconds")).doubleValue(), json.out());
        Result nagios = java(concat(new String[] {"--nagios", "-w", "0.5", "-c", "1"}, sources));
        assertEquals(1, nagios.code(), nagios.err());
        assertTrue(nagios.out().startsWith("NTP WARNING: Offset "), nagios.out());
        double[] n = Offsets.numbers("^NTP WARNING: Offset " + Offsets.SECONDS + " secs, .*\\|offset="
                + Offsets.SECONDS + "s;.* delay=" + Offsets.SECONDS + "s;", nagios.out());
        assertEquals(n[0], n[1], "the text and the perfdata give the same offset");
        Offsets.assertOffset(-0.73, n[0], n[2], nagios.out());
        Result watch = java("--watch", "1s", "--count", "2", "--json", "--fallback", "127.0.0.1:" + ok.port(),
                "--max-offset", "1s");
        assertEquals(1, watch.code(), watch.err());
        assertEquals(2, watch.out().split("\n").length, watch.out());
    }

    @Test
    void everyKeyTypeRunsFromTheJarAlone(@TempDir Path dir) throws Exception {
        // The MAC code (Bouncy Castle's CMac and AES, the JDK's digests) must survive the jar's minimization.
        Path keys = dir.resolve("chrony.keys");
        Files.writeString(keys, "1 AES128 HEX:7EA62AE64D190114D46D5A082F948EC1\n"
                + "2 AES256 HEX:37DDCBC67BB902BCB8E995977FAB4D2B5642F5B32EBCEEE421921D97E5CBFE39\n"
                + "3 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70\n4 SHA256 ASCII:crocus\n5 MD5 tulip\n");
        Files.setPosixFilePermissions(keys, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        dev.pintp.ntp.NtpKeyFile file = dev.pintp.ntp.NtpKeyFile.read(keys);
        for (dev.pintp.ntp.NtpKey key : file.keys()) {
            SntpTestServer s = server();
            dev.pintp.ntp.internal.SymmetricKeyAuthenticator signer =
                    new dev.pintp.ntp.internal.SymmetricKeyAuthenticator(key);
            s.finisher((request, reply) -> {
                reply[0] = (byte) (reply[0] & 0xC7 | request[0] & 0x38); // answer in the request's version
                return signer.begin(reply).request();
            });
            Result r = java("--keyfile", keys.toString(), "--key", Long.toString(key.id()), "--allow-md5",
                    "127.0.0.1:" + s.port());
            assertEquals(0, r.code(), key + ": " + r.out() + r.err());
        }
    }

    @Test
    void timesyncdConfigurationHelpAndErrorsRunFromTheJarAlone(@TempDir Path root) throws Exception {
        SntpTestServer s = server();
        Files.createDirectories(root.resolve("etc/systemd"));
        Files.writeString(root.resolve("etc/systemd/timesyncd.conf"),
                "[Time]\nNTP=127.0.0.1:" + s.port() + "\nFallbackNTP=\nRootDistanceMaxSec=1.5s\n");
        Result fromConfig = java("--root", root.toString(), "--timeout", "500ms");
        assertEquals(0, fromConfig.code(), fromConfig.err());
        assertTrue(fromConfig.out().contains("127.0.0.1:" + s.port()), fromConfig.out());
        Result help = java("--help");
        assertEquals(0, help.code());
        assertEquals(ProbeCommand.usage(), help.out());
        Result bad = java("--timeout", "soon", "127.0.0.1");
        assertEquals(3, bad.code());
        assertTrue(bad.err().startsWith("ntp-probe: --timeout: "), bad.err());
        assertEquals("", bad.out());
    }

    @Test
    void theLauncherRecordsAnArchiveUsesItAndRecordsItAgainWhenTheJarChanges(@TempDir Path dir) throws Exception {
        SntpTestServer s = server();
        Path jar = dir.resolve("ntp-probe.jar");
        Files.copy(Path.of(System.getProperty("ntpProbeJar", "target/ntp-probe.jar")), jar);
        Path cache = dir.resolve("cache");
        Path archive = cache.resolve("ntp-probe-probe.jsa");
        Path stamp = cache.resolve("ntp-probe-probe.stamp");
        Result first = launcher(jar, cache, "--json", "127.0.0.1:" + s.port());
        assertEquals(0, first.code(), first.err());
        assertEquals("", first.err());
        assertEquals("PRIMARY_SYNCED", Json.object(first.out()).get("verdict"));
        assertTrue(Files.size(archive) > 0, "archive written by the first run");
        String recorded = Files.readString(stamp);
        Result run = launcher(jar, cache, "--json", "127.0.0.1:" + s.port());
        assertEquals(0, run.code(), run.err());
        assertEquals("", run.err());
        assertEquals(recorded, Files.readString(stamp), "a run with the same jar and JDK records nothing");

        // an updated jar (here: the same bytes, another modification time) makes the next run record it again
        Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(jar).toMillis() - 3_600_000));
        Result updated = launcher(jar, cache, "--nagios", "127.0.0.1:" + s.port());
        assertEquals(0, updated.code(), updated.err());
        assertEquals("", updated.err());
        assertTrue(updated.out().startsWith("NTP OK: "), updated.out());
        assertNotEquals(recorded, Files.readString(stamp), "the stamp follows the new jar");

        // a damaged archive costs time, never output or the result
        Files.writeString(archive, "not an archive");
        Result broken = launcher(jar, cache, "--nagios", "127.0.0.1:" + s.port());
        assertEquals(0, broken.code(), broken.err());
        assertEquals("", broken.err());
        assertTrue(broken.out().startsWith("NTP OK: "), broken.out());
    }

    private static Result launcher(Path jar, Path cache, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("sh", "src/main/dist/ntp-probe"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("NTP_PROBE_JAR", jar.toAbsolutePath().toString());
        pb.environment().put("PINTP_CACHE_DIR", cache.toString());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        try {
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher finishes");
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
