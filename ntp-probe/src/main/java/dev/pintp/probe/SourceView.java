package dev.pintp.probe;

import dev.pintp.ntp.LeapIndicator;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One source as every output format shows it: the same status words and reason strings in table, JSON and Nagios
 * output. The status says what the source did: {@code ok} is a valid answer that the check did not refuse, also one
 * that shows this clock to be off (the verdict's reason then says so); the reasons of an {@code ok} source are not
 * part of its status text.
 *
 * @param report the source
 * @param status one of {@code ok}, {@code rejected}, {@code kiss}, {@code timeout}, {@code unreachable},
 *     {@code unresolved}
 * @param reason why the status is not {@code ok}: every reason in words, comma-separated, or the Kiss-o'-Death code,
 *     or the detail of a timeout; null for {@code ok}
 */
record SourceView(SourceReport report, String status, String reason) {

    /** The view of {@code report}. */
    static SourceView of(SourceReport report) {
        return new SourceView(report, status(report.outcome()), reason(report));
    }

    /**
     * The status word of an outcome. {@link Outcome#SKIPPED} (not queried because of an earlier KoD or an open
     * circuit breaker) shows as {@code rejected}, with the reason {@code backed-off} or {@code denied}.
     */
    static String status(Outcome outcome) {
        switch (outcome) {
            case OK:
                return "ok";
            case KISS:
                return "kiss";
            case TIMEOUT:
                return "timeout";
            case UNREACHABLE:
                return "unreachable";
            case UNRESOLVED:
                return "unresolved";
            case REJECTED:
            case SKIPPED:
            default:
                return "rejected";
        }
    }

    /** Every reason of the source in words ({@link RejectReason#word()}), also those of an {@code ok} source. */
    java.util.List<String> reasons() {
        return words(report);
    }

    private static java.util.List<String> words(SourceReport report) {
        java.util.List<String> words = new java.util.ArrayList<>(report.reasons().size());
        for (RejectReason r : report.reasons()) {
            words.add(r.word());
        }
        return words;
    }

    /** A leap indicator as a lower-case word: {@code none}, {@code insert-second}, ... */
    static String word(LeapIndicator leap) {
        return leap.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private static String reason(SourceReport r) {
        Optional<QueryResult> q = r.query();
        switch (r.outcome()) {
            case OK:
                return null;
            case KISS:
                if (q.isPresent() && q.get().kissCode().isPresent()) {
                    return q.get().kissCode().get().code();
                }
                return r.reason().isPresent() ? r.reason().get().word() : null;
            case TIMEOUT:
            case UNREACHABLE:
            case UNRESOLVED:
                // the status says what happened; the detail (an ICMP text, a resolver error, the deadline) adds to it
                return r.detail().isEmpty() ? null : r.detail();
            case REJECTED:
            case SKIPPED:
            default:
                return r.reasons().isEmpty() ? null : String.join(", ", words(r));
        }
    }

    /** The configured host name or literal. */
    String host() {
        return report.server().host();
    }

    /** The address queried, without port, or null when there was none. */
    String address() {
        return report.address().isPresent() ? hostAddress(report.address().get()) : null;
    }

    /** The port queried, or the configured port when no address was queried. */
    int port() {
        return report.address().isPresent() ? report.address().get().getPort() : report.server().port();
    }

    /** {@code primary} or {@code fallback}. */
    String role() {
        return report.server().role() == NtpServer.Role.PRIMARY ? "primary" : "fallback";
    }

    /** The best sample, also of a source the check rejected. */
    Optional<NtpSample> sample() {
        return report.sample();
    }

    /** How many valid samples the query measured. */
    int samples() {
        return report.query().isPresent() ? report.query().get().samples().size() : 0;
    }

    /** {@code ok}, or {@code rejected (offset-too-large)}, for the table. */
    String statusText() {
        return reason == null ? status : status + " (" + reason + ")";
    }

    /** The address with port in the usual notation ({@code [::1]:123} for IPv6), or {@code -}. */
    String addressText() {
        String a = address();
        if (a == null) {
            return "-";
        }
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + port();
    }

    private static String hostAddress(InetSocketAddress a) {
        return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    }
}
