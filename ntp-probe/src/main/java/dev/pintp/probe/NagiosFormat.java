package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.VerdictReason;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code --nagios}: one line in the style of monitoring-plugins' check_ntp_time, {@code NTP OK: Offset 0.000123
 * secs, ...|offset=0.000123s;W;C; ...}, with the status word matching the exit code. Unsynchronized, the line gives
 * the verdict's reason; when that is this clock's offset against a source that answered validly, the offset and the
 * performance data are that source's: {@code NTP CRITICAL: Offset 1.250012 secs, this clock is +1.250 s off against
 * 192.168.4.2 (limit 0.128 s)|offset=1.250012s;;; ...}.
 */
final class NagiosFormat {
    private NagiosFormat() {
    }

    /** The line for {@code result}, without a newline. */
    static String render(CheckResult result, Thresholds thresholds) {
        ExitCode code = thresholds.exitCode(result);
        StringBuilder s = new StringBuilder("NTP ").append(code.name()).append(": ");
        Optional<NtpSample> sample = result.selected().isPresent()
                ? result.selected().get().sample() : Optional.empty();
        if (result.reason() instanceof VerdictReason.ClockOff off) {
            NtpSample x = result.reasonSource().orElseThrow().sample().orElseThrow();
            s.append("Offset ").append(Seconds.fixed(x.offset(), 6, false)).append(" secs, ").append(off.message());
            return perfData(s, x, thresholds).toString();
        }
        if (sample.isEmpty()) {
            s.append("Offset unknown, ").append(result.reason().message());
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
        ExitCode byOffset = thresholds.ofOffset(result);
        if (byOffset == ExitCode.CRITICAL) {
            s.append(", offset above critical ").append(Seconds.exact(thresholds.critical().orElseThrow()));
        } else if (byOffset == ExitCode.WARNING) {
            s.append(", offset above warning ").append(Seconds.exact(thresholds.warning().orElseThrow()));
        }
        return perfData(s, x, thresholds).toString();
    }

    /** {@code |offset=...s;W;C; delay=... root_distance=... stratum=...}. */
    private static StringBuilder perfData(StringBuilder s, NtpSample x, Thresholds thresholds) {
        s.append('|');
        s.append("offset=").append(Seconds.fixed(x.offset(), 6, false)).append("s;")
                .append(limit(thresholds.warning())).append(';').append(limit(thresholds.critical())).append(';');
        s.append(" delay=").append(Seconds.fixed(x.delay(), 6, false)).append("s;;;0;");
        s.append(" root_distance=").append(Seconds.fixed(x.rootDistance(), 6, false)).append("s;;;0;");
        s.append(" stratum=").append(x.stratum()).append(";;;0;16");
        return s;
    }

    private static String limit(Optional<Duration> d) {
        return d.isPresent() ? Seconds.fixed(d.get(), 6, false) : "";
    }
}
