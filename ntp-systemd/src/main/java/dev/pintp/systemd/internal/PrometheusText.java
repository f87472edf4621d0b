package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.DriftHistory;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncState;
import dev.pintp.ntp.Verdict;
import java.util.Locale;

/**
 * The job's metrics in the Prometheus text exposition format (version 0.0.4), as a pure function of the last check
 * and the state: the same text goes to node_exporter's textfile collector and to the daemon's {@code /metrics}.
 */
public final class PrometheusText {
    private static final String POWER_SAVING_HELP = "1 while the controller's drop-in sets CONSERVE_POWER=1.";

    private PrometheusText() {
    }

    /**
     * The text after a run that failed closed (MonitorJob.failClosed): no check to report, power saving off (unless
     * the drop-in could not be removed), and when that happened.
     *
     * @param at when the run failed
     * @param powerSaving true when the drop-in is still in place
     */
    public static String renderFailed(java.time.Instant at, boolean powerSaving) {
        StringBuilder sb = new StringBuilder();
        gauge(sb, "ntp_monitor_power_saving", POWER_SAVING_HELP, powerSaving ? 1 : 0);
        gauge(sb, "ntp_monitor_run_failed_timestamp_seconds",
                "When the last run failed and ended power saving (the log says why), Unix time.",
                at.toEpochMilli() / 1000.0);
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
        header(sb, "ntp_monitor_verdict", "Verdict of the last check: 1 for the verdict it gave, 0 for the others.");
        for (Verdict v : new Verdict[] {Verdict.PRIMARY_SYNCED, Verdict.FALLBACK_SYNCED, Verdict.UNSYNCHRONIZED}) {
            sb.append("ntp_monitor_verdict{verdict=\"").append(v).append("\"} ")
                    .append(result.verdict() == v ? 1 : 0).append('\n');
        }
        header(sb, "ntp_monitor_stable_verdict", "Verdict after hysteresis, what the controller acts on.");
        for (Verdict v : new Verdict[] {Verdict.PRIMARY_SYNCED, Verdict.FALLBACK_SYNCED, Verdict.UNSYNCHRONIZED}) {
            sb.append("ntp_monitor_stable_verdict{verdict=\"").append(v).append("\"} ")
                    .append(sync.verdict() == v ? 1 : 0).append('\n');
        }
        gauge(sb, "ntp_monitor_sync_level", "Graduated sync level after hysteresis, 0 (none) to 3.",
                sync.quality().level());
        gauge(sb, "ntp_monitor_power_saving", POWER_SAVING_HELP, powerSaving ? 1 : 0);
        gauge(sb, "ntp_monitor_last_check_timestamp_seconds", "When the last check started, Unix time.",
                result.checkedAt().toEpochMilli() / 1000.0);
        gauge(sb, "ntp_monitor_check_duration_seconds", "How long the last check took.",
                result.elapsed().toNanos() / 1e9);
        header(sb, "ntp_monitor_source_usable", "1 when the source was usable in the last check, with its outcome.");
        for (SourceReport r : result.sources()) {
            sb.append("ntp_monitor_source_usable").append(labels(r)).append(' ').append(r.isUsable() ? 1 : 0).append('\n');
        }
        sampleFamily(sb, result, "ntp_monitor_offset_seconds", "Offset of the source's clock from ours.", 0);
        sampleFamily(sb, result, "ntp_monitor_delay_seconds", "Round-trip delay to the source.", 1);
        sampleFamily(sb, result, "ntp_monitor_root_distance_seconds", "Root distance of the source.", 2);
        sampleFamily(sb, result, "ntp_monitor_stratum", "Stratum of the source.", 3);
        if (drift.estimate().isPresent()) {
            gauge(sb, "ntp_monitor_drift_ppm", "Estimated frequency error of the local clock against the primary.",
                    drift.estimate().get().ppm());
        }
        return sb.toString();
    }

    private static void sampleFamily(StringBuilder sb, CheckResult result, String name, String help, int which) {
        header(sb, name, help);
        for (SourceReport r : result.sources()) {
            if (r.sample().isEmpty()) {
                continue;
            }
            NtpSample s = r.sample().get();
            double v = switch (which) {
                case 0 -> s.offset().toNanos() / 1e9;
                case 1 -> s.delay().toNanos() / 1e9;
                case 2 -> s.rootDistance().toNanos() / 1e9;
                default -> s.stratum();
            };
            sb.append(name).append(labels(r)).append(' ').append(number(v)).append('\n');
        }
    }

    private static String labels(SourceReport r) {
        String address = r.address().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).orElse("");
        return "{server=\"" + escape(r.server().host()) + "\",role=\"" + r.server().role().name().toLowerCase(Locale.ROOT)
                + "\",address=\"" + escape(address) + "\",outcome=\"" + r.outcome() + "\"}";
    }

    private static void header(StringBuilder sb, String name, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        header(sb, name, help);
        sb.append(name).append(' ').append(number(value)).append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
