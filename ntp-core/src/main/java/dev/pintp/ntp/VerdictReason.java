package dev.pintp.ntp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Why a check reached its verdict, decided where the verdict is ({@link CheckResult#reason()}). Immutable values;
 * {@link #message()} is the one-line text every output shows.
 */
public sealed interface VerdictReason {
    /** The reason in one line, for a user: {@code this clock is +1.250 s off against 192.168.4.2 (limit 0.128 s)}. */
    String message();

    /** A lower-case, hyphenated name of the kind, stable for programs: {@code clock-off}, {@code synced}, ... */
    String kind();

    /**
     * The verdict is synced: it rests on this source (the same as {@link CheckResult#selected()}).
     *
     * @param server the configured server
     * @param address the address whose answer was selected
     * @param offset that answer's offset (server minus this clock)
     */
    record Synced(NtpServer server, InetSocketAddress address, Duration offset) implements VerdictReason {
        /** Rejects nulls. */
        public Synced {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(offset, "offset");
        }

        @Override
        public String message() {
            return "synchronized to " + name(server, address) + ", offset " + signed(offset, 6) + " s";
        }

        @Override
        public String kind() {
            return "synced";
        }
    }

    /**
     * Unsynchronized because this clock is off: a source answered validly and was not outvoted, but its offset is
     * beyond the limit ({@link CheckDecision#OFFSET_TOO_LARGE}). The source chosen is the one that would have been
     * selected had the offset been within the limit.
     *
     * @param server the configured server
     * @param address the address that answered
     * @param offset its offset (server minus this clock): this clock is that much behind when positive
     * @param limit the configured maximum offset either way ({@link NtpConfig#maxOffset()})
     */
    record ClockOff(NtpServer server, InetSocketAddress address, Duration offset, Duration limit)
            implements VerdictReason {
        /** Rejects nulls. */
        public ClockOff {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(offset, "offset");
            Objects.requireNonNull(limit, "limit");
        }

        @Override
        public String message() {
            return "this clock is " + signed(offset, 3) + " s off against " + name(server, address) + " (limit "
                    + plain(limit) + " s)";
        }

        @Override
        public String kind() {
            return "clock-off";
        }
    }

    /**
     * Unsynchronized because two or more sources answered validly but no majority of them agrees within their error
     * bounds: every one is a {@link CheckDecision#FALSETICKER}.
     *
     * @param agreeing the largest number of answering sources that agree
     * @param answering how many sources answered validly
     */
    record NoMajority(int agreeing, int answering) implements VerdictReason {
        @Override
        public String message() {
            return "no majority: at most " + agreeing + " of " + answering
                    + " answering sources agree within their error bounds";
        }

        @Override
        public String kind() {
            return "no-majority";
        }
    }

    /**
     * Unsynchronized because no source answered validly: each timed out, was unreachable or unresolved, refused, sent
     * a Kiss-o'-Death, or was skipped; the sources' reports say which.
     *
     * @param sources how many candidate sources the check had
     */
    record NoValidAnswer(int sources) implements VerdictReason {
        @Override
        public String message() {
            return sources == 1 ? "the only source gave no valid answer"
                    : "none of the " + sources + " sources gave a valid answer";
        }

        @Override
        public String kind() {
            return "no-valid-answer";
        }
    }

    /**
     * Unsynchronized because no source was queried at all: every one is backed off or denied us
     * ({@link Outcome#SKIPPED}). Only a configuration without primaries can get this: a primary is always queried.
     *
     * @param backedOff how many sources are backed off ({@link CheckDecision#BACKED_OFF})
     * @param denied how many denied us ({@link CheckDecision#DENIED})
     */
    record NotQueried(int backedOff, int denied) implements VerdictReason {
        @Override
        public String message() {
            return "no source was queried: " + backedOff + " backed off, " + denied + " denied";
        }

        @Override
        public String kind() {
            return "not-queried";
        }
    }

    /** {@code 192.168.4.2}, or {@code pizero.lan (192.168.4.2)} when the host is a name. */
    private static String name(NtpServer server, InetSocketAddress address) {
        String literal = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return server.host().equals(literal) ? literal : server.host() + " (" + literal + ")";
    }

    /** Seconds with sign and {@code decimals} decimals: {@code +1.250}. */
    private static String signed(Duration d, int decimals) {
        String s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9))
                .setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        return s.startsWith("-") ? s : "+" + s;
    }

    /** Exact seconds with at least three decimals: {@code 0.128}, {@code 1.000}, {@code 0.0005}. */
    private static String plain(Duration d) {
        BigDecimal s = BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros();
        return s.setScale(Math.max(3, s.scale())).toPlainString();
    }
}
