package dev.pintp.ntp.testkit;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.net.ntp.NtpV3Impl;
import org.apache.commons.net.ntp.TimeStamp;

/**
 * An in-process SNTP server on {@code 127.0.0.1}, on a port the operating system chooses (or, for system tests, on
 * a given loopback address and port), whose every answer a test can script. Replies are encoded with commons-net's {@link NtpV3Impl}.
 *
 * <p>By default it answers like a healthy stratum-2 NTPv4 server on the given clock: leap indicator 0, version 4,
 * mode 4, stratum 2, poll 6, precision -20, root delay 10 ms, root dispersion 20 ms, reference id 192.0.2.1,
 * reference time one minute before the reply, the request's transmit timestamp echoed as origin.
 *
 * <p>Scripting methods return {@code this} and may be called while the server runs, from any thread; each request
 * is answered with the script as it stood when the request arrived. Requests are served one at a time on one daemon
 * thread, so an extra {@link #delay(Duration) delay} also holds back later requests.
 *
 * <pre>{@code
 * try (SntpTestServer server = SntpTestServer.start().offset(Duration.ofMillis(2500)).stratum(1).referenceId("GPS")) {
 *     QueryResult r = client.query(server.address(), options);
 * }
 * }</pre>
 */
public final class SntpTestServer implements AutoCloseable {

    /** Extra datagrams the server sends before its genuine reply, each to test that the client ignores it. */
    public enum Decoy {
        /** The reply with a correct origin but a clock 1 hour ahead, sent from another local port. */
        OTHER_PORT,
        /** The reply with a clock 1 hour ahead and an origin timestamp that is not the request's. */
        WRONG_ORIGIN,
        /** The first 47 bytes of a reply with a clock 1 hour ahead. */
        TRUNCATED
    }

    /** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
    private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;
    private static final Duration DECOY_SHIFT = Duration.ofHours(1);

    private final Clock clock;
    private final DatagramSocket socket;
    private final DatagramSocket otherSocket;
    private final Thread thread;
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<byte[]> requests = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    // The script; guarded by this.
    private Duration offset = Duration.ZERO;
    private Duration delay = Duration.ZERO;
    private int leap = 0;
    private int version = 4;
    private int mode = 4;
    private int stratum = 2;
    private int poll = 6;
    private int precision = -20;
    private Duration rootDelay = Duration.ofMillis(10);
    private Duration rootDispersion = Duration.ofMillis(20);
    private int referenceId = 0xC0000201;
    private Instant referenceTime;
    private Long rawReferenceTime;
    private boolean wrongOrigin;
    private boolean zeroTransmit;
    private boolean receiveAfterTransmit;
    private int truncateTo = -1;
    private boolean fromOtherPort;
    private int duplicates;
    private boolean drop;
    private int dropFirst;
    private final Set<Decoy> decoys = EnumSet.noneOf(Decoy.class);
    private java.util.function.BinaryOperator<byte[]> finisher;

    private SntpTestServer(Clock clock, InetSocketAddress bind) throws SocketException {
        this.clock = clock;
        this.socket = new DatagramSocket(bind);
        this.otherSocket = new DatagramSocket(new InetSocketAddress(bind.getAddress(), 0));
        this.thread = new Thread(this::serve, "sntp-test-server-" + socket.getLocalPort());
        this.thread.setDaemon(true);
    }

    /**
     * Starts a server on the system clock ({@link Clock#systemUTC()}).
     *
     * @throws IllegalStateException if no loopback socket can be bound
     */
    public static SntpTestServer start() {
        return start(Clock.systemUTC());
    }

