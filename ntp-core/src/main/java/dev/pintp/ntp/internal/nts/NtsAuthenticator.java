package dev.pintp.ntp.internal.nts;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.internal.Authenticator;
import dev.pintp.ntp.internal.PacketFields;
import dev.pintp.ntp.internal.UdpSntpClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.security.cert.TrustAnchor;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NTS {@link Authenticator} of one {@link NtpAuth.Nts} configuration (RFC 8915 section 5.7): each request takes
 * one cookie and asks, with Cookie Placeholders, for as many back as keep the jar at 8; an authentic answer's new
 * cookies go into the jar; an NTS NAK empties it. NTS-KE runs when the jar is empty: at the first request, after a
 * NAK, or after 8 requests in a row went unanswered. With a cookie file the jar is read from it at the first request
 * and written after each change, so a new process every minute makes one NTS-KE only when the server stops taking its
 * cookies (chrony rotates its cookie key every hour and accepts the last few keys: the cookies of a run a minute ago
 * are always good). The file stays the jar's truth for a long-lived process too (the daemon): when it is no longer
 * the file this authenticator last read or wrote (removed, replaced), the jar is read from it again before the next
 * request, so removing it forces an NTS-KE as it does for the timer's processes; a write that failed leaves the
 * remembered file in place, so the jar in memory is kept and no cookie is sent twice. Thread-safe.
 */
public final class NtsAuthenticator implements Authenticator {
    /** The request's random fields: the kernel's CSPRNG read directly, as the nonces are (no JCA start-up). */
    private static final LongSupplier RANDOM = UdpSntpClient.systemNonces();
    /** NTS-KE exchanges made by every authenticator of this process; for tests and the cost measurement. */
    static final AtomicInteger KE_EXCHANGES = new AtomicInteger();

    private final NtpAuth.Nts config;
    private NtsKeClient client;
    private byte[] c2s;
    private byte[] s2c;
    private final Deque<byte[]> cookies = new ArrayDeque<>();
    private boolean loaded;
    /** The cookie file as this authenticator last read or wrote it (null: absent). */
    private FileIdentity seen;

