package dev.pintp.ntp;

import java.util.Objects;

/**
 * How the answers of one server are authenticated: a configuration value, immutable. {@link #NONE} (the default)
 * relies on the request's random nonce alone, which stops blind spoofing but not an attacker on the path to the
 * server. With authentication configured, an answer without valid authentication is never used: it is dropped and
 * counted, and a query that gets no authentic answer is {@link Outcome#REJECTED} with the reason
 * ({@link RejectReason#UNAUTHENTICATED}, {@link RejectReason#WRONG_KEY}, {@link RejectReason#BAD_MAC}).
 * See docs/security.md.
 */
public sealed interface NtpAuth permits NtpAuth.None, NtpAuth.SymmetricKey {
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
}
