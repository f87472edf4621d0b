package dev.pintp.ntp.internal.nts;

import dev.pintp.ntp.internal.nts.NtsKeException.Failure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Decides whether the NTS-KE server's certificate chain is good for the configured name: the leaf is valid now (on
 * the given clock), the chain leads to a trust anchor (the JDK's PKIX validation, revocation not checked: the Pi
 * Zero's own CA publishes no CRL), the leaf may serve TLS servers (extended key usage), and one of its subject
 * alternative names is the configured name (RFC 6125: DNS names case-insensitively, a wildcard only as the whole
 * left-most label; an IP address only against IP address entries; the subject's CN is not used). Immutable.
 */
public final class ServerCertificateCheck {
    /** Bound on a CA file: a bundle of a few hundred certificates fits easily. */
    static final long MAX_CA_FILE_BYTES = 1 << 20;
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EKU = "2.5.29.37.0";

    private final Set<TrustAnchor> anchors;
    private final String name;
    private final Clock clock;

    /**
     * A check against these anchors for this name.
     *
     * @param anchors the trusted CAs; not empty
     * @param name the NTS-KE server's configured name (host name or IP address literal)
     * @param clock the time at which the certificates must be valid
     */
    public ServerCertificateCheck(Set<TrustAnchor> anchors, String name, Clock clock) {
        this.anchors = Set.copyOf(anchors);
        this.name = Objects.requireNonNull(name, "name");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (this.anchors.isEmpty()) {
            throw new IllegalArgumentException("no trust anchor");
        }
    }

    /**
     * The CA certificates in a PEM (or DER) file, read without following a symbolic link and at most 1 MiB.
     *
     * @throws IOException when the file cannot be read, is too large, or holds no certificate
     */
    public static Set<TrustAnchor> anchorsFromFile(Path file) throws IOException {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                InputStream in = Channels.newInputStream(ch)) {
            if (ch.size() > MAX_CA_FILE_BYTES) {
                throw new IOException("CA file " + file + " is larger than " + MAX_CA_FILE_BYTES + " bytes");
            }
            bytes = in.readNBytes((int) MAX_CA_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_CA_FILE_BYTES) {
            throw new IOException("CA file " + file + " is larger than " + MAX_CA_FILE_BYTES + " bytes");
        }
        Collection<? extends java.security.cert.Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new IOException("CA file " + file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        for (java.security.cert.Certificate c : certs) {
            anchors.add(new TrustAnchor((X509Certificate) c, null));
        }
        if (anchors.isEmpty()) {
            throw new IOException("CA file " + file + " holds no certificate");
        }
        return anchors;
    }

    /**
     * The JDK's default trust store (on Debian the system's CA bundle, through the ca-certificates-java package).
     *
     * @throws IOException when it cannot be loaded or is empty
     */
    public static Set<TrustAnchor> systemAnchors() throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init((KeyStore) null);
            Set<TrustAnchor> anchors = new HashSet<>();
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        anchors.add(new TrustAnchor(c, null));
                    }
                }
            }
            if (anchors.isEmpty()) {
                throw new IOException("the system trust store is empty");
            }
            return anchors;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the system trust store: " + e.getMessage(), e);
        }
    }

    /**
     * Checks the chain the server sent, leaf first.
     *
     * @throws NtsKeException CERTIFICATE with the reason in plain words
     */
    public void check(List<X509Certificate> chain) throws NtsKeException {
        if (chain.isEmpty()) {
            throw fail("the NTS-KE server " + name + " sent no certificate");
        }
        X509Certificate leaf = chain.get(0);
        Date now = Date.from(clock.instant());
        try {
            leaf.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw fail("certificate for " + name + " expired on " + leaf.getNotAfter().toInstant()
                    + " (the local clock says " + now.toInstant() + ")");
        } catch (CertificateNotYetValidException e) {
            throw fail("certificate for " + name + " is not valid before " + leaf.getNotBefore().toInstant()
                    + " (the local clock says " + now.toInstant() + ")");
        }
        try {
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(now);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(chain), params);
        } catch (CertPathValidatorException e) {
            throw fail("certificate for " + name + " (issued by " + leaf.getIssuerX500Principal().getName()
                    + ") is not trusted: " + pkixReason(e));
        } catch (GeneralSecurityException e) {
            throw fail("certificate for " + name + " cannot be validated: " + e.getMessage());
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
                throw fail("certificate for " + name + " is not for TLS servers (extended key usage " + eku + ")");
            }
        } catch (CertificateParsingException e) {
            throw fail("certificate for " + name + " has a malformed extended key usage");
        }
        List<String> names = subjectAltNames(leaf);
        if (!matches(names, name)) {
            throw fail("certificate is for " + (names.isEmpty() ? "no name (it has no subject alternative name)"
                    : String.join(", ", names)) + ", not " + name);
        }
    }

    private static String pkixReason(CertPathValidatorException e) {
        if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
            return "a certificate of its chain expired";
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return "a certificate of its chain is not yet valid";
        }
        if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return "a signature in its chain is invalid";
        }
        // "Path does not chain with any of the trust anchors" and the like
        return "it does not chain to a trusted CA (" + e.getMessage() + ")";
    }

    /** The DNS names and IP addresses of the certificate's subject alternative names, as text. */
    static List<String> subjectAltNames(X509Certificate cert) throws NtsKeException {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans == null) {
                return out;
            }
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if ((type == 2 || type == 7) && san.get(1) instanceof String s) {
                    out.add(s);
                }
            }
        } catch (CertificateParsingException e) {
            throw fail("the certificate's subject alternative names are malformed");
        }
        return out;
    }

    /** RFC 6125 section 6.4 matching of {@code name} against the certificate's names. */
    static boolean matches(List<String> names, String name) {
        if (isIpLiteral(name)) {
            InetAddress wanted = literal(name);
            for (String n : names) {
                if (isIpLiteral(n) && wanted != null && wanted.equals(literal(n))) {
                    return true;
                }
            }
            return false;
        }
        String host = stripDot(name.toLowerCase(Locale.ROOT));
        for (String n : names) {
            if (isIpLiteral(n)) {
                continue;
            }
            String pattern = stripDot(n.toLowerCase(Locale.ROOT));
            if (pattern.equals(host)) {
                return true;
            }
            if (pattern.startsWith("*.") && pattern.indexOf('*', 1) < 0 && pattern.chars().filter(c -> c == '.')
                    .count() >= 2) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot).equals(pattern.substring(1))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** True for an IPv4 dotted quad or an IPv6 literal; never resolves a name. */
    static boolean isIpLiteral(String s) {
        if (s.indexOf(':') >= 0) {
            return true;
        }
        return s.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }

    /** The address of an IP literal, parsed without any lookup; null when it is not a valid literal. */
    private static InetAddress literal(String s) {
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        try {
            if (t.indexOf(':') < 0) {
                String[] parts = t.split("\\.", -1);
                if (parts.length != 4) {
                    return null;
                }
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    if (parts[i].isEmpty() || parts[i].length() > 3) {
                        return null;
                    }
                    int v = Integer.parseInt(parts[i]);
                    if (v > 255) {
                        return null;
                    }
                    b[i] = (byte) v;
                }
                return InetAddress.getByAddress(b);
            }
            // with a ':' the JDK parses an IPv6 literal and refuses anything else without a lookup
            return t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                    ? InetAddress.getByName(t) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static NtsKeException fail(String message) {
        return new NtsKeException(Failure.CERTIFICATE, message);
    }
}
