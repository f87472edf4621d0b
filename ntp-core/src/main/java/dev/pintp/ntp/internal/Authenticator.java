package dev.pintp.ntp.internal;

import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.DropReason;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import java.io.IOException;
import java.util.Objects;

/**
 * The authentication seam of the SNTP engine: it adds to each request what proves the answer genuine (a symmetric
 * key's MAC, NTS extension fields) and checks every answer before anything in it is used. One instance serves one
 * server; {@link UdpSntpClient} calls {@link #begin} once per exchange, on the querying thread, and the returned
 * {@link Exchange}'s {@link Exchange#verify} for every datagram that answers that request (right source, well-formed,
 * origin equal to the request's nonce), before the header is looked at. An implementation that keeps state across
 * exchanges (NTS cookies) must be thread-safe; {@link #NONE} is stateless.
 *
 * <p>{@link #NONE}, the unauthenticated path, adds nothing and accepts every well-formed answer: it ignores a MAC or
 * extension fields it has nothing to verify with (chrony refuses a reply whose authentication differs from the
 * request's; for an unauthenticated request that cannot make an answer less trustworthy than it already is).
 */
public interface Authenticator {
    /** No authentication: the request is the bare 48-byte header, every well-formed answer passes. */
    Authenticator NONE = new Authenticator() {
        @Override
        public Exchange begin(byte[] header) {
            return new Plain(header);
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /**
     * The NTP version the request's header should carry; 4 unless the authentication needs another (chrony sends
     * NTPv3 for a symmetric key whose MAC would be truncated in NTPv4, RFC 7822 section 7.5).
     */
    default int requestVersion() {
        return 4;
    }

    /**
     * Starts one exchange: builds the request from its 48-byte header (already carrying the nonce and
     * {@link #requestVersion()}; the callee may keep and extend it) and remembers what is needed to check the answer.
     *
     * @param header the request's header, 48 bytes; owned by the callee from now on
     * @return the exchange, never null
     * @throws IOException when no request can be made (for NTS, no cookie and NTS-KE failed); the query's outcome is
     *     then UNREACHABLE with the exception's message
     */
    Exchange begin(byte[] header) throws IOException;

    /** One request and the check of its answers. Confined to the querying thread. */
    interface Exchange {
        /** The datagram to send: the header and what authenticates it. The caller does not modify it. */
        byte[] request();

        /**
         * Checks one answer to {@link #request()}; called before anything in the header is used. Never throws for
         * any content.
         *
         * @param data the received datagram, at least {@code length} bytes
         * @param length its length
         * @param fields its extension fields and MAC, as {@link PacketFields#parse} split them
         * @return {@link Check#OK}, or why the answer must not be used
         */
        Check verify(byte[] data, int length, PacketFields fields);
    }

    /**
     * The result of {@link Exchange#verify}: {@link #OK}, a drop or a refusal. A {@link #drop} (a missing or bad
     * MAC: anybody can send that, so it says nothing about the server) is counted and the exchange keeps waiting for
     * the genuine answer; a {@link #refuse refusal} (an authenticated NTS NAK) ends the exchange with that refusal.
     *
     * @param reason a {@link DropReason} or a {@link RefusalReason}; null for OK
     * @param detail what happened, for the log and the probe; never a key or any secret; empty for OK
     */
    record Check(RejectReason reason, String detail) {
        /** The answer is authentic (or nothing was to be checked). */
        public static final Check OK = new Check(null, "");

        /** Rejects a null detail and a decision of the check. */
        public Check {
            Objects.requireNonNull(detail, "detail");
            if (reason instanceof CheckDecision) {
                throw new IllegalArgumentException("not a verdict on an answer: " + reason);
            }
        }

        /** The datagram is not an authentic answer: drop and count it; {@code reason} not null. */
        public static Check drop(DropReason reason, String detail) {
            return new Check(Objects.requireNonNull(reason, "reason"), detail);
        }

        /** The answer is authentic but refused; {@code reason} not null. */
        public static Check refuse(RefusalReason reason, String detail) {
            return new Check(Objects.requireNonNull(reason, "reason"), detail);
        }

        /** True when the answer passed. */
        public boolean ok() {
            return reason == null;
        }
    }

    /** The request of {@link #NONE}: the bare header. */
    final class Plain implements Exchange {
        private final byte[] request;

        Plain(byte[] request) {
            this.request = request;
        }

        @Override
        public byte[] request() {
            return request;
        }

        @Override
        public Check verify(byte[] data, int length, PacketFields fields) {
            return Check.OK;
        }
    }
}
