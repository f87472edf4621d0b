package dev.pintp.ntp.internal.nts;

import java.util.Objects;

/**
 * Why an NTS-KE exchange gave no keys and cookies. The message is the reason in plain words ("certificate for
 * pizero.lan expired on 2026-01-01T00:00:00Z"), fit for the probe's output and the job's log; it never holds key
 * material.
 */
public final class NtsKeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The kind of failure. */
    public enum Failure {
        /** The TCP connection could not be made (refused, no route, unresolved). */
        CONNECT,
        /** The whole exchange did not finish within its deadline. */
        TIMEOUT,
        /** The TLS handshake failed (no TLS 1.3, no common cipher, a bad signature, an alert). */
        TLS,
        /** The server's certificate is not trusted, expired, not yet valid, or for another name. */
        CERTIFICATE,
        /** The server did not agree to ALPN {@code ntske/1}. */
        ALPN,
        /** The server's records break RFC 8915 section 4 (malformed, missing, duplicated, too large). */
        PROTOCOL,
        /** The server sent an Error record. */
        SERVER_ERROR
    }

    private final Failure failure;

    /**
     * A failure of the given kind.
     *
     * @param failure the kind
     * @param message the reason in plain words
     */
    public NtsKeException(Failure failure, String message) {
        super(message);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /**
     * A failure of the given kind caused by {@code cause}.
     *
     * @param failure the kind
     * @param message the reason in plain words
     * @param cause the underlying exception
     */
    public NtsKeException(Failure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = Objects.requireNonNull(failure, "failure");
    }

    /** The kind of failure; never null. */
    public Failure failure() {
        return failure;
    }
}
