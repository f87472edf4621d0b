package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.internal.SymmetricKeyAuthenticator;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --keyfile FILE --key ID}: keyed servers on loopback, forged and missing MACs, and a keyfile that is not secret. */
class ProbeAuthTest {
    private static final String AES = "7EA62AE64D190114D46D5A082F948EC1";
    private static final NtpKey KEY = new NtpKey(1, NtpKeyType.AES128, HexFormat.of().parseHex(AES));
    private static final NtpKey IMPOSTOR = new NtpKey(1, NtpKeyType.AES128,
            HexFormat.of().parseHex("00A62AE64D190114D46D5A082F948EC1"));

    private final List<SntpTestServer> servers = new ArrayList<>();
    private final ProbeHarness probe = new ProbeHarness();
    @TempDir
    Path dir;

    @AfterEach
    void stopServers() {
        servers.forEach(SntpTestServer::close);
    }

    /** A server that signs its answers with {@code key}, as chronyd with a keyfile does. */
    private SntpTestServer keyed(NtpKey key) {
        SntpTestServer s = SntpTestServer.start();
        servers.add(s);
        if (key != null) {
            SymmetricKeyAuthenticator signer = new SymmetricKeyAuthenticator(key);
            s.finisher((request, reply) -> signer.begin(reply).request());
        }
        return s;
    }

    private Path keyfile(String mode) throws IOException {
        Path p = dir.resolve("chrony.keys");
        Files.writeString(p, "# copied from the Pi Zero\n1 AES128 HEX:" + AES + "\n2 tulip\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    private static String at(SntpTestServer s) {
        return "127.0.0.1:" + s.port();
    }

    @Test
    void aKeyedServerWhoseAnswersVerifyIsPrimarySynced() throws IOException {
        SntpTestServer s = keyed(KEY).offset(Duration.ofMillis(20));
        ProbeHarness.Run r = probe.run("--keyfile", keyfile("rw-------").toString(), "--key", "1", at(s));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Verdict: PRIMARY_SYNCED"), r.out());
        byte[] request = s.requests().get(0);
        assertEquals(48 + 20, request.length, "key id and a 16-byte CMAC");
        assertEquals("", r.err());
    }

    @Test
    void aServerThatDoesNotSignIsRefusedAndSaysWhy() throws IOException {
        SntpTestServer plain = keyed(null);
        ProbeHarness.Run r = probe.run("--keyfile", keyfile("rw-------").toString(), "--key", "1", at(plain));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("rejected (unauthenticated)"), r.out());
        assertTrue(r.out().contains("Verdict: UNSYNCHRONIZED"), r.out());
    }

    @Test
    void anOnPathForgerWithoutTheKeyIsRefused() throws IOException {
        SntpTestServer forger = keyed(IMPOSTOR).offset(Duration.ofSeconds(5));
        ProbeHarness.Run r = probe.run("--json", "--keyfile", keyfile("rw-------").toString(), "--key", "1",
                at(forger));
        assertEquals(2, r.code(), r.out() + r.err());
        Map<String, Object> json = Json.object(r.out());
        assertEquals("UNSYNCHRONIZED", json.get("verdict"));
        @SuppressWarnings("unchecked")
        Map<String, Object> src = ((List<Map<String, Object>>) json.get("sources")).get(0);
        assertEquals("rejected", src.get("status"));
        assertEquals("bad-mac", src.get("reason"));
        assertEquals(Json.NULL, src.get("offsetSeconds"), "the forged offset is never used");
    }

    @Test
    void theKeyAppliesToEveryServerOnTheCommandLine() throws IOException {
        SntpTestServer primary = keyed(KEY);
        SntpTestServer fallback = keyed(null);
        ProbeHarness.Run r = probe.run("--keyfile", keyfile("rw-------").toString(), "--key", "1", at(primary),
                "--fallback", at(fallback));
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(68, fallback.requests().get(0).length, "the fallback's request carries the MAC too");
        assertTrue(r.out().contains("rejected (unauthenticated)"), r.out());
    }

    @Test
    void aKeyfileOthersCanReadIsRefused() throws IOException {
        SntpTestServer s = keyed(KEY);
        Path p = keyfile("rw-r--r--");
        ProbeHarness.Run r = probe.run("--keyfile", p.toString(), "--key", "1", at(s));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("accessible to group or others (mode 0644)"), r.err());
        assertEquals(0, s.requestCount(), "nothing is sent");
    }

    @Test
    void aMissingKeyOrFileIsAnErrorWithoutSendingAnything() throws IOException {
        SntpTestServer s = keyed(KEY);
        ProbeHarness.Run r = probe.run("--keyfile", keyfile("rw-------").toString(), "--key", "9", at(s));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no key 9"), r.err());
        r = probe.run("--keyfile", dir.resolve("none").toString(), "--key", "1", at(s));
        assertEquals(3, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        assertEquals(0, s.requestCount());
    }

    @Test
    void md5NeedsAnExplicitOptInAndWarns() throws IOException {
        SntpTestServer s = keyed(null);
        ProbeHarness.Run r = probe.run("--keyfile", keyfile("rw-------").toString(), "--key", "2", at(s));
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("is MD5") && r.err().contains("--allow-md5"), r.err());
        r = probe.run("--timeout", "200ms", "--keyfile", keyfile("rw-------").toString(), "--key", "2",
                "--allow-md5", at(s));
        assertTrue(r.err().contains("warning: key 2 (MD5, 40 bits) is MD5"), r.err());
        assertFalse(r.err().contains("tulip"), r.err());
    }

    @Test
    void badCombinationsAreUsageErrors() {
        assertEquals(3, probe.run("--key", "1", "127.0.0.1:1").code());
        assertEquals(3, probe.run("--keyfile", "/x", "127.0.0.1:1").code());
        ProbeHarness.Run r = probe.run("--keyfile", "/x", "--key", "1");
        assertEquals(3, r.code());
        assertTrue(r.err().contains("--key applies to the servers named on the command line"), r.err());
        assertTrue(probe.run("--keyfile", "/x", "--key", "0", "127.0.0.1:1").err().contains("--key must be"));
        assertEquals(3, probe.run("--allow-md5", "127.0.0.1:1").code());
    }
}
