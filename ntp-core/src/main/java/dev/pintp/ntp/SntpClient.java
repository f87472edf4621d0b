package dev.pintp.ntp;

import java.net.InetSocketAddress;

/**
 * Queries one NTP server address with SNTP (RFC 4330 / RFC 5905 client mode) and validates every reply as strictly
 * as chrony does. Implementations are thread-safe: concurrent queries to different servers are fine.
 *
 * <p>A query never throws for anything the network or the server does: timeouts, ICMP errors, malformed or spoofed
 * replies and Kiss-o'-Death packets are all {@link QueryResult}s.
 */
public interface SntpClient {

    /**
     * Queries {@code server} with {@code options.samples()} exchanges, one after another, each with its own
     * {@code options.timeout()}. Stops early on a Kiss-o'-Death or an unreachable server.
     *
     * @param server the server's address and port, resolved
     * @param options sample count, per-exchange timeout, maximum root distance
     * @return the outcome, never null
     */
    QueryResult query(InetSocketAddress server, QueryOptions options);

    /** A client on the system clock, {@link java.security.SecureRandom} nonces and real UDP sockets. */
    static SntpClient ofDefaults() {
        return dev.pintp.ntp.internal.UdpSntpClient.ofDefaults();
    }
}
