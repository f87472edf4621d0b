package dev.pintp.ntp;

/**
 * How the answers of one server are authenticated: a configuration value, immutable. {@link #NONE} (the default)
 * relies on the request's random nonce alone, which stops blind spoofing but not an attacker on the path to the
 * server. With authentication configured, an answer without valid authentication is never used: it is dropped and
 * counted, and a query that gets no authentic answer is {@link Outcome#REJECTED} with the reason
 * ({@link RejectReason#UNAUTHENTICATED}, {@link RejectReason#WRONG_KEY}, {@link RejectReason#BAD_MAC}).
 * See docs/security.md.
 */
public sealed interface NtpAuth permits NtpAuth.None {
    /** No authentication. */
    NtpAuth NONE = new None();

    /** True unless this is {@link #NONE}. */
    default boolean isAuthenticated() {
        return !(this instanceof None);
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
}
