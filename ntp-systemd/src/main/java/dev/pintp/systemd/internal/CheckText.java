package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncState;
import java.time.Duration;
import java.util.Locale;

/** Human-readable summaries of checks and states, for log lines and {@code status}. */
public final class CheckText {
    private CheckText() {
    }

    /** Milliseconds with sign and three decimals, e.g. {@code +0.412 ms}. */
    public static String millis(Duration d) {
        return String.format(Locale.ROOT, "%+.3f ms", d.toNanos() / 1e6);
    }

    /** One source: {@code host (address) OK offset +0.4 ms, root distance 1.0 ms} or its outcome and reason. */
    public static String source(SourceReport r) {
        StringBuilder sb = new StringBuilder(r.server().host());
        r.address().ifPresent(a -> sb.append(" (").append(a.getAddress().getHostAddress()).append(':')
                .append(a.getPort()).append(')'));
        sb.append(' ').append(r.outcome());
        r.reason().ifPresent(reason -> sb.append(' ').append(reason));
        boolean refusedAuth = r.reason().isPresent() && isAuthentication(r.reason().get());
        // Why an authenticated server gave no time: a forgery, or NTS-KE refused (an untrusted, expired or misnamed
        // certificate, a TLS failure) is the news; the plain network failures of the other servers stay short.
        boolean authFailed = r.server().auth().isAuthenticated() && r.outcome() != dev.pintp.ntp.Outcome.OK;
        if ((refusedAuth || authFailed) && !r.detail().isEmpty()) {
            sb.append(" (").append(r.detail()).append(')');
        }
        if (r.sample().isPresent()) {
            NtpSample s = r.sample().get();
            sb.append(" offset ").append(millis(s.offset())).append(" root distance ")
                    .append(millis(s.rootDistance()).substring(1));
        }
        return sb.toString();
    }

    private static boolean isAuthentication(dev.pintp.ntp.RejectReason reason) {
        return reason == dev.pintp.ntp.RejectReason.UNAUTHENTICATED || reason == dev.pintp.ntp.RejectReason.WRONG_KEY
                || reason == dev.pintp.ntp.RejectReason.BAD_MAC;
    }

    /** The check in one line: the verdict and why. */
    public static String check(CheckResult r) {
        StringBuilder sb = new StringBuilder(r.verdict().name());
        if (r.selected().isPresent()) {
            sb.append(" via ").append(source(r.selected().get())).append(", level ").append(r.quality().level());
        } else {
            sb.append(':');
            if (r.sources().isEmpty()) {
                sb.append(" no sources");
            }
            String sep = " ";
            for (SourceReport s : r.sources()) {
                sb.append(sep).append(source(s));
                sep = "; ";
            }
        }
        return sb.toString();
    }

    /** The stable state: {@code PRIMARY_SYNCED 192.168.4.2 level 3}. */
    public static String stable(SyncState s) {
        return s.verdict() + s.server().map(h -> " " + h).orElse("")
                + (s.verdict().isSynced() ? " level " + s.quality().level() : "");
    }
}
