package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code --nagios}: one line in the style of monitoring-plugins' check_ntp_time, {@code NTP OK: Offset 0.000123
 * secs, ...|offset=0.000123s;W;C; ...}, with the status word matching the exit code.
 */
final class NagiosFormat {
    private static final String[] STATUS = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

    private NagiosFormat() {
    }

    /** The status word of an exit code. */
    static String statusWord(int exitCode) {
        return STATUS[Math.min(Math.max(exitCode, 0), 3)];
    }

    /** The line for {@code result}, without a newline. */
    static String render(CheckResult result, Thresholds thresholds) {
        int code = thresholds.exitCode(result);
        StringBuilder s = new StringBuilder("NTP ").append(statusWord(code)).append(": ");
        Optional<NtpSample> sample = result.selected().isPresent()
                ? result.selected().get().sample() : Optional.empty();
        if (sample.isEmpty()) {
            s.append("Offset unknown, no usable source");
            String sep = " (";
            for (SourceReport r : result.sources()) {
                SourceView v = SourceView.of(r);
                s.append(sep).append(v.host()).append(' ').append(v.statusText());
                sep = ", ";
            }
            if (!result.sources().isEmpty()) {
                s.append(')');
            }
            return s.toString();
        }
        SourceView v = SourceView.of(result.selected().get());
        NtpSample x = sample.get();
        s.append("Offset ").append(Seconds.fixed(x.offset(), 6, false)).append(" secs, ");
        s.append(result.verdict() == dev.pintp.ntp.Verdict.FALLBACK_SYNCED ? "fallback only " : "primary ");
        s.append(v.host()).append(" stratum ").append(x.stratum());
        int byOffset = thresholds.ofOffset(result);
        if (byOffset == Thresholds.CRITICAL) {
            s.append(", offset above critical ").append(Seconds.exact(thresholds.critical().orElseThrow()));
        } else if (byOffset == Thresholds.WARNING) {
            s.append(", offset above warning ").append(Seconds.exact(thresholds.warning().orElseThrow()));
        }
        s.append('|');
        s.append("offset=").append(Seconds.fixed(x.offset(), 6, false)).append("s;")
                .append(limit(thresholds.warning())).append(';').append(limit(thresholds.critical())).append(';');
        s.append(" delay=").append(Seconds.fixed(x.delay(), 6, false)).append("s;;;0;");
        s.append(" root_distance=").append(Seconds.fixed(x.rootDistance(), 6, false)).append("s;;;0;");
        s.append(" stratum=").append(x.stratum()).append(";;;0;16");
        return s.toString();
    }

    private static String limit(Optional<Duration> d) {
        return d.isPresent() ? Seconds.fixed(d.get(), 6, false) : "";
    }
}
