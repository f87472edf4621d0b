package dev.pintp.ntp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A configured NTP server: a host name or address literal, a UDP port, and its role.
 *
 * @param host a DNS host name (labels of letters, digits, {@code -} (not first or last) and {@code _}, at most 63
 *     characters each and 253
 *     in all, an optional final dot), an IPv4 literal, or an IPv6 literal without brackets, optionally with a
 *     {@code %zone} (an interface name or index, as for {@code fe80::1%eth0}); nothing else, so that a name from a
 *     configuration file never carries a quote, a {@code %} specifier, a slash or a control character further
 * @param port 1 to 65535, 123 by default
 * @param role primary (the LAN Pi Zero) or fallback (the public pool)
 * @param auth how its answers are authenticated, {@link NtpAuth#NONE} by default
 */
public record NtpServer(String host, int port, Role role, NtpAuth auth) {
    /** The standard NTP port. */
    public static final int DEFAULT_PORT = 123;

    /** Which list a server belongs to. */
    public enum Role {
        /** A trusted LAN server; synchronizing to it gives {@link Verdict#PRIMARY_SYNCED}. */
        PRIMARY,
        /** A fallback (public pool) server; synchronizing only to it gives {@link Verdict#FALLBACK_SYNCED}. */
        FALLBACK
    }

    /** Longest DNS name (RFC 1035 2.3.4, without the final dot). */
    private static final int MAX_NAME = 253;

    /** @throws IllegalArgumentException for a host as described above, or a port outside 1 to 65535 */
    public NtpServer {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(auth, "auth");
        if (host.isEmpty() || hasSpaceOrControl(host)) {
            throw new IllegalArgumentException("host must be a non-empty name without spaces or control characters,"
                    + " was '" + host + "'");
        }
        String problem = hostProblem(host);
        if (problem != null) {
            throw new IllegalArgumentException("server '" + host + "' is not a host name or address: " + problem);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535, was " + port);
        }
    }

    /** A server without authentication. */
    public NtpServer(String host, int port, Role role) {
        this(host, port, role, NtpAuth.NONE);
    }

    /** This server with another authentication. */
    public NtpServer withAuth(NtpAuth auth) {
        return new NtpServer(host, port, role, auth);
    }

    /**
     * Parses {@code host}, {@code host:port}, an IPv6 literal, or {@code [ipv6]:port}.
     *
     * @param text the server as written by a user
     * @param defaultPort the port when {@code text} names none
     * @param role the role to give it
     * @throws IllegalArgumentException with a message fit for a user when {@code text} is not a valid server
     */
    public static NtpServer parse(String text, int defaultPort, Role role) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty server name");
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in server '" + text + "'");
            }
            String host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.isEmpty()) {
                return new NtpServer(host, defaultPort, role);
            }
            if (!rest.startsWith(":")) {
                throw new IllegalArgumentException("unexpected '" + rest + "' after ']' in server '" + text + "'");
            }
            return new NtpServer(host, parsePort(rest.substring(1), text), role);
        }
        int first = s.indexOf(':');
        if (first >= 0 && first == s.lastIndexOf(':')) {
            return new NtpServer(s.substring(0, first), parsePort(s.substring(first + 1), text), role);
        }
        return new NtpServer(s, defaultPort, role); // no colon, or a bare IPv6 literal
    }

    /**
     * Parses a server list as systemd-timesyncd reads one ({@code NTP=}, {@code FallbackNTP=}): each text as in
     * {@link #parse}, a server listed twice kept once (the first), and a server already in {@code exclude} (same host,
     * ignoring case, and port; for example a Pi Zero listed both as primary and as fallback) left out.
     *
     * @param texts the servers as written, in order
     * @param defaultPort the port for texts that name none
     * @param role the role to give them
     * @param exclude servers of another list that take precedence; may be empty
     * @return the servers in order, without repeats, never null
     * @throws IllegalArgumentException with a message fit for a user when a text is not a valid server
     */
    public static List<NtpServer> parseAll(List<String> texts, int defaultPort, Role role, List<NtpServer> exclude) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(exclude, "exclude");
        List<NtpServer> out = new ArrayList<>();
        for (String text : texts) {
            NtpServer s = parse(text, defaultPort, role);
            boolean seen = false;
            for (NtpServer o : out) {
                seen |= o.sameEndpoint(s);
            }
            for (NtpServer e : exclude) {
                seen |= e.sameEndpoint(s);
            }
            if (!seen) {
                out.add(s);
            }
        }
        return out;
    }

    private boolean sameEndpoint(NtpServer other) {
        return host.equalsIgnoreCase(other.host) && port == other.port;
    }

    private static int parsePort(String port, String text) {
        try {
            int p = Integer.parseInt(port);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("port must be a number from 1 to 65535 in server '" + text + "'");
    }

    /**
     * Why {@code host} is not a host name, IPv4 or IPv6 literal, or null when it is one. Plain loops: this runs at
     * the start of every one-shot check, and a regular expression would cost its compilation there.
     */
    private static String hostProblem(String host) {
        if (host.indexOf(':') >= 0) {
            return ipv6Problem(host);
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.isEmpty()) {
            return "empty name";
        }
        if (name.length() > MAX_NAME) {
            return "longer than " + MAX_NAME + " characters";
        }
        int label = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return "empty label";
                }
                if (name.charAt(i - 1) == '-') {
                    return "a label ends in '-'";
                }
                label = 0;
                continue;
            }
            if (c == '-' && label == 0) {
                return "a label starts with '-'"; // nor could it be told from an option on a command line
            }
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return "'" + c + "' is not allowed (letters, digits, '-', '_' and '.' only)";
            }
            if (++label > 63) {
                return "a label is longer than 63 characters";
            }
        }
        if (label == 0) {
            return "empty label";
        }
        return name.endsWith("-") ? "a label ends in '-'" : null;
    }

    private static String ipv6Problem(String host) {
        String address = host;
        int percent = host.indexOf('%');
        if (percent >= 0) {
            String zone = host.substring(percent + 1);
            address = host.substring(0, percent);
            if (zone.isEmpty() || zone.length() > 15) { // IFNAMSIZ - 1
                return "the zone after '%' must be an interface name or index of 1 to 15 characters";
            }
            for (int i = 0; i < zone.length(); i++) {
                char c = zone.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                        || c == '.')) {
                    return "'" + c + "' is not allowed in the zone after '%'";
                }
            }
        }
        int doubleColon = address.indexOf("::");
        if (doubleColon >= 0 && address.indexOf("::", doubleColon + 1) >= 0) {
            return "'::' may appear only once in an IPv6 address";
        }
        String[] groups = address.split(":", -1);
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String g = groups[i];
            if (g.isEmpty()) {
                continue; // part of "::" (checked above), or a leading/trailing one (checked below)
            }
            if (i == groups.length - 1 && g.indexOf('.') >= 0) {
                if (hostProblem(g) != null || !isDottedQuad(g)) {
                    return "invalid IPv4 part '" + g + "'";
                }
                count += 2;
                continue;
            }
            if (g.length() > 4) {
                return "a group has more than 4 hex digits";
            }
            for (int k = 0; k < g.length(); k++) {
                if (Character.digit(g.charAt(k), 16) < 0) {
                    return "'" + g.charAt(k) + "' is not a hex digit";
                }
            }
            count++;
        }
        if (address.startsWith(":") && !address.startsWith("::") || address.endsWith(":") && !address.endsWith("::")) {
            return "a single ':' at an end";
        }
        if (doubleColon >= 0 ? count > 7 : count != 8) {
            return "an IPv6 address has 8 groups";
        }
        return null;
    }

    private static boolean isDottedQuad(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            for (int i = 0; i < p.length(); i++) {
                if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                    return false;
                }
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    // A loop rather than chars().anyMatch(lambda): this runs at the start of every one-shot check.
    private static boolean hasSpaceOrControl(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == 0x7F || Character.isWhitespace(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Equal when host, port, role and authentication are: the record's own semantics, written out because the generated method is
     * bootstrapped through {@code ObjectMethods} on first use, about 20 ms of a one-shot check's start-up.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof NtpServer other && port == other.port && role == other.role && host.equals(other.host)
                && auth.equals(other.auth);
    }

    /** A hash of host, port, role and authentication, consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return ((host.hashCode() * 31 + port) * 31 + role.hashCode()) * 31 + auth.hashCode();
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
