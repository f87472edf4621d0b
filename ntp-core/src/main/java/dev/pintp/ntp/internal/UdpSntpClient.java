package dev.pintp.ntp.internal;

import dev.pintp.ntp.DropCounts;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SntpClient;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.commons.net.ntp.NtpV3Impl;
import org.apache.commons.net.ntp.TimeStamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SNTP engine: per query one connected socket on an ephemeral port, then {@code samples} exchanges one after
 * another, each with a fresh 64-bit random nonce as transmit timestamp and its own timeout; an answer to an earlier
 * request of the query whose own wait ended still counts when it arrives later (timed from that request): a
 * request sent before the deadline of its own wait does not lose its answer to the next request; datagrams that are
 * not an answer are dropped and counted while the exchange keeps waiting; answers are checked by {@link ReplyCheck};
 * the valid samples go through the {@link ClockFilter}. Immutable and thread-safe.
 */
public final class UdpSntpClient implements SntpClient {
    /** Default limit on the round-trip delay: chrony's default {@code maxdelay}. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(3);
    /** Default precision of the local clock: 1 µs, conservative for {@link Clock#systemUTC()} on Linux. */
    public static final Duration DEFAULT_LOCAL_PRECISION = Duration.ofNanos(1000);
    /** Byte offset of the origin timestamp in an NTP header (RFC 5905, figure 8). */
    private static final int ORIGIN_OFFSET = 24;

    private final Clock clock;
    private final LongSupplier ticker;
    private final LongSupplier nonces;
    private final DatagramTransport transport;
    private final Duration maxDelay;
    private final long localPrecisionNanos;

