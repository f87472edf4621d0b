package dev.pintp.ntp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the answers of one server are authenticated: a configuration value, immutable. {@link #NONE} (the default)
 * relies on the request's random nonce alone, which stops blind spoofing but not an attacker on the path to the
 * server. With authentication configured, an answer without valid authentication is never used: it is dropped and
 * counted, and a query that gets no authentic answer is {@link Outcome#REJECTED} with the reason
 * ({@link DropReason#UNAUTHENTICATED}, {@link DropReason#WRONG_KEY}, {@link DropReason#BAD_MAC}).
 * See docs/security.md.
 */
public sealed interface NtpAuth permits NtpAuth.None, NtpAuth.SymmetricKey, NtpAuth.Nts {
    /** No authentication. */
    NtpAuth NONE = new None();

    /** True unless this is {@link #NONE}. */
    default boolean isAuthenticated() {
        return !(this instanceof None);
    }

    /**
     * A symmetric key shared with the server (RFC 5905 MAC, RFC 8573 AES-CMAC; chrony's {@code key} option).
     *
     * @throws IllegalArgumentException for an MD5 key: use {@link #symmetricKeyAllowingMd5}
     */
    static NtpAuth symmetricKey(NtpKey key) {
        return new SymmetricKey(key, false);
    }

    /**
     * A symmetric key that may be MD5. MD5's MAC is open to a length-extension attack (chrony's documentation warns
     * against it too); the caller is expected to warn its user.
     */
    static NtpAuth symmetricKeyAllowingMd5(NtpKey key) {
        return new SymmetricKey(key, true);
    }

    /** No authentication: the nonce only. */
    final class None implements NtpAuth {
        private None() {
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /**
     * Requests carry the key's id and MAC; an answer counts only with a valid MAC under the same key.
     *
     * @param key the key; its secret never appears in {@link #toString()}
     * @param md5Allowed whether an MD5 key was explicitly allowed
     */
    record SymmetricKey(NtpKey key, boolean md5Allowed) implements NtpAuth {
        /** @throws IllegalArgumentException for an MD5 key without {@code md5Allowed} */
        public SymmetricKey {
            Objects.requireNonNull(key, "key");
            if (key.type() == NtpKeyType.MD5 && !md5Allowed) {
                throw new IllegalArgumentException(key + " is MD5, which is weak (length extension);"
                        + " use an AES128 key, or allow MD5 explicitly");
            }
        }

        @Override
        public String toString() {
            return key.toString();
        }
    }

    /**
     * Network Time Security (RFC 8915): keys and cookies from an NTS-KE exchange over TLS 1.3 with {@code keHost},
     * then every request carries a cookie and an AES-SIV-CMAC-256 authenticator and every answer must verify. NTS-KE
     * runs only when no cookie is left (each answer brings a fresh one), so with a {@code cookieFile} a new process
     * per check reuses the last run's cookies. The NTP answers are expected on the port the server is queried on; an
     * NTS-KE server that negotiates another NTP host or port is refused (configure that host and port instead).
     *
     * @param keHost the NTS-KE server's name: connected to, sent as SNI, and checked against its certificate
     * @param kePort the NTS-KE port, 4460 by default
     * @param trustedCa a PEM file of the CAs trusted for this server; empty for the JDK's (system) trust store
     * @param cookieFile where keys and cookies are kept between processes (mode 0600, written atomically); empty to
     *     keep them in memory only
     * @param keTimeout the deadline of one NTS-KE exchange, connection included
     */
    record Nts(String keHost, int kePort, Optional<Path> trustedCa, Optional<Path> cookieFile, Duration keTimeout)
            implements NtpAuth {
        /** Default NTS-KE port (RFC 8915 section 7.1). */
        public static final int DEFAULT_KE_PORT = 4460;
        /** Default NTS-KE deadline. */
        public static final Duration DEFAULT_KE_TIMEOUT = Duration.ofSeconds(5);

        /** Rejects a blank host, a port outside 1..65535 and a non-positive timeout. */
        public Nts {
            Objects.requireNonNull(keHost, "keHost");
            Objects.requireNonNull(trustedCa, "trustedCa");
            Objects.requireNonNull(cookieFile, "cookieFile");
            Objects.requireNonNull(keTimeout, "keTimeout");
            boolean printable = !keHost.isEmpty();
            for (int i = 0; i < keHost.length(); i++) {
                char c = keHost.charAt(i);
                printable &= c > ' ' && c < 0x7F; // no lambda: this runs at a one-shot probe's start-up
            }
            if (!printable) {
                throw new IllegalArgumentException("NTS-KE host must be a host name or address, was '" + keHost
                        + "'");
            }
            if (kePort < 1 || kePort > 65535) {
                throw new IllegalArgumentException("NTS-KE port must be 1 to 65535, was " + kePort);
            }
            if (keTimeout.isNegative() || keTimeout.isZero()) {
                throw new IllegalArgumentException("NTS-KE timeout must be positive, was " + keTimeout);
            }
        }

        /** NTS with {@code keHost} on port 4460, the system trust store, cookies in memory, a 5 s deadline. */
        public static Nts of(String keHost) {
            return new Nts(keHost, DEFAULT_KE_PORT, Optional.empty(), Optional.empty(), DEFAULT_KE_TIMEOUT);
        }

        /**
         * The name of the cookie file for the server {@code host}:{@code port} in a directory of such files:
         * {@code nts-HOST-PORT}, characters other than letters, digits, '.' and '-' as '_' (so an IPv6 address
         * gives no ':' and no name can hold a '/').
         */
        public static String cookieFileName(String host, int port) {
            StringBuilder s = new StringBuilder("nts-");
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                        || c == '-';
                s.append(keep ? c : '_');
            }
            return s.append('-').append(port).toString();
        }

        /** This configuration with another NTS-KE host. */
        public Nts withKeHost(String host) {
            return new Nts(host, kePort, trustedCa, cookieFile, keTimeout);
        }

        /** This configuration with another NTS-KE port. */
        public Nts withKePort(int port) {
            return new Nts(keHost, port, trustedCa, cookieFile, keTimeout);
        }

        /** This configuration trusting the CAs in {@code caFile} instead of the system store. */
        public Nts withTrustedCa(Path caFile) {
            return new Nts(keHost, kePort, Optional.of(caFile), cookieFile, keTimeout);
        }

        /** This configuration keeping keys and cookies in {@code file}. */
        public Nts withCookieFile(Path file) {
            return new Nts(keHost, kePort, trustedCa, Optional.of(file), keTimeout);
        }

        @Override
        public String toString() {
            return "nts " + keHost + ":" + kePort + (trustedCa.isPresent() ? " ca " + trustedCa.get() : "");
        }

        /**
         * Equal when every component is: the record's own semantics, written out because the generated method
         * bootstraps {@code java.lang.runtime.ObjectMethods}, a cost at a one-shot check's start-up.
         */
        @Override
        public boolean equals(Object o) {
            return o instanceof Nts other && keHost.equals(other.keHost) && kePort == other.kePort
                    && trustedCa.equals(other.trustedCa) && cookieFile.equals(other.cookieFile)
                    && keTimeout.equals(other.keTimeout);
        }

        /** A hash of every component, consistent with {@link #equals(Object)}. */
        @Override
        public int hashCode() {
            return Objects.hash(keHost, kePort, trustedCa, cookieFile, keTimeout);
        }
    }
}
