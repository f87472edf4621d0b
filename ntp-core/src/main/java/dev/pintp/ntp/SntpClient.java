package dev.pintp.ntp;

import dev.pintp.ntp.internal.UdpSntpClient;
import dev.pintp.ntp.internal.UdpTransport;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Queries one NTP server address with SNTP (RFC 4330 / RFC 5905 client mode) and validates every reply as strictly
 * as chrony does. Implementations are thread-safe: concurrent queries to different servers are fine.
 *
 * <p>A query never throws for anything the network or the server does: timeouts, ICMP errors, malformed or spoofed
 * replies and Kiss-o'-Death packets are all {@link QueryResult}s.
 *
 * <p>Each query opens one connected UDP socket on a port the operating system chooses and sends
 * {@code options.samples()} version-4 mode-3 requests, one after another. Each request's transmit timestamp is a
 * fresh 64-bit random nonce; the real send time stays local, and only a reply whose origin timestamp equals the nonce
 * is an answer. See {@code docs/measurement.md} for every rule.
 */
public interface SntpClient {

    /**
     * Queries {@code server} with {@code options.samples()} exchanges, one after another, each with its own
     * {@code options.timeout()}. Stops early on a Kiss-o'-Death, an unreachable server, or when the calling
     * thread is interrupted (the interrupt status stays set). Blocks the calling thread
     * for at most about {@code samples × timeout}.
     *
     * @param server the server's address and port, resolved (an unresolved address gives {@link Outcome#UNRESOLVED})
     * @param options sample count, per-exchange timeout, maximum root distance
     * @return the outcome, never null
     */
    QueryResult query(InetSocketAddress server, QueryOptions options);

    /**
     * A client on the system clock, {@link System#nanoTime()}, nonces from the operating system's CSPRNG
     * ({@code /dev/urandom}, else a {@link SecureRandom}) and real UDP sockets.
     */
    static SntpClient ofDefaults() {
        return UdpSntpClient.ofDefaults();
    }

    /** A builder preset with the defaults of {@link #ofDefaults()}. */
    static Builder custom() {
        return new Builder();
    }

    /**
     * Builds an {@link SntpClient} with injected time sources (for tests and for hosts with special clocks). Each
     * setter rejects a bad value at once with an exception. Not thread-safe; the built client is.
     */
    final class Builder {
        private Clock clock = Clock.systemUTC();
        private LongSupplier ticker = System::nanoTime;
        private LongSupplier nonces;
        private Duration maxDelay = UdpSntpClient.DEFAULT_MAX_DELAY;
        private Duration localPrecision = UdpSntpClient.DEFAULT_LOCAL_PRECISION;

        private Builder() {
        }

        /** The wall clock that gives T1 (T4 is T1 plus the ticker's elapsed time); default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The monotonic time source, in nanoseconds, for the round trip and the timeouts; default
         * {@link System#nanoTime()}. Called from querying threads.
         */
        public Builder ticker(LongSupplier ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The source of the 64-bit request nonces; default the operating system's CSPRNG ({@code /dev/urandom},
         * else a {@link SecureRandom}). Must be unpredictable to anyone
         * off the path to the server, and thread-safe. A zero is drawn again.
         */
        public Builder nonceSource(LongSupplier nonces) {
            this.nonces = Objects.requireNonNull(nonces, "nonces");
            return this;
        }

        /**
         * Replies whose round-trip delay exceeds this are refused ({@link RefusalReason#BAD_DELAY}); positive; default
         * 3 s, chrony's default {@code maxdelay}.
         */
        public Builder maxDelay(Duration maxDelay) {
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (maxDelay.isNegative() || maxDelay.isZero()) {
                throw new IllegalArgumentException("maxDelay must be positive, was " + maxDelay);
            }
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * The precision of the wall clock, used in RFC 5905's synchronization distance and as tolerance for a
         * slightly negative delay; not negative; default 1 µs.
         */
        public Builder localPrecision(Duration localPrecision) {
            Objects.requireNonNull(localPrecision, "localPrecision");
            if (localPrecision.isNegative()) {
                throw new IllegalArgumentException("localPrecision must not be negative, was " + localPrecision);
            }
            this.localPrecision = localPrecision;
            return this;
        }

        /** A new client with these settings, on real UDP sockets. */
        public SntpClient build() {
            LongSupplier n = nonces;
            if (n == null) {
                n = UdpSntpClient.systemNonces();
            }
            return new UdpSntpClient(clock, ticker, n, UdpTransport.INSTANCE, maxDelay, localPrecision);
        }
    }
}
