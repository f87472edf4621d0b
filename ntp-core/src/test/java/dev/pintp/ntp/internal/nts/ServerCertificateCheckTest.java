package dev.pintp.ntp.internal.nts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.TrustAnchor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificate rules without TLS: validity, chain, key usage, and RFC 6125 name matching. */
class ServerCertificateCheckTest {
    private static final TestPki PKI = TestPki.create("unit CA");
    private static final Set<TrustAnchor> ANCHORS = Set.of(new TrustAnchor(PKI.ca, null));

    private static ServerCertificateCheck check(String name) {
        return new ServerCertificateCheck(ANCHORS, name, Clock.systemUTC());
    }

    @Test
    void aGoodChainForTheNamePasses() throws Exception {
        check("pizero.lan").check(List.of(PKI.issue("pizero.lan").cert()));
        check("PiZero.LAN.").check(List.of(PKI.issue("pizero.lan").cert()));
        check("192.168.4.2").check(List.of(PKI.issue("pizero.lan", "192.168.4.2").cert()));
    }

    @Test
    void anExpiredCertificateSaysWhen() {
        Instant now = Instant.now();
        TestPki.Issued old = PKI.issue(List.of("pizero.lan"), now.minusSeconds(86400 * 10), now.minusSeconds(86400));
        NtsKeException e = assertThrows(NtsKeException.class, () -> check("pizero.lan").check(List.of(old.cert())));
        assertEquals("certificate for pizero.lan expired on " + old.cert().getNotAfter().toInstant()
                + " (the local clock says ", e.getMessage().substring(0, e.getMessage().indexOf('(') + 22));
    }

    @Test
    void aCertificateNotYetValidSaysFromWhen() {
        Instant now = Instant.now();
        TestPki.Issued future = PKI.issue(List.of("pizero.lan"), now.plusSeconds(86400), now.plusSeconds(86400 * 9));
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> check("pizero.lan").check(List.of(future.cert())));
        assertTrue(e.getMessage().startsWith("certificate for pizero.lan is not valid before "), e.getMessage());
    }

    @Test
    void aClockBeforeTheCertificateIsRefusedNotTrusted() {
        Clock epoch = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        NtsKeException e = assertThrows(NtsKeException.class, () -> new ServerCertificateCheck(ANCHORS,
                "pizero.lan", epoch).check(List.of(PKI.issue("pizero.lan").cert())));
        assertTrue(e.getMessage().contains("the local clock says 1970-01-01T00:00:00Z"), e.getMessage());
    }

    @Test
    void anotherCaIsNotTrusted() {
        TestPki other = TestPki.create("evil CA");
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> check("pizero.lan").check(List.of(other.issue("pizero.lan").cert())));
        assertTrue(e.getMessage().startsWith("certificate for pizero.lan (issued by CN=evil CA) is not trusted"),
                e.getMessage());
    }

    @Test
    void anotherNameIsRefusedNamingBoth() {
        NtsKeException e = assertThrows(NtsKeException.class,
                () -> check("pizero.lan").check(List.of(PKI.issue("attacker.lan", "10.0.0.1").cert())));
        assertEquals("certificate is for attacker.lan, 10.0.0.1, not pizero.lan", e.getMessage());
    }

    @Test
    void noCertificateIsRefused() {
        assertThrows(NtsKeException.class, () -> check("pizero.lan").check(List.of()));
    }

    @Test
    void nameMatchingFollowsRfc6125() {
        assertTrue(ServerCertificateCheck.matches(List.of("*.lan.example"), "pizero.lan.example"));
        assertFalse(ServerCertificateCheck.matches(List.of("*.lan.example"), "a.pizero.lan.example"));
        assertFalse(ServerCertificateCheck.matches(List.of("*.lan.example"), "lan.example"));
        assertFalse(ServerCertificateCheck.matches(List.of("*.lan"), "pizero.lan"), "no wildcard under one label");
        assertFalse(ServerCertificateCheck.matches(List.of("pi*.lan.example"), "pizero.lan.example"));
        assertFalse(ServerCertificateCheck.matches(List.of("192.168.4.2"), "pizero.lan"));
        assertFalse(ServerCertificateCheck.matches(List.of("pizero.lan"), "192.168.4.2"),
                "an IP name matches only IP entries");
        assertTrue(ServerCertificateCheck.matches(List.of("0:0:0:0:0:0:0:1"), "::1"));
        assertFalse(ServerCertificateCheck.matches(List.of("192.168.4.2"), "999.168.4.2"));
    }

    @Test
    void aCaFileIsReadAndAnEmptyOrLinkedOneIsRefused(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca.crt");
        TestPki.writePem(ca, PKI.ca);
        assertEquals(1, ServerCertificateCheck.anchorsFromFile(ca).size());
        Path empty = Files.writeString(dir.resolve("empty.crt"), "");
        assertThrows(java.io.IOException.class, () -> ServerCertificateCheck.anchorsFromFile(empty));
        Path link = Files.createSymbolicLink(dir.resolve("link.crt"), ca);
        assertThrows(java.io.IOException.class, () -> ServerCertificateCheck.anchorsFromFile(link));
    }
}