    /** An authenticator for {@code config} on the system clock. */
    public NtsAuthenticator(NtpAuth.Nts config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    public Exchange begin(byte[] header) throws IOException {
        byte[] cookie;
        byte[] c2sKey;
        byte[] s2cKey;
        int placeholders;
        synchronized (this) {
            if (loaded && config.cookieFile().isPresent()
                    && !Objects.equals(seen, FileIdentity.of(config.cookieFile().get()))) {
                loaded = false;
                cookies.clear();
                c2s = null;
                s2c = null;
            }
            if (!loaded) {
                loaded = true;
                Optional<NtsCookieStore.Saved> saved = Optional.empty();
                if (config.cookieFile().isPresent()) {
                    seen = FileIdentity.of(config.cookieFile().get());
                    saved = NtsCookieStore.load(config.cookieFile().get(), config.keHost(), config.kePort());
                }
                if (saved.isPresent()) {
                    c2s = saved.get().c2s();
                    s2c = saved.get().s2c();
                    for (byte[] c : saved.get().cookies()) {
                        cookies.addLast(c);
                    }
                }
            }
            if (cookies.isEmpty()) {
                keyExchange();
            }
            cookie = cookies.pollFirst();
            c2sKey = c2s;
            s2cKey = s2c;
            placeholders = Math.min(NtsKeRecords.MAX_COOKIES - 1, NtsKeRecords.MAX_COOKIES - 1 - cookies.size());
            persist();
        }
        byte[] uid = new byte[NtsPacket.UNIQUE_ID_LENGTH];
        byte[] nonce = new byte[NtsPacket.NONCE_LENGTH];
        fill(uid);
        fill(nonce);
        byte[] request = NtsPacket.request(header, uid, cookie, placeholders, c2sKey, nonce);
        return new NtsExchange(request, uid, s2cKey);
    }

    private static void fill(byte[] b) {
        for (int i = 0; i < b.length; i += 8) {
            long r = RANDOM.getAsLong();
            for (int j = 0; j < 8 && i + j < b.length; j++) {
                b[i + j] = (byte) (r >>> (8 * j));
            }
        }
    }

    /** Runs NTS-KE; on success replaces keys and cookies. Holds the lock: concurrent queries wait for one exchange. */
    private void keyExchange() throws IOException {
        Set<TrustAnchor> anchors = config.trustedCa().isPresent()
                ? ServerCertificateCheck.anchorsFromFile(config.trustedCa().get())
                : ServerCertificateCheck.systemAnchors();
        InetSocketAddress address = new InetSocketAddress(config.keHost(), config.kePort());
        if (address.isUnresolved()) {
            throw new NtsKeFailedException("NTS-KE server " + config.keHost() + " does not resolve");
        }
        if (client == null) {
            client = new NtsKeClient(Clock.systemUTC(), new SecureRandom());
        }
        NtsKeClient.Result r;
        try {
            KE_EXCHANGES.incrementAndGet();
            r = client.exchange(config.keHost(), address, anchors, config.keTimeout());
        } catch (NtsKeException e) {
            throw new NtsKeFailedException(e.getMessage());
        }
        Optional<String> server = r.response().ntpServer();
        if (server.isPresent() && !server.get().equalsIgnoreCase(config.keHost())) {
            throw new NtsKeFailedException("NTS-KE server " + config.keHost() + " moved NTP to " + server.get()
                    + "; configure that server instead");
        }
        c2s = r.c2sKey();
        s2c = r.s2cKey();
        cookies.clear();
        cookies.addAll(r.response().cookies());
        Log.LOG.debug("NTS-KE with {}: {} cookies", config.keHost(), cookies.size());
    }

    private synchronized void accept(List<byte[]> fresh) {
        for (byte[] c : fresh) {
            if (cookies.size() < NtsKeRecords.MAX_COOKIES) {
                cookies.addLast(c);
            }
        }
        persist();
    }

    private synchronized void nak() {
        cookies.clear();
        persist();
    }

    /** Writes the jar to the cookie file, if any; a failure is logged (the next process then does NTS-KE). */
    private void persist() {
        Optional<Path> file = config.cookieFile();
        if (file.isEmpty()) {
            return;
        }
        try {
            if (cookies.isEmpty()) {
                NtsCookieStore.delete(file.get());
            } else {
                NtsCookieStore.save(file.get(), config.keHost(), config.kePort(), c2s, s2c, new ArrayList<>(cookies));
            }
            seen = FileIdentity.of(file.get());
        } catch (IOException e) {
            Log.LOG.warn("cannot write the NTS cookie file {}: {}", file.get(), e.toString());
        }
    }

    /** Cookies in the jar now; for tests. */
    synchronized int cookieCount() {
        return cookies.size();
    }

    @Override
    public String toString() {
        return config.toString();
    }

    /** One NTS request and the check of its answers. */
    private final class NtsExchange implements Exchange {
        private final byte[] request;
        private final byte[] uid;
        private final byte[] s2cKey;

        NtsExchange(byte[] request, byte[] uid, byte[] s2cKey) {
            this.request = request;
            this.uid = uid;
            this.s2cKey = s2cKey;
        }

        @Override
        public byte[] request() {
            return request;
        }

        @Override
        public Check verify(byte[] data, int length, PacketFields fields) {
            NtsPacket.Reply reply = NtsPacket.check(data, length, uid, s2cKey);
            if (reply instanceof NtsPacket.Authentic a) {
                accept(a.cookies());
                return Check.OK;
            }
            if (reply instanceof NtsPacket.Nak) {
                nak();
                return Check.refuse(RefusalReason.KISS_OF_DEATH, "NTS NAK from the server: it no longer takes our"
                        + " cookies; NTS-KE again at the next request");
            }
            String reason = ((NtsPacket.Invalid) reply).reason();
            return Check.drop(fields.extensionCount() == 0 ? DropReason.UNAUTHENTICATED : DropReason.BAD_MAC,
                    "NTS: " + reason);
        }
    }

    /** Logger, created on first use (slf4j's start-up costs a one-shot check about 10 ms). */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(NtsAuthenticator.class);
    }

    /**
     * A file's identity as far as a reader can tell a rewrite or removal (inode, modification time, size); null when
     * absent. A class, not a record: a record's equals bootstraps {@code ObjectMethods} on first use.
     */
    private static final class FileIdentity {
        private final Object key;
        private final long modified;
        private final long size;

        private FileIdentity(Object key, long modified, long size) {
            this.key = key;
            this.modified = modified;
            this.size = size;
        }

        static FileIdentity of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                return new FileIdentity(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
            } catch (IOException e) {
                return null;
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FileIdentity f && Objects.equals(key, f.key) && modified == f.modified && size == f.size;
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(key) * 31 + Long.hashCode(modified) * 17 + Long.hashCode(size);
        }
    }
}
