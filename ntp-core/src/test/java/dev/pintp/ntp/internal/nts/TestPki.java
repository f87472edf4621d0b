package dev.pintp.ntp.internal.nts;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A test CA and the certificates it issues (EC P-256, made with Bouncy Castle's certificate builder). */
final class TestPki {
    /** Bouncy Castle's provider: its EC private keys carry the curve and public key, which GnuTLS (chronyd) needs. */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime() & 0xFFFF_FFFFL);

    final KeyPair caKeys;
    final X509Certificate ca;

    private TestPki(KeyPair caKeys, X509Certificate ca) {
        this.caKeys = caKeys;
        this.ca = ca;
    }

    /** A new CA valid from an hour ago for a year. */
    static TestPki create(String caName) {
        KeyPair keys = keyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + caName);
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minusSeconds(3600)), Date.from(now.plusSeconds(365L * 86400)), name,
                    keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestPki(keys, sign(b, keys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server certificate and its key. */
    record Issued(KeyPair keys, X509Certificate cert) {
    }

    /** A TLS server certificate for {@code names} (DNS names or IP literals), valid in [notBefore, notAfter]. */
    Issued issue(List<String> names, Instant notBefore, Instant notAfter) {
        KeyPair keys = keyPair();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(notBefore),
                    Date.from(notAfter), new X500Name("CN=" + names.get(0)), keys.getPublic());
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(ServerCertificateCheck.isIpLiteral(n)
                        ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(n).getHostAddress())
                        : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans.toArray(GeneralName[]::new)));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return new Issued(keys, sign(b, caKeys));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Valid from an hour ago for 30 days. */
    Issued issue(String... names) {
        Instant now = Instant.now();
        return issue(List.of(names), now.minusSeconds(3600), now.plusSeconds(30L * 86400));
    }

    static void writePem(Path file, Object object) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(object);
        }
        Files.writeString(file, s.toString());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) {
        try {
            ContentSigner cs = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(cs));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }
}
