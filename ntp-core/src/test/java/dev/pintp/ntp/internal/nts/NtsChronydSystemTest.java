package dev.pintp.ntp.internal.nts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.TrustAnchor;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NTS against a real chronyd on loopback ({@link NtsChronyd}): NTS-KE (TLS 1.3, ALPN, exporter keys, cookies), an
 * authenticated NTP exchange, the NTS NAK for an unknown cookie, refusals of a wrong CA, a wrong name and an expired
 * certificate, and chronyd's own NTS client confirming the server set-up.
 *
 * <p>Runs in the verify phase (failsafe): {@code mvn -B -pl ntp-testkit,ntp-core verify}.
 */
@Tag("system")
class NtsChronydSystemTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static TestPki pki;
    private static NtsChronyd chronyd;
    private static Set<TrustAnchor> anchors;
    private final SecureRandom random = new SecureRandom();

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(NtsChronyd.CHRONYD)) {
            String msg = "\n\n*** SKIPPED: " + NtsChronyd.CHRONYD + " is missing; scripts/install-test-deps installs"
                    + " chrony ***\n";
            System.err.println(msg);
            Assumptions.abort(msg);
        }
        pki = TestPki.create("pintp test CA");
        chronyd = NtsChronyd.start(pki, pki.issue("localhost", "127.0.0.1"));
        anchors = ServerCertificateCheck.anchorsFromFile(chronyd.caFile);
    }

    @AfterAll
    static void stop() throws IOException {
        if (chronyd != null) {
            chronyd.close();
        }
    }

    private InetSocketAddress ke() {
        return new InetSocketAddress("127.0.0.1", chronyd.ntsKePort);
    }

    private NtsKeClient.Result keyExchange() throws NtsKeException {
        return new NtsKeClient(Clock.systemUTC(), random).exchange("localhost", ke(), anchors, TIMEOUT);
    }

    @Test
    void keyExchangeGivesEightCookiesAndTwoDistinctKeys() throws Exception {
        NtsKeClient.Result r = keyExchange();
        assertEquals(8, r.response().cookies().size(), chronyd.log());
        assertEquals(32, r.c2sKey().length);
        assertFalse(Arrays.equals(r.c2sKey(), r.s2cKey()));
        assertTrue(r.response().ntpServer().isEmpty());
        assertTrue(r.response().ntpPort().isEmpty() || r.response().ntpPort().getAsInt() == chronyd.ntpPort);
    }

    @Test
    void theIpAddressNameMatchesTheCertificatesIpEntry() throws Exception {
        NtsKeClient.Result r = new NtsKeClient(Clock.systemUTC(), random).exchange("127.0.0.1", ke(), anchors,
                TIMEOUT);
        assertEquals(8, r.response().cookies().size());
    }

    @Test
    void anAuthenticatedExchangeReturnsTimeAndFreshCookies() throws Exception {
        NtsKeClient.Result r = keyExchange();
        byte[] uid = bytes(32);
        byte[] request = NtsPacket.request(header(), uid, r.response().cookies().get(0), 2, r.c2sKey(), bytes(16));
        byte[] reply = exchange(request);
        NtsPacket.Reply checked = NtsPacket.check(reply, reply.length, uid, r.s2cKey());
        NtsPacket.Authentic ok = assertInstanceOf(NtsPacket.Authentic.class, checked, checked.toString());
        assertEquals(3, ok.cookies().size(), "one cookie back for the one used and one per placeholder");
        assertEquals(4, reply[0] & 7, "mode 4");
        assertEquals(1, reply[1], "stratum 1");
    }

    @Test
    void aReplyCheckedWithTheWrongKeyOrUniqueIdIsInvalid() throws Exception {
        NtsKeClient.Result r = keyExchange();
        byte[] uid = bytes(32);
        byte[] reply = exchange(NtsPacket.request(header(), uid, r.response().cookies().get(0), 0, r.c2sKey(),
                bytes(16)));
        assertInstanceOf(NtsPacket.Invalid.class, NtsPacket.check(reply, reply.length, uid, r.c2sKey()));
        assertInstanceOf(NtsPacket.Invalid.class, NtsPacket.check(reply, reply.length, bytes(32), r.s2cKey()));
        byte[] altered = reply.clone();
        altered[40] ^= 1; // the transmit timestamp is authenticated
        assertInstanceOf(NtsPacket.Invalid.class, NtsPacket.check(altered, altered.length, uid, r.s2cKey()));
    }

    @Test
    void anUnknownCookieGetsAnNtsNak() throws Exception {
        NtsKeClient.Result r = keyExchange();
        byte[] cookie = r.response().cookies().get(0);
        byte[] forged = bytes(cookie.length);
        byte[] uid = bytes(32);
        byte[] reply = exchange(NtsPacket.request(header(), uid, forged, 0, r.c2sKey(), bytes(16)));
        assertInstanceOf(NtsPacket.Nak.class, NtsPacket.check(reply, reply.length, uid, r.s2cKey()));
        assertEquals("NTSN", new String(reply, 12, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void aCertificateFromAnotherCaIsRefusedWithTheReason() throws Exception {
        Set<TrustAnchor> other = Set.of(new TrustAnchor(TestPki.create("another CA").ca, null));
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> new NtsKeClient(Clock.systemUTC(), random).exchange("localhost", ke(), other, TIMEOUT));
        assertEquals(NtsKeException.Failure.CERTIFICATE, e.failure());
        assertTrue(e.getMessage().startsWith("certificate for localhost (issued by CN=pintp test CA) is not trusted"),
                e.getMessage());
    }

    @Test
    void aCertificateForAnotherNameIsRefusedWithTheReason() throws Exception {
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> new NtsKeClient(Clock.systemUTC(), random).exchange("pizero.lan", ke(), anchors, TIMEOUT));
        assertEquals(NtsKeException.Failure.CERTIFICATE, e.failure());
        assertEquals("certificate is for localhost, 127.0.0.1, not pizero.lan", e.getMessage());
    }

    @Test
    void anExpiredCertificateIsRefusedWithItsDate() throws Exception {
        Clock later = Clock.offset(Clock.systemUTC(), Duration.ofDays(60));
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> new NtsKeClient(later, random).exchange("localhost", ke(), anchors, TIMEOUT));
        assertEquals(NtsKeException.Failure.CERTIFICATE, e.failure());
        assertTrue(e.getMessage().startsWith("certificate for localhost expired on "), e.getMessage());
    }

    @Test
    void nothingListeningIsAConnectFailure() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NtsKeException e = assertThrows(NtsKeException.class, () -> new NtsKeClient(Clock.systemUTC(), random)
                .exchange("localhost", new InetSocketAddress("127.0.0.1", port), anchors, TIMEOUT));
        assertEquals(NtsKeException.Failure.CONNECT, e.failure());
    }

    /** chronyd's own NTS client (-Q: measure once, never set the clock) accepts this server set-up. */
    @Test
    void chronydsNtsClientConfirmsTheServerSetUp() throws Exception {
        Path dir = Files.createTempDirectory(chronyd.dir, "client");
        Path conf = dir.resolve("client.conf");
        Files.writeString(conf, String.join("\n",
                "server 127.0.0.1 port " + chronyd.ntpPort + " nts ntsport " + chronyd.ntsKePort
                        + " iburst maxsamples 1",
                "ntstrustedcerts " + chronyd.caFile,
                "cmdport 0",
                "pidfile " + dir.resolve("client.pid"),
                ""));
        Process p = new ProcessBuilder(NtsChronyd.CHRONYD.toString(), "-x", "-Q", "-t", "20", "-u", "root", "-f",
                conf.toString()).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        Matcher m = Pattern.compile("System clock wrong by (-?[0-9.]+) seconds").matcher(out);
        assertTrue(m.find(), out + "\nserver log:\n" + chronyd.log());
        assertTrue(Math.abs(Double.parseDouble(m.group(1))) < 0.5, out);
    }


    private dev.pintp.ntp.NtpAuth.Nts nts(Path cookieFile) {
        return dev.pintp.ntp.NtpAuth.Nts.of("localhost").withKePort(chronyd.ntsKePort).withTrustedCa(chronyd.caFile)
                .withCookieFile(cookieFile);
    }

    @Test
    void theEngineMeasuresTimeOverNts() throws Exception {
        Path cookies = Files.createTempDirectory(chronyd.dir, "engine").resolve("cookies");
        dev.pintp.ntp.QueryOptions options = new dev.pintp.ntp.QueryOptions(3, Duration.ofSeconds(2),
                Duration.ofSeconds(5)).withAuth(nts(cookies));
        dev.pintp.ntp.QueryResult r = dev.pintp.ntp.SntpClient.ofDefaults()
                .query(new InetSocketAddress("127.0.0.1", chronyd.ntpPort), options);
        assertEquals(dev.pintp.ntp.Outcome.OK, r.outcome(), r.detail());
        assertEquals(3, r.samples().size());
        assertTrue(r.best().orElseThrow().offset().abs().compareTo(Duration.ofMillis(100)) < 0);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cookies)));
    }

    @Test
    void aPlainAnswerIsNeverUsedWhereNtsIsConfigured() throws Exception {
        Path cookies = Files.createTempDirectory(chronyd.dir, "plain").resolve("cookies");
        try (dev.pintp.ntp.testkit.SntpTestServer plain = dev.pintp.ntp.testkit.SntpTestServer.start(
                Clock.systemUTC(), new InetSocketAddress("127.0.0.1", 0))) {
            dev.pintp.ntp.QueryOptions options = new dev.pintp.ntp.QueryOptions(1, Duration.ofSeconds(2),
                    Duration.ofSeconds(5)).withAuth(nts(cookies));
            dev.pintp.ntp.QueryResult r = dev.pintp.ntp.SntpClient.ofDefaults().query(plain.address(), options);
            assertEquals(dev.pintp.ntp.Outcome.REJECTED, r.outcome(), r.detail());
            assertEquals(dev.pintp.ntp.DropReason.UNAUTHENTICATED, r.reason().orElseThrow(), r.detail());
            assertTrue(r.samples().isEmpty());
        }
    }

    @Test
    void aWrongCaFailsTheQueryWithTheCertificateReason() throws Exception {
        Path otherCa = Files.createTempDirectory(chronyd.dir, "ca").resolve("other.crt");
        TestPki.writePem(otherCa, TestPki.create("another CA").ca);
        dev.pintp.ntp.QueryOptions options = new dev.pintp.ntp.QueryOptions(1, Duration.ofSeconds(2),
                Duration.ofSeconds(5)).withAuth(dev.pintp.ntp.NtpAuth.Nts.of("localhost")
                        .withKePort(chronyd.ntsKePort).withTrustedCa(otherCa));
        dev.pintp.ntp.QueryResult r = dev.pintp.ntp.SntpClient.ofDefaults()
                .query(new InetSocketAddress("127.0.0.1", chronyd.ntpPort), options);
        assertEquals(dev.pintp.ntp.Outcome.UNREACHABLE, r.outcome());
        assertTrue(r.detail().contains("certificate for localhost (issued by CN=pintp test CA) is not trusted"),
                r.detail());
    }

    /**
     * An hour of the timer job: 60 processes one after another, each with a new authenticator reading the cookie
     * file, one exchange each. Only the first makes an NTS-KE; every later one uses a stored cookie and stores the
     * fresh one it gets back.
     */
    @Test
    void anHourOfTheTimerMakesOneKeyExchange() throws Exception {
        Path cookies = Files.createTempDirectory(chronyd.dir, "hour").resolve("cookies");
        int before = NtsAuthenticator.KE_EXCHANGES.get();
        for (int run = 0; run < 60; run++) {
            NtsAuthenticator auth = new NtsAuthenticator(nts(cookies));
            assertTrue(authenticExchange(auth), "run " + run);
            assertEquals(8, auth.cookieCount(), "run " + run);
        }
        assertEquals(1, NtsAuthenticator.KE_EXCHANGES.get() - before);
    }

    /**
     * A long-lived process (the daemon) with one authenticator: the cookie file stays the jar's truth. Its requests
     * reuse the jar without NTS-KE; once the file is removed, the next request makes one NTS-KE and writes it again.
     */
    @Test
    void aLongLivedAuthenticatorDoesNtsKeAgainOnceTheCookieFileIsRemoved() throws Exception {
        Path cookies = Files.createTempDirectory(chronyd.dir, "daemon").resolve("cookies");
        NtsAuthenticator auth = new NtsAuthenticator(nts(cookies));
        int before = NtsAuthenticator.KE_EXCHANGES.get();
        for (int run = 0; run < 5; run++) {
            assertTrue(authenticExchange(auth), "run " + run);
        }
        assertEquals(1, NtsAuthenticator.KE_EXCHANGES.get() - before, "one NTS-KE for five requests");
        Files.delete(cookies);
        assertTrue(authenticExchange(auth));
        assertEquals(2, NtsAuthenticator.KE_EXCHANGES.get() - before, "the removed file forced an NTS-KE");
        assertTrue(Files.isRegularFile(cookies), "and the new jar is stored");
        assertTrue(authenticExchange(auth));
        assertEquals(2, NtsAuthenticator.KE_EXCHANGES.get() - before, "then cookies only again");
    }

    @Test
    void aNakEmptiesTheJarAndTheNextRequestDoesNtsKeAgain() throws Exception {
        Path cookies = Files.createTempDirectory(chronyd.dir, "nak").resolve("cookies");
        NtsAuthenticator first = new NtsAuthenticator(nts(cookies));
        assertTrue(authenticExchange(first));
        // replace every stored cookie by garbage of the same length: the server answers NTS NAK
        List<String> lines = Files.readAllLines(cookies);
        StringBuilder forged = new StringBuilder();
        for (String l : lines) {
            forged.append(l.startsWith("cookie ") ? "cookie " + "ab".repeat((l.length() - 7) / 2) : l).append('\n');
        }
        Files.writeString(cookies, forged);
        NtsAuthenticator second = new NtsAuthenticator(nts(cookies));
        int before = NtsAuthenticator.KE_EXCHANGES.get();
        assertFalse(authenticExchange(second));
        assertEquals(0, second.cookieCount());
        assertFalse(Files.exists(cookies), "the NAK removed the cookie file");
        assertTrue(authenticExchange(second));
        assertEquals(1, NtsAuthenticator.KE_EXCHANGES.get() - before);
    }

    /** One request through the authenticator and the check of its answer; true when authentic. */
    private boolean authenticExchange(NtsAuthenticator auth) throws IOException {
        dev.pintp.ntp.internal.Authenticator.Exchange ex = auth.begin(header());
        byte[] reply = exchange(ex.request());
        dev.pintp.ntp.internal.PacketFields fields = dev.pintp.ntp.internal.PacketFields.parse(reply, reply.length);
        assertTrue(fields != null, "well-formed reply");
        return ex.verify(reply, reply.length, fields).ok();
    }

    private byte[] exchange(byte[] request) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.connect(new InetSocketAddress("127.0.0.1", chronyd.ntpPort));
            s.setSoTimeout((int) TIMEOUT.toMillis());
            s.send(new DatagramPacket(request, request.length));
            byte[] buf = new byte[2048];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            s.receive(in);
            return Arrays.copyOf(buf, in.getLength());
        }
    }

    private byte[] header() {
        byte[] h = new byte[48];
        h[0] = 0x23; // version 4, mode 3
        System.arraycopy(bytes(8), 0, h, 40, 8);
        return h;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static List<String> names() {
        return List.of("localhost", "127.0.0.1");
    }
}
