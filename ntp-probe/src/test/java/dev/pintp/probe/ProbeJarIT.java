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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
    void theNtsClientFindsBouncyCastleInTheSiblingJar() throws Exception {
        // Bouncy Castle is ntp-probe-bc.jar, named by ntp-probe.jar's Class-Path: a TLS handshake with a server
        // that hangs up loads its TLS client from there and ends in the usual verdict, nothing on stderr
        // (the whole NTS exchange from the jar: lab NtsScenariosIT)
        try (java.net.ServerSocket ke = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread hangUp = new Thread(() -> {
                try (java.net.Socket c = ke.accept()) {
                    c.getInputStream().read();
                } catch (IOException e) {
                    // the probe went away first
                }
            });
            hangUp.start();
            Result r = java("--json", "--nts", "--nts-port", Integer.toString(ke.getLocalPort()), "--timeout",
                    TestTimeouts.arg(Duration.ofMillis(500)), "127.0.0.1:" + server().port());
            hangUp.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals("", r.err());
            assertEquals("UNSYNCHRONIZED", Json.object(r.out()).get("verdict"), r.out());
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

    /**
     * A JDK the launcher test runs on: this build's, Temurin 25 where installed, and the JDK 21 of the lab's trixie
     * root (Raspberry Pi OS trixie's), run there through a throwaway overlay and {@code chroot} (root only).
     *
     * @param name what the test reports
     * @param root the file system the JDK lives in, or null for this machine's
     * @param java the {@code java} binary inside {@code root}
     */
    record Jdk(String name, Path root, Path java) {
        @Override
        public String toString() {
            return name;
        }

        /** The JDK's feature version, from the {@code release} file of its home (as the launcher reads it). */
        int feature() throws IOException {
            Path home = java.getParent().getParent();
            Path release = root == null ? home.resolve("release") : root.resolve(home.toString().substring(1))
                    .resolve("release");
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    String v = line.substring("JAVA_VERSION=\"".length());
                    int end = 0;
                    while (end < v.length() && Character.isDigit(v.charAt(end))) {
                        end++;
                    }
                    return Integer.parseInt(v.substring(0, end));
                }
            }
            throw new AssertionError("no JAVA_VERSION in " + release);
        }
    }

    /** Where the lab keeps its trixie root (lab/bin/lab-prepare-trixie); {@code -Dpintp.trixieRoot} overrides it. */
    private static final Path TRIXIE_ROOT = Path.of(System.getProperty("pintp.trixieRoot",
            "/var/cache/pintp-lab/trixie-root"));

    static List<Jdk> jdks() {
        List<Jdk> jdks = new ArrayList<>();
        jdks.add(new Jdk("this JDK (" + Runtime.version().feature() + ")", null,
                Path.of(System.getProperty("java.home"), "bin", "java")));
        Path temurin25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
        if (Files.isExecutable(temurin25)) {
            jdks.add(new Jdk("Temurin 25", null, temurin25));
        }
        Path openjdk21 = Path.of("/usr/lib/jvm/java-21-openjdk-amd64/bin/java");
        if (Files.isExecutable(TRIXIE_ROOT.resolve(openjdk21.toString().substring(1))) && isRoot()) {
            jdks.add(new Jdk("trixie's OpenJDK 21", TRIXIE_ROOT, openjdk21));
        }
        return jdks;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theLauncherRecordsAnArchiveUsesItAndRecordsItAgainWhenTheJarChanges(Jdk jdk, @TempDir Path dir)
            throws Exception {
        SntpTestServer s = server();
        Path jar = dir.resolve("ntp-probe.jar");
        Path built = Path.of(System.getProperty("ntpProbeJar", "target/ntp-probe.jar"));
        Files.copy(built, jar);
        // and Bouncy Castle beside it, as its Class-Path says
        Files.copy(built.resolveSibling("ntp-probe-bc.jar"), dir.resolve("ntp-probe-bc.jar"));
        // the packaged layout: the command and the launcher side by side
        Files.copy(Path.of("src/main/dist/ntp-probe"), dir.resolve("ntp-probe"));
        Files.copy(Path.of("../ntp-systemd/src/main/dist/pintp-java"), dir.resolve("pintp-java"));
        Path cache = dir.resolve("cache");
        Path archive = cache.resolve("ntp-probe-probe.jsa");
        Path stamp = cache.resolve("ntp-probe-probe.stamp");
        try (Launcher launcher = new Launcher(jdk, dir)) {
            Result first = launcher.run("--json", "127.0.0.1:" + s.port());
            assertEquals(0, first.code(), first.err());
            assertEquals("", first.err());
            assertEquals("PRIMARY_SYNCED", Json.object(first.out()).get("verdict"));
            assertTrue(Files.size(archive) > 0, "archive written by the first run");
            String recorded = Files.readString(stamp);
            // the archive's kind follows the JDK: a static archive run with G1 up to 20 (JDK 17 maps an archive's Java
            // objects only with G1), dumped with G1 and run with the serial GC on 21-24, an AOT cache from 25
            int feature = jdk.feature();
            String kind = recorded.strip().substring(recorded.strip().lastIndexOf(' ') + 1);
            assertEquals(feature >= 25 ? "aot" : feature >= 21 ? "static-serial" : "static", kind, recorded);
            Result run = launcher.run("--json", "127.0.0.1:" + s.port());
            assertEquals(0, run.code(), run.err());
            assertEquals("", run.err());
            assertEquals("PRIMARY_SYNCED", Json.object(run.out()).get("verdict"));
            assertEquals(recorded, Files.readString(stamp), "a run with the same jar and JDK records nothing");
            assertTheArchiveIsUsable(launcher, "127.0.0.1:" + s.port());

            // the launcher's options keep the engine's outcomes: one primary on a closed port (the check on the main
            // thread; on JDK 17 through the old DatagramSocket implementation) is unreachable, with the ICMP detail
            Result closed = launcher.run("--json", "--timeout", TestTimeouts.arg(Duration.ofMillis(500)),
                    "127.0.0.1:9");
            assertEquals(2, closed.code(), closed.err());
            assertEquals("", closed.err());
            Map<?, ?> source = (Map<?, ?>) ((List<?>) Json.object(closed.out()).get("sources")).get(0);
            assertEquals("unreachable", source.get("status"), closed.out());
            assertEquals("ICMP port unreachable from 127.0.0.1 port 9", source.get("reason"), closed.out());
            assertEquals(recorded, Files.readString(stamp), "another check with the same jar and JDK records nothing");

            // an updated jar (here: the same bytes, another modification time) makes the next run record it again
            Files.setLastModifiedTime(jar, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(jar).toMillis() - 3_600_000));
            Result updated = launcher.run("--nagios", "127.0.0.1:" + s.port());
            assertEquals(0, updated.code(), updated.err());
            assertEquals("", updated.err());
            assertTrue(updated.out().startsWith("NTP OK: "), updated.out());
            assertNotEquals(recorded, Files.readString(stamp), "the stamp follows the new jar");
            assertTheArchiveIsUsable(launcher, "127.0.0.1:" + s.port());

            // a damaged archive costs time, never output or the result
            Files.writeString(archive, "not an archive");
            Result broken = launcher.run("--nagios", "127.0.0.1:" + s.port());
            assertEquals(0, broken.code(), broken.err());
            assertEquals("", broken.err());
            assertTrue(broken.out().startsWith("NTP OK: "), broken.out());
        }
    }

    /**
     * The java command the launcher would run now ({@code PINTP_JAVA_DRY=1}) names the archive, and run with the
     * option that makes the JVM refuse to start without it ({@code -Xshare:on} for a CDS archive,
     * {@code -XX:AOTMode=on} for an AOT cache) it still gives the probe's answer: the archive is really used.
     */
    private static void assertTheArchiveIsUsable(Launcher launcher, String server) throws Exception {
        Result dry = launcher.run(Map.of("PINTP_JAVA_DRY", "1"), "--nagios", server);
        assertEquals(0, dry.code(), dry.err());
        List<String> words = new ArrayList<>(List.of(dry.out().strip().split(" ")));
        String stamp = Files.readString(launcher.dir.resolve("cache").resolve("ntp-probe-probe.stamp")).strip();
        assertEquals(stamp.endsWith(" static"), words.contains("-XX:+UseG1GC"), "G1 with a static archive only: "
                + stamp + ": " + dry.out());
        assertEquals(!stamp.endsWith(" static"), words.contains("-XX:+UseSerialGC"), dry.out());
        String strict = words.stream().anyMatch(w -> w.startsWith("-XX:AOTCache=")) ? "-XX:AOTMode=on"
                : words.stream().anyMatch(w -> w.startsWith("-XX:SharedArchiveFile=")) ? "-Xshare:on" : null;
        assertTrue(strict != null, "the launcher uses an archive: " + dry.out());
        words.add(words.indexOf("-jar"), strict);
        Result strictRun = launcher.exec(words);
        assertEquals(0, strictRun.code(), words + ": " + strictRun.out() + strictRun.err());
        assertTrue(strictRun.out().startsWith("NTP OK: "), strictRun.out());
    }

    /**
     * Runs the launcher of {@code dir} (ntp-probe and pintp-java side by side, the jar beside them, the archive in
     * {@code dir/cache}) on one JDK. For a JDK in another root: an overlay of that root (never written: its upper
     * layer is a temporary directory) with /proc, /dev and {@code dir} bound in, entered with {@code chroot}; the
     * network is this machine's, so loopback servers of the test answer. Everything is unmounted on close.
     */
    private static final class Launcher implements AutoCloseable {
        private final Jdk jdk;
        private final Path dir;
        private final Path layers;
        private final Path merged;
        private final List<Path> mounts = new ArrayList<>();

        Launcher(Jdk jdk, Path dir) throws IOException, InterruptedException {
            this.jdk = jdk;
            this.dir = dir.toAbsolutePath();
            if (jdk.root() == null) {
                layers = null;
                merged = null;
                return;
            }
            layers = Files.createTempDirectory("probe-jdk-root");
            merged = Files.createDirectories(layers.resolve("merged"));
            try {
                mount("-t", "overlay", "overlay", "-o", "lowerdir=" + jdk.root() + ",upperdir="
                        + Files.createDirectories(layers.resolve("upper")) + ",workdir="
                        + Files.createDirectories(layers.resolve("work")), merged.toString());
                for (Path p : List.of(Path.of("/proc"), Path.of("/dev"), this.dir)) {
                    Path inside = Files.createDirectories(merged.resolve(p.toString().substring(1)));
                    mount("--bind", p.toString(), inside.toString());
                }
            } catch (IOException | RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        private void mount(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("mount"));
            cmd.addAll(List.of(args));
            Result r = command(cmd, Map.of());
            assertEquals(0, r.code(), cmd + ": " + r.err());
            mounts.add(0, Path.of(args[args.length - 1]));
        }

        Result run(String... args) throws IOException, InterruptedException {
            return run(Map.of(), args);
        }

        Result run(Map<String, String> env, String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("sh", dir.resolve("ntp-probe").toString()));
            cmd.addAll(List.of(args));
            Map<String, String> all = new java.util.HashMap<>(env);
            all.put("PINTP_CACHE_DIR", dir.resolve("cache").toString());
            all.put("JAVA", jdk.java().toString());
            return exec(cmd, all);
        }

        /** Runs {@code cmd} as it is (a java command line the launcher printed) where the JDK lives. */
        Result exec(List<String> cmd) throws IOException, InterruptedException {
            return exec(cmd, Map.of());
        }

        private Result exec(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
            if (merged == null) {
                return command(cmd, env);
            }
            List<String> chrooted = new ArrayList<>(List.of("chroot", merged.toString(), "env"));
            env.forEach((k, v) -> chrooted.add(k + "=" + v));
            chrooted.addAll(cmd);
            return command(chrooted, Map.of());
        }

        @Override
        public void close() throws IOException {
            try {
                for (Path m : List.copyOf(mounts)) {
                    Result r = command(List.of("umount", m.toString()), Map.of());
                    if (r.code() != 0) {
                        command(List.of("umount", "-l", m.toString()), Map.of());
                    }
                    mounts.remove(m);
                }
                if (layers != null) {
                    command(List.of("rm", "-rf", "--one-file-system", layers.toString()), Map.of());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while unmounting " + mounts, e);
            }
        }
    }

    private static Result command(List<String> cmd, Map<String, String> env) throws IOException,
            InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        try {
            p.getOutputStream().close();
            assertTrue(p.waitFor(TestTimeouts.scaled(Duration.ofSeconds(60)).toSeconds(), TimeUnit.SECONDS),
                    cmd + " finishes");
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                    new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return false;
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
