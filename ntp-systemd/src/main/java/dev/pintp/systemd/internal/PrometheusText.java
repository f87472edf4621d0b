package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.internal.Durations;
import dev.pintp.ntp.internal.MetricFamily;
import dev.pintp.ntp.internal.MetricSamples;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The job's metrics in the Prometheus text exposition format (version 0.0.4), as a pure function of the last check
 * and the state: the same text goes to node_exporter's textfile collector and to the daemon's {@code /metrics}.
 * Names, types, help and labels come from pintp's one vocabulary ({@link MetricFamily}, docs/metrics.md): a family
 * that the embedded monitor exports too reads exactly as Micrometer's Prometheus registry renders it.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The text after a run that failed closed (MonitorJob.failClosed): no check to report, power saving off (unless
     * the drop-in could not be removed), and when that happened.
     *
     * @param at when the run failed
     * @param powerSaving true when the drop-in is still in place
     */
    public static String renderFailed(Instant at, boolean powerSaving) {
        StringBuilder sb = new StringBuilder();
        gauge(sb, MetricFamily.POWER_SAVING, powerSaving ? 1 : 0);
        gauge(sb, MetricFamily.RUN_FAILED_TIMESTAMP, at.toEpochMilli() / 1000.0);
        return sb.toString();
    }

    /**
     * @param result the last check
     * @param sync the state after it
     * @param drift the drift history after it
     * @param powerSaving true when the controller's drop-in is in place
     */
    public static String render(CheckResult result, SyncState sync, DriftHistory drift, boolean powerSaving) {
        StringBuilder sb = new StringBuilder();
        Set<String> hosts = new LinkedHashSet<>();
        for (SourceReport r : result.sources()) {
            hosts.add(r.server().host());
        }
        perServer(sb, MetricFamily.OFFSET, result, hosts, s -> Durations.seconds(s.offset()));
        perServer(sb, MetricFamily.DELAY, result, hosts, s -> Durations.seconds(s.delay()));
        perServer(sb, MetricFamily.ROOT_DISTANCE, result, hosts, s -> Durations.seconds(s.rootDistance()));
        perServer(sb, MetricFamily.STRATUM, result, hosts, s -> (double) s.stratum());
        verdicts(sb, MetricFamily.VERDICT, result.verdict());
        gauge(sb, MetricFamily.SYNC_LEVEL, result.quality().level());
        verdicts(sb, MetricFamily.STABLE_VERDICT, sync.verdict());
        gauge(sb, MetricFamily.STABLE_LEVEL, sync.quality().level());
        gauge(sb, MetricFamily.LAST_CHECK_TIMESTAMP, result.checkedAt().toEpochMilli() / 1000.0);
        gauge(sb, MetricFamily.DRIFT, drift.estimate().map(e -> e.ppm() / 1e6).orElse(Double.NaN));
        header(sb, MetricFamily.DRIFT_ALERT);
        sample(sb, MetricFamily.DRIFT_ALERT, "{kind=\"offset\"}", drift.offsetAlert() ? 1 : 0);
        sample(sb, MetricFamily.DRIFT_ALERT, "{kind=\"frequency\"}", drift.frequencyAlert() ? 1 : 0);
        gauge(sb, MetricFamily.LAST_CHECK_DURATION, Durations.seconds(result.elapsed()));
        header(sb, MetricFamily.SOURCE_USABLE);
        for (SourceReport r : result.sources()) {
            String address = r.address().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("");
            sample(sb, MetricFamily.SOURCE_USABLE, "{server=\"" + escape(r.server().host()) + "\",role=\""
                    + r.server().role().name().toLowerCase(Locale.ROOT) + "\",address=\"" + escape(address)
                    + "\",outcome=\"" + r.outcome() + "\"}", r.isUsable() ? 1 : 0);
        }
        gauge(sb, MetricFamily.POWER_SAVING, powerSaving ? 1 : 0);
        return sb.toString();
    }

    private static void perServer(StringBuilder sb, MetricFamily family, CheckResult result, Set<String> hosts,
            Function<NtpSample, Double> value) {
        header(sb, family);
        for (String host : hosts) {
            Optional<NtpSample> s = MetricSamples.of(result, host);
            sample(sb, family, "{server=\"" + escape(host) + "\"}", s.map(value).orElse(Double.NaN));
        }
    }

    private static void verdicts(StringBuilder sb, MetricFamily family, Verdict current) {
        header(sb, family);
        for (Verdict v : Verdict.values()) {
            sample(sb, family, "{verdict=\"" + v.name() + "\"}", current == v ? 1 : 0);
        }
    }

    private static void header(StringBuilder sb, MetricFamily family) {
        String name = family.prometheusName();
        sb.append("# HELP ").append(name).append(' ').append(escapeHelp(family.help())).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(family.type().word()).append('\n');
    }

    private static void gauge(StringBuilder sb, MetricFamily family, double value) {
        header(sb, family);
        sample(sb, family, "", value);
    }

    private static void sample(StringBuilder sb, MetricFamily family, String labels, double value) {
        sb.append(family.prometheusName()).append(labels).append(' ').append(number(value)).append('\n');
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** A label value in the exposition format: backslash, double quote and line feed escaped. */
    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Help text in the exposition format: backslash and line feed escaped. */
    private static String escapeHelp(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