    /**
     * An engine on the given seams.
     *
     * @param clock wall clock for T1 (T4 is T1 plus the ticker's elapsed time)
     * @param ticker monotonic nanoseconds, like {@link System#nanoTime()}
     * @param nonces source of the 64-bit request nonces; a zero nonce is drawn again
     * @param transport the UDP side
     * @param maxDelay replies with a larger round-trip delay are refused; positive
     * @param localPrecision the local clock's precision; not negative
     */
    public UdpSntpClient(Clock clock, LongSupplier ticker, LongSupplier nonces, DatagramTransport transport,
            Duration maxDelay, Duration localPrecision) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.nonces = Objects.requireNonNull(nonces, "nonces");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
        this.localPrecisionNanos = saturatedNanos(Objects.requireNonNull(localPrecision, "localPrecision"));
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("maxDelay must be positive, was " + maxDelay);
        }
        if (localPrecision.isNegative()) {
            throw new IllegalArgumentException("localPrecision must not be negative, was " + localPrecision);
        }
    }

    /**
     * The engine on the system clock, {@link System#nanoTime()}, nonces from the operating system's CSPRNG
     * ({@code /dev/urandom}, else {@link java.security.SecureRandom}) and real UDP.
     */
    public static SntpClient ofDefaults() {
        return new UdpSntpClient(Clock.systemUTC(), SystemTicker.INSTANCE, SystemNonces.INSTANCE, UdpTransport.INSTANCE,
                DEFAULT_MAX_DELAY, DEFAULT_LOCAL_PRECISION);
    }

    /**
     * The default nonce source: 64 bits per call from {@code /dev/urandom}, or from a {@link java.security.SecureRandom}
     * where that device cannot be read. Shared and thread-safe.
     */
    public static LongSupplier systemNonces() {
        return SystemNonces.INSTANCE;
    }

    @Override
    public QueryResult query(InetSocketAddress server, QueryOptions options) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(options, "options");
        if (server.isUnresolved()) {
            return new Burst(server).result(Outcome.UNRESOLVED, "unresolved host name " + server.getHostString());
        }
        Burst burst = new Burst(server);
        try (DatagramTransport.Connection connection = transport.connect(server)) {
            Authenticator auth = Authenticators.of(options.auth());
            if (auth != Authenticator.NONE) {
                burst.authenticatedWith = auth.toString();
            }
            for (int i = 0; i < options.samples(); i++) {
                if (!exchange(connection, server, options, auth, burst)) {
                    break;
                }
                if (Thread.currentThread().isInterrupted()) {
                    burst.interrupted = true;
                    break;
                }
            }
        } catch (PortUnreachableException e) {
            burst.unreachable("ICMP port unreachable from " + server.getAddress().getHostAddress() + " port "
                    + server.getPort());
        } catch (IOException e) {
            burst.unreachable(e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // The channel API throws unchecked exceptions for what the host cannot do (no IPv6 in the kernel, an
            // address family it does not support); the contract is an outcome, never an exception.
            Log.LOG.warn("query of {} failed", server, e);
            burst.unreachable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        return burst.finish();
    }

    /** One request and the wait for its answer; false when the burst must stop (KoD, unreachable). */
    private boolean exchange(DatagramTransport.Connection connection, InetSocketAddress server, QueryOptions options,
            Authenticator auth, Burst burst) throws IOException {
        long nonce = nextNonce();
        Authenticator.Exchange authExchange;
        try {
            authExchange = auth.begin(request(nonce, auth.requestVersion()));
        } catch (IOException e) {
            // no request can be made (NTS-KE refused): the message is the reason in plain words (Authenticator.begin)
            burst.unreachable(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
            return false;
        }
        byte[] request = authExchange.request();
        byte[] buffer = new byte[ReplyCheck.MAX_LENGTH + 4];
        long timeout = saturatedNanos(options.timeout());
        burst.exchanges++;
        long start = ticker.getAsLong();
        Instant t1 = clock.instant();
        connection.send(request);
        while (true) {
            long remaining = timeout - (ticker.getAsLong() - start);
            DatagramTransport.Received received = remaining > 0 ? connection.receive(buffer, remaining) : null;
            long elapsed = ticker.getAsLong() - start;
            if (received == null) {
                Log.LOG.debug("{}: no answer to exchange {} within {}", server, burst.exchanges, options.timeout());
                burst.unanswered.add(new Sent(nonce, t1, start, authExchange));
                return true;
            }
            ReplyCheck.Expectation expect = new ReplyCheck.Expectation(server, nonce, burst.answered, t1, elapsed,
                    options.maxRootDistance(), maxDelay, localPrecisionNanos);
            ReplyCheck.Result result =
                    ReplyCheck.check(buffer, received.length(), received.source(), expect, authExchange);
            if (result instanceof ReplyCheck.Dropped dropped
                    && dropped.reason() == DropReason.ORIGIN_MISMATCH && !burst.unanswered.isEmpty()) {
                Sent earlier = burst.earlierRequestAnswered(buffer, received.length());
                if (earlier != null) {
                    // A late answer to a request of this query whose own wait ended: it answers that request,
                    // timed from that request's T1; the current exchange keeps waiting for its own answer.
                    ReplyCheck.Expectation late = new ReplyCheck.Expectation(server, earlier.nonce(),
                            burst.answered, earlier.t1(), ticker.getAsLong() - earlier.start(),
                            options.maxRootDistance(), maxDelay, localPrecisionNanos);
                    ReplyCheck.Result lateResult = ReplyCheck.check(buffer, received.length(), received.source(),
                            late, earlier.auth());
                    if (!(lateResult instanceof ReplyCheck.Dropped)) { // a forgery leaves the request open
                        burst.unanswered.remove(earlier);
                        burst.answered.add(earlier.nonce());
                    }
                    if (!record(lateResult, server, burst)) {
                        return false;
                    }
                    continue;
                }
            }
            if (result instanceof ReplyCheck.Dropped dropped) {
                Log.LOG.debug("{}: dropped a datagram from {}: {} ({})", server, received.source(), dropped.reason(),
                        dropped.detail());
                burst.drop(dropped);
                continue;
            }
            burst.answered.add(nonce);
            return record(result, server, burst);
        }
    }

    /**
     * Records a datagram's result in the burst: counted when dropped, kept when refused or accepted; false when the
     * burst must stop (a Kiss-o'-Death).
     */
    private static boolean record(ReplyCheck.Result result, InetSocketAddress server, Burst burst) {
        if (result instanceof ReplyCheck.Dropped dropped) {
            Log.LOG.debug("{}: dropped a late datagram: {} ({})", server, dropped.reason(), dropped.detail());
            burst.drop(dropped);
            return true;
        }
        if (result instanceof ReplyCheck.Refused refused) {
            Log.LOG.debug("{}: refused an answer: {} ({})", server, refused.reason(), refused.detail());
            burst.refuse(refused);
            return refused.kissCode() == null;
        }
        // A local reference clock is normal for the Pi Zero and visible in NtpSample.hasLocalReference(); not
        // logged, since the first log call of a process initializes slf4j (about 10 ms of a one-shot check).
        burst.samples.add(((ReplyCheck.Accepted) result).sample());
        return true;
    }

    /** A request of this query whose wait ended without an answer; its answer still counts if it comes later. */
    private record Sent(long nonce, Instant t1, long start, Authenticator.Exchange auth) {
    }

    /** Nanoseconds of {@code d}, at most about 146 years, so that sums with ticker values cannot overflow. */
    static long saturatedNanos(Duration d) {
        return Durations.saturatedNanos(d);
    }

    private long nextNonce() {
        long nonce = nonces.getAsLong();
        // A zero origin is what unsynchronized or broken servers send; never let it match.
        while (nonce == 0) {
            nonce = nonces.getAsLong();
        }
        return nonce;
    }

    /** A version 4, mode 3 request whose transmit timestamp is {@code nonce}; every other field zero. */
    static byte[] request(long nonce) {
        return request(nonce, 4);
    }

    /** A mode 3 request of {@code version} whose transmit timestamp is {@code nonce}; every other field zero. */
    static byte[] request(long nonce, int version) {
        NtpV3Impl p = new NtpV3Impl();
        p.setVersion(version);
        p.setMode(3);
        p.setTransmitTime(new TimeStamp(nonce));
        DatagramPacket packet = p.getDatagramPacket();
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    /** The mutable state of one query; confined to the querying thread. */
    private static final class Burst {
        final InetSocketAddress server;
        final List<NtpSample> samples = new ArrayList<>();
        final Set<Long> answered = new HashSet<>();
        /** Requests whose own wait ended unanswered, oldest first (at most {@code samples}). */
        final List<Sent> unanswered = new ArrayList<>();
        int exchanges;
        DropCounts drops = DropCounts.NONE;
        /** The authentication reasons of dropped answers and the reasons of refused ones, each once, in order. */
        final Set<RejectReason> authFailures = new LinkedHashSet<>();
        final Set<RejectReason> refusals = new LinkedHashSet<>();
        ReplyCheck.Dropped firstAuthFailure;
        ReplyCheck.Refused firstRefusal;
        ReplyCheck.Refused kiss;
        String unreachable;
        boolean interrupted;
        String authenticatedWith;

        Burst(InetSocketAddress server) {
            this.server = server;
        }

        /** The unanswered request whose nonce is the origin of this datagram (a valid header), or null. */
        Sent earlierRequestAnswered(byte[] data, int length) {
            long origin = ByteBuffer.wrap(data, 0, length).getLong(ORIGIN_OFFSET);
            for (Sent s : unanswered) {
                if (s.nonce() == origin) {
                    return s;
                }
            }
            return null;
        }

        void drop(ReplyCheck.Dropped dropped) {
            drops = drops.plus(dropped.reason());
            if (dropped.reason().isAuthentication()) {
                authFailures.add(dropped.reason());
                if (firstAuthFailure == null) {
                    firstAuthFailure = dropped;
                }
            }
        }

        void refuse(ReplyCheck.Refused refused) {
            if (refused.kissCode() != null) {
                kiss = refused;
                return;
            }
            refusals.add(refused.reason());
            if (firstRefusal == null) {
                firstRefusal = refused;
            }
        }

        void unreachable(String detail) {
            unreachable = detail;
        }

        DropCounts drops() {
            return drops;
        }

        /** {@code first} (if not null), then the authentication failures, then the refusals, each once. */
        List<RejectReason> reasons(RejectReason first) {
            Set<RejectReason> all = new LinkedHashSet<>();
            if (first != null) {
                all.add(first);
            }
            all.addAll(authFailures);
            all.addAll(refusals);
            return List.copyOf(all);
        }

        /**
         * A Kiss-o'-Death wins over samples (the server told us to back off or stop, and the caller must hear it),
         * then samples, then unreachable, then answers that failed authentication (REJECTED with their reasons first:
         * the forgery is the news), then refusals, then a timeout. A KISS or REJECTED result keeps every reason
         * that applied to the burst's answers.
         */
        QueryResult finish() {
            if (kiss != null) {
                return new QueryResult(server, Outcome.KISS, Optional.empty(), samples,
                        reasons(RefusalReason.KISS_OF_DEATH), Optional.of(kiss.kissCode()), Duration.ZERO,
                        exchanges, drops(), kiss.detail());
            }
            Optional<NtpSample> best = ClockFilter.best(samples);
            if (best.isPresent()) {
                Duration jitter = ClockFilter.jitter(samples, best.get());
                String detail = samples.size() + " of " + exchanges + " exchanges valid";
                return new QueryResult(server, Outcome.OK, best, samples, List.of(), Optional.empty(), jitter,
                        exchanges, drops(), detail);
            }
            if (unreachable != null) {
                return result(Outcome.UNREACHABLE, unreachable);
            }
            if (firstAuthFailure != null) {
                return new QueryResult(server, Outcome.REJECTED, Optional.empty(), samples,
                        reasons(null), Optional.empty(), Duration.ZERO, exchanges, drops(),
                        drops.authFailed() + " answer(s) failed authentication, none authentic: "
                                + firstAuthFailure.detail());
            }
            if (firstRefusal != null) {
                return new QueryResult(server, Outcome.REJECTED, Optional.empty(), samples,
                        reasons(null), Optional.empty(), Duration.ZERO, exchanges, drops(),
                        firstRefusal.detail());
            }
            return result(Outcome.TIMEOUT, "no valid answer to " + exchanges + " request(s)"
                    + (drops().total() > 0 ? ", " + drops().total() + " datagram(s) dropped" : "")
                    + (interrupted ? "; the querying thread was interrupted" : "")
                    + (authenticatedWith != null ? "; the requests were authenticated with " + authenticatedWith
                            + ": a server that cannot verify them (no such key, another secret) does not answer"
                            : ""));
        }

        QueryResult result(Outcome outcome, String detail) {
            return new QueryResult(server, outcome, Optional.empty(), samples, List.of(), Optional.empty(),
                    Duration.ZERO, exchanges, drops(), detail);
        }
    }

    /**
     * The logger, created on first use: slf4j's provider lookup (a ServiceLoader scan of the class path) costs a
     * one-shot check about 10 ms of start-up, and a check that goes well logs nothing.
     */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(UdpSntpClient.class);
    }
}
