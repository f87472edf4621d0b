package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DropReason;
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
        // Locale.US, not ROOT: the same digits, sign and '.', but Formatter has a fast path for US and otherwise
        // loads DecimalFormatSymbols and the CLDR locale data (about 180 classes more in the resident daemon)
        return String.format(Locale.US, "%+.3f ms", d.toNanos() / 1e6);
    }

    /**
     * One source: {@code host (address) OK offset +0.4 ms root distance 1.0 ms}, or its outcome and every reason
     * ({@code REJECTED UNSYNCHRONIZED BAD_STRATUM}). An OK source shows no reason: one whose offset shows this clock
     * off is named by the verdict's reason ({@link #check}).
     */
    public static String source(SourceReport r) {
        StringBuilder sb = new StringBuilder(r.server().host());
        r.address().ifPresent(a -> sb.append(" (").append(a.getAddress().getHostAddress()).append(':')
                .append(a.getPort()).append(')'));
        sb.append(' ').append(r.outcome());
        if (!r.answeredValidly()) {
            r.reasons().forEach(reason -> sb.append(' ').append(reason.name()));
        }
        boolean refusedAuth = r.reason().isPresent() && r.reason().get() instanceof DropReason drop
                && drop.isAuthentication();
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

    /**
     * The check in one line: the verdict and why. Synced: {@code PRIMARY_SYNCED via SOURCE, level 3}; otherwise the
     * verdict's reason and every source: {@code UNSYNCHRONIZED: this clock is +1.250 s off against 192.168.4.2
     * (limit 0.128 s); 192.168.4.2 (192.168.4.2:123) OK offset +1250.000 ms ...; pool.test TIMEOUT}.
     */
    public static String check(CheckResult r) {
        StringBuilder sb = new StringBuilder(r.verdict().name());
        if (r.selected().isPresent()) {
            sb.append(" via ").append(source(r.selected().get())).append(", level ").append(r.quality().level());
        } else {
            sb.append(": ").append(r.reason().message());
            String sep = "; ";
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
