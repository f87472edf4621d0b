package dev.pintp.ntp.internal.nts;

import dev.pintp.ntp.internal.nts.NtsKeException.Failure;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The NTS-KE client of RFC 8915 section 4: one TCP connection, TLS 1.3 only with ALPN {@code ntske/1} (Bouncy
 * Castle's TLS, for the keying-material exporter that JDK 17's TLS lacks), the request, a strict reading of the
 * response, and the two AEAD keys from the exporter. The whole exchange, connection included, has one deadline.
 * Thread-safe; each call is independent.
 */
public final class NtsKeClient {
    /** The NTS-KE port IANA assigned (RFC 8915 section 7.1). */
    public static final int DEFAULT_PORT = 4460;
    /** The exporter label of RFC 8915 section 5.1. */
    static final String EXPORTER_LABEL = "EXPORTER-network-time-security";
    /** The key length of AEAD_AES_SIV_CMAC_256: two AES-128 keys. */
    public static final int KEY_LENGTH = 32;
    private static final ProtocolName NTSKE = ProtocolName.asUtf8Encoding("ntske/1");

    private final Clock clock;
    private final SecureRandom random;

    /**
     * A client that checks certificates at {@code clock}'s time and draws TLS randomness from {@code random}.
     *
     * @param clock the time at which certificates must be valid
     * @param random the TLS randomness
     */
    public NtsKeClient(Clock clock, SecureRandom random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * What one NTS-KE exchange gave: the client-to-server and server-to-client keys and the server's response.
     *
     * @param c2sKey the key for requests, {@link #KEY_LENGTH} bytes
     * @param s2cKey the key for replies, {@link #KEY_LENGTH} bytes
     * @param response the cookies and the negotiated NTP server and port
     */
    public record Result(byte[] c2sKey, byte[] s2cKey, NtsKeRecords.Response response) {
        /** Copies the keys. */
        public Result {
            c2sKey = c2sKey.clone();
            s2cKey = s2cKey.clone();
            Objects.requireNonNull(response, "response");
        }

        @Override
        public byte[] c2sKey() {
            return c2sKey.clone();
        }

        @Override
        public byte[] s2cKey() {
            return s2cKey.clone();
        }

        @Override
        public String toString() {
            return "Result[" + response.cookies().size() + " cookies, keys hidden]";
        }
    }

    /**
     * Runs one NTS-KE exchange.
     *
     * @param name the server's configured name: sent as SNI (unless an IP literal) and checked against the certificate
     * @param address where to connect (resolved)
     * @param anchors the CAs trusted for this server
     * @param timeout the deadline for the whole exchange; positive
     * @return the keys and cookies
     * @throws NtsKeException with the reason; never another exception for what the network or the server does
     */
    public Result exchange(String name, InetSocketAddress address, Set<TrustAnchor> anchors, Duration timeout)
            throws NtsKeException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        ServerCertificateCheck check = new ServerCertificateCheck(anchors, name, clock);
        long millis = Math.max(1, timeout.toMillis());
        AtomicBoolean expired = new AtomicBoolean();
        Client client = new Client(new BcTlsCrypto(random), name, check);
        try (Socket socket = new Socket()) {
            // One deadline for connect, handshake and response: a server that drips bytes cannot hold us longer.
            CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS).execute(() -> {
                expired.set(true);
                closeQuietly(socket);
            });
            try {
                socket.connect(address, (int) Math.min(Integer.MAX_VALUE, millis));
            } catch (IOException e) {
                if (expired.get()) {
                    throw timeout(address, timeout);
                }
                throw new NtsKeException(Failure.CONNECT, "cannot connect to NTS-KE server " + where(address) + ": "
                        + e.getMessage(), e);
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
            TlsClientProtocol tls = new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
            try {
                tls.connect(client);
            } catch (IOException e) {
                if (client.certificateFailure != null) {
                    throw client.certificateFailure;
                }
                if (expired.get() || e instanceof InterruptedIOException) {
                    throw timeout(address, timeout);
                }
                throw new NtsKeException(Failure.TLS, "TLS handshake with " + where(address) + " failed: "
                        + describe(e), e);
            }
            ProtocolName alpn = client.context().getSecurityParametersConnection().getApplicationProtocol();
            if (!NTSKE.equals(alpn)) {
                throw new NtsKeException(Failure.ALPN, where(address) + " did not agree to ALPN ntske/1"
                        + (alpn == null ? "" : " (chose " + alpn.getUtf8Decoding() + ")"));
            }
            OutputStream out = tls.getOutputStream();
            out.write(NtsKeRecords.request());
            out.flush();
            byte[] message = NtsKeRecords.readMessage(tls.getInputStream());
            NtsKeRecords.Response response = NtsKeRecords.parse(message);
            byte[] c2s = client.c2s;
            byte[] s2c = client.s2c;
            try {
                tls.close();
            } catch (IOException e) {
                // the keys are ours already; a failing close_notify changes nothing
            }
            return new Result(c2s, s2c, response);
        } catch (IOException e) {
            if (expired.get() || e instanceof InterruptedIOException) {
                throw timeout(address, timeout);
            }
            throw new NtsKeException(Failure.TLS, "NTS-KE with " + where(address) + " failed: " + describe(e), e);
        } catch (RuntimeException e) {
            // Bouncy Castle throws unchecked exceptions for some malformed input; the contract is NtsKeException.
            throw new NtsKeException(Failure.TLS, "NTS-KE with " + where(address) + " failed: " + describe(e), e);
        }
    }

    /** The exporter context of RFC 8915 section 5.1: protocol NTPv4, AEAD 15, then 0 (C2S) or 1 (S2C). */
    static byte[] exporterContext(int direction) {
        return new byte[] {0, (byte) NtsKeRecords.PROTOCOL_NTPV4, 0, (byte) NtsKeRecords.AEAD_AES_SIV_CMAC_256,
            (byte) direction};
    }

    private static NtsKeException timeout(InetSocketAddress address, Duration timeout) {
        return new NtsKeException(Failure.TIMEOUT, "NTS-KE with " + where(address) + " did not finish within "
                + timeout.toMillis() + " ms");
    }

    private static String where(InetSocketAddress a) {
        return a.getHostString() + " port " + a.getPort();
    }

    private static String describe(Exception e) {
        if (e instanceof TlsFatalAlert alert) {
            return "alert " + AlertDescription.getText(alert.getAlertDescription());
        }
        if (e instanceof SocketException && e.getMessage() != null) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing is all we wanted
        }
    }

    /** TLS 1.3 only, ALPN ntske/1, SNI, and our certificate check. Confined to the exchanging thread. */
    private static final class Client extends DefaultTlsClient {
        private final String name;
        private final ServerCertificateCheck check;
        NtsKeException certificateFailure;
        byte[] c2s;
        byte[] s2c;

        Client(BcTlsCrypto crypto, String name, ServerCertificateCheck check) {
            super(crypto);
            this.name = name;
            this.check = check;
        }

        org.bouncycastle.tls.TlsClientContext context() {
            return context;
        }

        /** Bouncy Castle allows the exporter only here (RFC 8446 section 7.5, exporter_master_secret). */
        @Override
        public void notifyHandshakeComplete() throws IOException {
            super.notifyHandshakeComplete();
            c2s = context.exportKeyingMaterial(EXPORTER_LABEL, exporterContext(0), KEY_LENGTH);
            s2c = context.exportKeyingMaterial(EXPORTER_LABEL, exporterContext(1), KEY_LENGTH);
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.TLSv13.only();
        }

        @Override
        protected Vector<ProtocolName> getProtocolNames() {
            Vector<ProtocolName> names = new Vector<>();
            names.add(NTSKE);
            return names;
        }

        @Override
        protected Vector<ServerName> getSNIServerNames() {
            if (ServerCertificateCheck.isIpLiteral(name)) {
                return null; // RFC 6066: no IP literals in SNI
            }
            Vector<ServerName> names = new Vector<>();
            names.add(new ServerName(NameType.host_name, name.getBytes(StandardCharsets.US_ASCII)));
            return names;
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new TlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                    try {
                        check.check(chain(serverCertificate.getCertificate().getCertificateList()));
                    } catch (NtsKeException e) {
                        certificateFailure = e;
                        throw new TlsFatalAlert(AlertDescription.bad_certificate, e.getMessage());
                    }
                }

                @Override
                public TlsCredentials getClientCredentials(CertificateRequest request) {
                    return null;
                }
            };
        }

        private static List<X509Certificate> chain(TlsCertificate[] list) throws NtsKeException {
            List<X509Certificate> chain = new ArrayList<>();
            try {
                CertificateFactory cf = CertificateFactory.getInstance("X.509");
                for (TlsCertificate c : list) {
                    chain.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(c.getEncoded())));
                }
            } catch (CertificateException | IOException e) {
                throw new NtsKeException(Failure.CERTIFICATE, "the server's certificate cannot be read: "
                        + e.getMessage());
            }
            return chain;
        }
    }
}