    /**
     * Starts a server whose unscripted time is {@code clock}'s; {@link #offset(Duration)} is added to it.
     *
     * @param clock the server's base clock, not null; called on the server thread
     * @throws IllegalStateException if no loopback socket can be bound
     */
    public static SntpTestServer start(Clock clock) {
        try {
            return start(clock, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("no 127.0.0.1", e);
        }
    }

    /**
     * Starts a server bound to {@code bind}, which must be a loopback address (anything in 127.0.0.0/8, or ::1).
     * Meant for system tests of other SNTP clients that cannot be told a port: bind a random 127.x.y.z address on
     * port 123 (which needs root or CAP_NET_BIND_SERVICE). Decoys and other-port replies come from the same address.
     *
     * @param clock the server's base clock, not null
     * @param bind a loopback address and port (0: the operating system chooses)
     * @throws IllegalArgumentException if {@code bind} is not a loopback address
     * @throws IllegalStateException if the socket cannot be bound (port in use, no permission)
     */
    public static SntpTestServer start(Clock clock, InetSocketAddress bind) {
        Objects.requireNonNull(clock, "clock");
        if (bind.isUnresolved() || !bind.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the test server only binds loopback addresses, not " + bind);
        }
        SntpTestServer server;
        try {
            server = new SntpTestServer(clock, bind);
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind UDP " + bind, e);
        }
        server.thread.start();
        return server;
    }

    /** The UDP port the server listens on (1 to 65535). */
    public int port() {
        return socket.getLocalPort();
    }

    /** The address to query: 127.0.0.1 (or the bound loopback address) and {@link #port()}. */
    public InetSocketAddress address() {
        return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
    }

    /** The port decoys and {@link #fromOtherPort() other-port} replies are sent from; never {@link #port()}. */
    public int otherPort() {
        return otherSocket.getLocalPort();
    }

    /** How many datagrams the server has received, including dropped and unanswered ones. */
    public int requestCount() {
        return requestCount.get();
    }

    /** Copies of every datagram received, in order of arrival. */
    public List<byte[]> requests() {
        List<byte[]> copy = new ArrayList<>();
        for (byte[] r : requests) {
            copy.add(r.clone());
        }
        return copy;
    }

    /**
     * Errors the server thread hit while answering (a test may assert this is empty). Answering continues after an
     * error.
     */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    // ---- scripting ----

    /** How far the server's clock is ahead of its base clock (negative: behind); default zero; decades are fine. */
    public synchronized SntpTestServer offset(Duration offset) {
        this.offset = Objects.requireNonNull(offset, "offset");
        return this;
    }

    /** How long to wait after receiving a request before sending the reply (T2 is taken before, T3 after); default 0. */
    public synchronized SntpTestServer delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, was " + delay);
        }
        this.delay = delay;
        return this;
    }

    /** The leap indicator, 0 to 3 (3: unsynchronized); default 0. */
    public synchronized SntpTestServer leap(int leap) {
        this.leap = checkRange("leap", leap, 0, 3);
        return this;
    }

    /** The version field, 0 to 7; default 4. */
    public synchronized SntpTestServer version(int version) {
        this.version = checkRange("version", version, 0, 7);
        return this;
    }

    /** The mode field, 0 to 7; default 4 (server). */
    public synchronized SntpTestServer mode(int mode) {
        this.mode = checkRange("mode", mode, 0, 7);
        return this;
    }

    /** The stratum, 0 to 255; default 2. */
    public synchronized SntpTestServer stratum(int stratum) {
        this.stratum = checkRange("stratum", stratum, 0, 255);
        return this;
    }

    /** The poll exponent (log2 seconds), -128 to 127; default 6. */
    public synchronized SntpTestServer poll(int poll) {
        this.poll = checkRange("poll", poll, -128, 127);
        return this;
    }

    /** The precision exponent (log2 seconds), -128 to 127; default -20 (about 1 µs). */
    public synchronized SntpTestServer precision(int precision) {
        this.precision = checkRange("precision", precision, -128, 127);
        return this;
    }

    /** The root delay, 0 to just under 65536 s, sent in NTP short format (1/65536 s units); default 10 ms. */
    public synchronized SntpTestServer rootDelay(Duration rootDelay) {
        toShortFormat(rootDelay);
        this.rootDelay = rootDelay;
        return this;
    }

    /** The root dispersion, 0 to just under 65536 s, sent in NTP short format; default 20 ms. */
    public synchronized SntpTestServer rootDispersion(Duration rootDispersion) {
        toShortFormat(rootDispersion);
        this.rootDispersion = rootDispersion;
        return this;
    }

    /** A textual reference id of up to 4 ASCII characters, NUL-padded (for example {@code "LOCL"}, {@code "GPS"}). */
    public synchronized SntpTestServer referenceId(String code) {
        this.referenceId = asciiCode(code);
        return this;
    }

    /** An IPv4 address as reference id (for example chrony's local reference 127.127.1.1). */
    public synchronized SntpTestServer referenceId(Inet4Address address) {
        byte[] b = address.getAddress();
        this.referenceId = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        return this;
    }

    /** The raw 32-bit reference id field. */
    public synchronized SntpTestServer referenceId(int raw) {
        this.referenceId = raw;
        return this;
    }

    /**
     * A fixed reference time (when the server's clock was last set), not shifted by the offset; default (null): the
     * server's time of the reply minus one minute.
     */
    public synchronized SntpTestServer referenceTime(Instant referenceTime) {
        this.referenceTime = referenceTime;
        this.rawReferenceTime = null;
        return this;
    }

    /** The raw 64-bit reference timestamp field, for example 0; overrides {@link #referenceTime(Instant)}. */
    public synchronized SntpTestServer rawReferenceTime(long raw) {
        this.rawReferenceTime = raw;
        return this;
    }

    /**
     * Answers with a Kiss-o'-Death: leap indicator 3, stratum 0 and {@code code} (for example {@code "RATE"},
     * {@code "DENY"}, {@code "RSTR"}) as reference id; the origin is echoed as usual.
     */
    public synchronized SntpTestServer kissOfDeath(String code) {
        this.leap = 3;
        this.stratum = 0;
        this.referenceId = asciiCode(code);
        return this;
    }

    /** Local-clock mode as chrony's {@code local} directive advertises it: stratum as given, root delay and dispersion 0, reference id LOCL. */
    public synchronized SntpTestServer localClock(int stratum) {
        this.stratum = checkRange("stratum", stratum, 1, 15);
        this.rootDelay = Duration.ZERO;
        this.rootDispersion = Duration.ZERO;
        this.referenceId = asciiCode("LOCL");
        return this;
    }

    /** Puts an origin timestamp that is not the request's transmit timestamp (the request's plus one) in replies. */
    public synchronized SntpTestServer wrongOrigin(boolean wrongOrigin) {
        this.wrongOrigin = wrongOrigin;
        return this;
    }

    /** Sends a zero transmit timestamp. */
    public synchronized SntpTestServer zeroTransmit(boolean zeroTransmit) {
        this.zeroTransmit = zeroTransmit;
        return this;
    }

    /** Puts a receive timestamp one second after the transmit timestamp in replies. */
    public synchronized SntpTestServer receiveAfterTransmit(boolean receiveAfterTransmit) {
        this.receiveAfterTransmit = receiveAfterTransmit;
        return this;
    }

    /**
     * Sends only the first {@code bytes} bytes of each reply (for example 47), or, when larger than 48, the reply
     * padded with zeros to that length; -1 (the default) for the normal 48 bytes.
     */
    public synchronized SntpTestServer truncateTo(int bytes) {
        this.truncateTo = checkRange("truncateTo", bytes, -1, 1024);
        return this;
    }

    /** Sends the genuine reply from {@link #otherPort()} instead of {@link #port()}. */
    public synchronized SntpTestServer fromOtherPort(boolean fromOtherPort) {
        this.fromOtherPort = fromOtherPort;
        return this;
    }

    /** Sends each reply {@code 1 + copies} times, byte for byte; default 0. */
    public synchronized SntpTestServer duplicates(int copies) {
        this.duplicates = checkRange("duplicates", copies, 0, 100);
        return this;
    }

    /** Drops every request without answering (it is still counted). */
    public synchronized SntpTestServer drop(boolean drop) {
        this.drop = drop;
        return this;
    }

    /** Drops the next {@code n} requests, then answers again (to test retries). */
    public synchronized SntpTestServer dropFirst(int n) {
        this.dropFirst = checkRange("dropFirst", n, 0, Integer.MAX_VALUE);
        return this;
    }

    /** Sends these decoys, in enum order, before each genuine reply (replacing earlier decoys); none by default. */
    public synchronized SntpTestServer decoys(Decoy... decoys) {
        this.decoys.clear();
        this.decoys.addAll(Arrays.asList(decoys));
        return this;
    }

    /**
     * Passes every reply through {@code finisher} (the request, the 48-byte reply) before it is sent, for example to
     * append a MAC as a keyed server does; null for none. Called on the server thread; must not throw.
     */
    public synchronized SntpTestServer finisher(java.util.function.BinaryOperator<byte[]> finisher) {
        this.finisher = finisher;
        return this;
    }

    /** Restores every scripted behaviour to its default; the request count and log are kept. */
    public synchronized SntpTestServer reset() {
        offset = Duration.ZERO;
        delay = Duration.ZERO;
        leap = 0;
        version = 4;
        mode = 4;
        stratum = 2;
        poll = 6;
        precision = -20;
        rootDelay = Duration.ofMillis(10);
        rootDispersion = Duration.ofMillis(20);
        referenceId = 0xC0000201;
        referenceTime = null;
        rawReferenceTime = null;
        wrongOrigin = false;
        zeroTransmit = false;
        receiveAfterTransmit = false;
        truncateTo = -1;
        fromOtherPort = false;
        duplicates = 0;
        drop = false;
        dropFirst = 0;
        decoys.clear();
        finisher = null;
        return this;
    }

    /** Stops the server and releases its sockets; idempotent. Waits up to 2 s for the server thread. */
    @Override
    public void close() {
        socket.close();
        otherSocket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- conversions, public because tests of clients need the same encoding ----

    /**
     * The raw 64-bit NTP timestamp of {@code instant}: seconds since 1900 modulo 2^32 (so times from 2036-02-07 on
     * fall in era 1, as RFC 5905 prescribes) and a 32-bit fraction, rounded to the nearest 2^-32 s.
     */
    public static long toNtpTimestamp(Instant instant) {
        long seconds = instant.getEpochSecond() + NTP_TO_UNIX_SECONDS;
        // At most 4294967292 for 999999999 ns, so rounding never carries into the seconds.
        long fraction = (((long) instant.getNano() << 32) + 500_000_000L) / 1_000_000_000L;
        return ((seconds & 0xFFFF_FFFFL) << 32) | fraction;
    }

    /** {@code duration} in NTP short format (16-bit seconds, 16-bit fraction), rounded to the nearest 1/65536 s. */
    public static int toShortFormat(Duration duration) {
        if (duration.isNegative() || duration.getSeconds() >= 65536) {
            throw new IllegalArgumentException("must be in [0, 65536 s), was " + duration);
        }
        long units = (duration.getSeconds() << 16) + (((long) duration.getNano() << 16) + 500_000_000L) / 1_000_000_000L;
        return (int) Math.min(units, 0xFFFF_FFFFL);
    }

    /** A textual code of up to 4 ASCII characters as a 32-bit reference id, NUL-padded on the right. */
    public static int asciiCode(String code) {
        byte[] b = code.getBytes(StandardCharsets.US_ASCII);
        if (b.length > 4 || !StandardCharsets.US_ASCII.newEncoder().canEncode(code)) {
            throw new IllegalArgumentException("a reference code has at most 4 ASCII characters: " + code);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (i < b.length ? b[i] & 0xFF : 0);
        }
        return v;
    }

    // ---- serving ----

    private record Script(Duration offset, Duration delay, int leap, int version, int mode, int stratum, int poll,
            int precision, Duration rootDelay, Duration rootDispersion, int referenceId, Instant referenceTime,
            Long rawReferenceTime, boolean wrongOrigin, boolean zeroTransmit, boolean receiveAfterTransmit,
            int truncateTo, boolean fromOtherPort, int duplicates, boolean drop, Set<Decoy> decoys) {
    }

    private synchronized Script snapshotAndCount() {
        boolean dropThis = drop;
        if (dropFirst > 0) {
            dropFirst--;
            dropThis = true;
        }
        return new Script(offset, delay, leap, version, mode, stratum, poll, precision, rootDelay, rootDispersion,
                referenceId, referenceTime, rawReferenceTime, wrongOrigin, zeroTransmit, receiveAfterTransmit,
                truncateTo, fromOtherPort, duplicates, dropThis, Set.copyOf(decoys));
    }

    private void serve() {
        byte[] buffer = new byte[2048];
        while (!socket.isClosed()) {
            DatagramPacket request = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(request);
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                failures.add(e);
                continue;
            }
            try {
                answer(request);
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
                failures.add(e);
            }
        }
    }

    private void answer(DatagramPacket request) throws IOException {
        Instant received = clock.instant();
        byte[] data = Arrays.copyOfRange(request.getData(), request.getOffset(), request.getOffset() + request.getLength());
        requests.add(data);
        requestCount.incrementAndGet();
        Script s = snapshotAndCount();
        if (s.drop()) {
            return;
        }
        long nonce = data.length >= 48 ? readLong(data, 40) : 0L;
        if (!s.delay().isZero()) {
            try {
                Thread.sleep(s.delay().toMillis(), s.delay().toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        Instant transmitted = clock.instant();
        InetSocketAddress client = (InetSocketAddress) request.getSocketAddress();

        for (Decoy decoy : Decoy.values()) {
            if (!s.decoys().contains(decoy)) {
                continue;
            }
            Script shifted = withOffset(s, s.offset().plus(DECOY_SHIFT));
            switch (decoy) {
                case OTHER_PORT -> send(otherSocket, encode(shifted, nonce, received, transmitted, false), client);
                case WRONG_ORIGIN -> send(socket, encode(shifted, nonce, received, transmitted, true), client);
                case TRUNCATED -> send(socket, Arrays.copyOf(encode(shifted, nonce, received, transmitted, false), 47),
                        client);
            }
        }
        byte[] reply = encode(s, nonce, received, transmitted, s.wrongOrigin());
        java.util.function.BinaryOperator<byte[]> finish;
        synchronized (this) {
            finish = finisher;
        }
        if (finish != null) {
            reply = finish.apply(data, reply);
        }
        if (s.truncateTo() >= 0) {
            reply = Arrays.copyOf(reply, s.truncateTo());
        }
        DatagramSocket from = s.fromOtherPort() ? otherSocket : socket;
        for (int i = 0; i <= s.duplicates(); i++) {
            send(from, reply, client);
        }
    }

    private static Script withOffset(Script s, Duration offset) {
        return new Script(offset, s.delay(), s.leap(), s.version(), s.mode(), s.stratum(), s.poll(), s.precision(),
                s.rootDelay(), s.rootDispersion(), s.referenceId(), s.referenceTime(), s.rawReferenceTime(),
                s.wrongOrigin(), s.zeroTransmit(), s.receiveAfterTransmit(), s.truncateTo(), s.fromOtherPort(),
                s.duplicates(), s.drop(), s.decoys());
    }

    private static byte[] encode(Script s, long nonce, Instant received, Instant transmitted, boolean wrongOrigin) {
        Instant t2 = received.plus(s.offset());
        Instant t3 = transmitted.plus(s.offset());
        if (s.receiveAfterTransmit()) {
            t2 = t3.plusSeconds(1);
        }
        NtpV3Impl p = new NtpV3Impl();
        p.setLeapIndicator(s.leap());
        p.setVersion(s.version());
        p.setMode(s.mode());
        p.setStratum(s.stratum());
        p.setPoll(s.poll());
        p.setPrecision(s.precision());
        p.setRootDelay(toShortFormat(s.rootDelay()));
        p.setRootDispersion(toShortFormat(s.rootDispersion()));
        p.setReferenceId(s.referenceId());
        long reference;
        if (s.rawReferenceTime() != null) {
            reference = s.rawReferenceTime();
        } else if (s.referenceTime() != null) {
            reference = toNtpTimestamp(s.referenceTime());
        } else {
            reference = toNtpTimestamp(t3.minusSeconds(60));
        }
        p.setReferenceTime(new TimeStamp(reference));
        p.setOriginateTimeStamp(new TimeStamp(wrongOrigin ? nonce + 1 : nonce));
        p.setReceiveTimeStamp(new TimeStamp(toNtpTimestamp(t2)));
        p.setTransmitTime(new TimeStamp(s.zeroTransmit() ? 0L : toNtpTimestamp(t3)));
        DatagramPacket packet = p.getDatagramPacket();
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    private static void send(DatagramSocket from, byte[] data, InetSocketAddress to) throws IOException {
        from.send(new DatagramPacket(data, data.length, to));
    }

    private static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static int checkRange(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], was " + value);
        }
        return value;
    }
}
