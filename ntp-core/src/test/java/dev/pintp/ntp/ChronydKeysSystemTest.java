package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interop with a real chronyd (the Pi Zero's server) on loopback: chronyd {@code -x} (never touches the clock) in
 * local mode with a keyfile holding one key of every supported type, read by pintp from the very same file. For each
 * type a keyed query is answered (chronyd answers only a request whose MAC it verified) and the answer's MAC passes
 * pintp's check; a wrong secret under the same id, and an id chronyd does not know, get no authentic answer.
 *
 * <p>Runs in the verify phase (failsafe): {@code mvn -B -pl ntp-core -am verify -Dit.test=ChronydKeysSystemTest}.
 */
@Tag("system")
class ChronydKeysSystemTest {
    private static final Path CHRONYD = Path.of("/usr/sbin/chronyd");
    private static final QueryOptions OPTIONS = new QueryOptions(2, Duration.ofSeconds(2), Duration.ofSeconds(5));
    /** ids 1..5: MD5, SHA1, SHA256, AES128, AES256 (NtpKeyType order). */
    private static final String KEYS = String.join("\n",
            "# one key of each type pintp supports, as chronyc keygen writes them",
            "1 MD5 HEX:5A0C8B7E4D3F2A1908F7E6D5C4B3A291",
            "2 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70",
            "3 SHA256 HEX:0F1E2D3C4B5A69788796A5B4C3D2E1F00112233445566778899AABBCCDDEEFF0",
            "4 AES128 HEX:7EA62AE64D190114D46D5A082F948EC1",
            "5 AES256 HEX:37DDCBC67BB902BCB8E995977FAB4D2B5642F5B32EBCEEE421921D97E5CBFE39",
            "");

    private static Path dir;
    private static Process chronyd;
    private static InetSocketAddress server;
    private static NtpKeyFile keys;

    @BeforeAll
    static void startChronyd() throws Exception {
        if (!Files.isExecutable(CHRONYD)) {
            String msg = "\n\n*** SKIPPED: " + CHRONYD + " is missing; apt-get install chrony to run the interop test ***\n";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = probe.getLocalPort();
        }
        dir = Files.createTempDirectory("pintp-chronyd-keys");
        Path keyfile = dir.resolve("chrony.keys");
        Files.writeString(keyfile, KEYS, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(keyfile, PosixFilePermissions.fromString("rw-------"));
        Path conf = dir.resolve("chrony.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bindaddress 127.0.0.1",
                "local stratum 1",
                "allow 127.0.0.1",
                "cmdport 0",
                "keyfile " + keyfile,
                "pidfile " + dir.resolve("chronyd.pid"),
                "driftfile " + dir.resolve("drift"),
                ""));
        chronyd = new ProcessBuilder(CHRONYD.toString(), "-x", "-d", "-u", "root", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chronyd.log").toFile()).start();
        server = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        keys = NtpKeyFile.read(keyfile);
        assertEquals(5, keys.keys().size(), keys.problems()::toString);
        // Wait for the event "chronyd answers" (an unauthenticated query gets a sample), at most 30 s.
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        QueryResult r;
        do {
            r = SntpClient.ofDefaults().query(server, OPTIONS.withSamples(1));
            if (r.outcome() == Outcome.OK) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < end && chronyd.isAlive());
        throw new AssertionError("chronyd did not answer on " + server + ": " + r + "\n" + log());
    }

    @AfterAll
    static void stopChronyd() throws IOException, InterruptedException {
        if (chronyd != null) {
            chronyd.destroy();
            if (!chronyd.waitFor(10, TimeUnit.SECONDS)) {
                chronyd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static String log() throws IOException {
        return Files.readString(dir.resolve("chronyd.log"), StandardCharsets.UTF_8);
    }

    private static NtpAuth auth(NtpKey key) {
        return NtpAuth.symmetricKeyAllowingMd5(key);
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void chronydVerifiesOurMacAndWeVerifyItsAnswer(NtpKeyType type) throws IOException {
        NtpKey key = keys.require(type.ordinal() + 1);
        assertEquals(type, key.type());
        QueryResult r = SntpClient.ofDefaults().query(server, OPTIONS.withAuth(auth(key)));
        assertEquals(Outcome.OK, r.outcome(), () -> r + "\n" + tail());
        assertEquals(0, r.drops().total(), r::toString);
        NtpSample s = r.best().orElseThrow();
        assertEquals(type == NtpKeyType.SHA256 ? 3 : 4, s.version(), "chronyd answers in the request's version");
        // Same host, same clock: the offset is within the error bound of the measurement (half the delay) plus 1 ms.
        assertTrue(s.offset().abs().compareTo(s.delay().dividedBy(2).plusMillis(1)) <= 0, s::toString);
    }

    @ParameterizedTest
    @EnumSource(NtpKeyType.class)
    void aWrongSecretUnderTheSameIdGetsNoAuthenticAnswer(NtpKeyType type) throws IOException {
        NtpKey right = keys.require(type.ordinal() + 1);
        byte[] secret = right.secret();
        secret[secret.length - 1] ^= 0x01;
        NtpKey wrong = new NtpKey(right.id(), type, secret);
        QueryResult r = SntpClient.ofDefaults().query(server, OPTIONS.withSamples(1).withAuth(auth(wrong)));
        // chronyd drops a request whose MAC fails (ntp_core.c: "Don't respond unless a non-zero KoD was returned").
        assertEquals(Outcome.TIMEOUT, r.outcome(), () -> r + "\n" + tail());
        assertTrue(r.best().isEmpty());
    }

    @Test
    void aKeyIdChronydDoesNotKnowGetsNoAnswer() throws IOException {
        NtpKey unknown = new NtpKey(99, NtpKeyType.AES128, HexFormat.of().parseHex("7EA62AE64D190114D46D5A082F948EC1"));
        QueryResult r = SntpClient.ofDefaults().query(server, OPTIONS.withSamples(1).withAuth(auth(unknown)));
        assertEquals(Outcome.TIMEOUT, r.outcome(), r::toString);
    }

    @Test
    void anUnauthenticatedQueryStillWorksAgainstAKeyedServer() {
        QueryResult r = SntpClient.ofDefaults().query(server, OPTIONS);
        assertEquals(Outcome.OK, r.outcome(), r::toString);
    }

    @Test
    void theCheckerUsesTheServersKey() throws IOException {
        NtpServer keyed = new NtpServer("127.0.0.1", server.getPort(), NtpServer.Role.PRIMARY)
                .withAuth(NtpAuth.symmetricKey(keys.require(4)));
        NtpConfig config = NtpConfig.custom().primaries(List.of(keyed)).fallbacks(List.of()).build();
        CheckResult result = NtpChecker.create(config).check();
        assertEquals(Verdict.PRIMARY_SYNCED, result.verdict(), result::toString);
    }

    private static String tail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("chronyd.log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no chronyd log: " + e + ")";
        }
    }
}
