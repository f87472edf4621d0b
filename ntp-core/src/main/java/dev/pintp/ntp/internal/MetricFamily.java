package dev.pintp.ntp.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * pintp's one metric vocabulary: every metric the embedded monitor ({@code NtpMetrics}, Micrometer) or the job
 * (textfile collector and {@code /metrics}, {@code PrometheusText}) exports, with its Micrometer name, base unit,
 * type, help text and labels. Both exporters take their names and help from here, so a family exported by both is
 * the same Prometheus family: {@link #prometheusName()} is what Micrometer's Prometheus naming convention makes of
 * {@link #meterName()} and {@link #baseUnit()} (a test renders both and compares). The table in docs/metrics.md
 * lists these constants.
 */
public enum MetricFamily {
    OFFSET("ntp.offset", "seconds", Type.GAUGE, Exporter.BOTH,
            "Offset of the server's clock from the local clock (positive: the server is ahead), from the last "
                    + "check; NaN when it measured none.", "server"),
    DELAY("ntp.delay", "seconds", Type.GAUGE, Exporter.BOTH,
            "Round-trip delay to the server in the last check; NaN when it measured none.", "server"),
    ROOT_DISTANCE("ntp.root.distance", "seconds", Type.GAUGE, Exporter.BOTH,
            "Root delay / 2 + root dispersion the server reported in the last check; NaN when it measured none.",
            "server"),
    STRATUM("ntp.stratum", null, Type.GAUGE, Exporter.BOTH,
            "Stratum the server reported in the last check; NaN when it measured none.", "server"),
    VERDICT("ntp.verdict", null, Type.GAUGE, Exporter.BOTH,
            "1 for the verdict of the last check (raw, before flap damping), 0 for the others.", "verdict"),
    SYNC_LEVEL("ntp.sync.level", null, Type.GAUGE, Exporter.BOTH,
            "Quality level of the last check (raw), 0 (none) to 3."),
    STABLE_VERDICT("ntp.stable.verdict", null, Type.GAUGE, Exporter.BOTH,
            "1 for the verdict after flap damping (what the controller acts on), 0 for the others.", "verdict"),
    STABLE_LEVEL("ntp.stable.level", null, Type.GAUGE, Exporter.BOTH,
            "Quality level after flap damping, 0 (none) to 3."),
    LAST_CHECK_TIMESTAMP("ntp.last.check.timestamp", "seconds", Type.GAUGE, Exporter.BOTH,
            "When the last check started, Unix time; NaN before the first check."),
    DRIFT("ntp.drift", "ratio", Type.GAUGE, Exporter.BOTH,
            "Estimated frequency error of the local clock against the primary (1e-6 is 1 ppm, positive: the local "
                    + "clock runs fast); NaN without an estimate."),
    DRIFT_ALERT("ntp.drift.alert", null, Type.GAUGE, Exporter.BOTH,
            "1 while the drift alert of its kind is raised (offset: the primary's offset beyond the drift alert "
                    + "offset, frequency: the drift beyond the drift alert ppm), 0 otherwise.", "kind"),
    QUERIES("ntp.queries", null, Type.COUNTER, Exporter.EMBEDDED,
            "Sources queried, by outcome and reason.", "server", "outcome", "reason"),
    CHECK_DURATION("ntp.check.duration", "seconds", Type.SUMMARY, Exporter.EMBEDDED,
            "Duration of the checks."),
    LAST_CHECK_DURATION("ntp.last.check.duration", "seconds", Type.GAUGE, Exporter.JOB,
            "How long the last check took."),
    SOURCE_USABLE("ntp.source.usable", null, Type.GAUGE, Exporter.JOB,
            "1 when the source (one address of a server) was usable in the last check, with its outcome.",
            "server", "role", "address", "outcome"),
    POWER_SAVING("ntp.power.saving", null, Type.GAUGE, Exporter.JOB,
            "1 while the controller's drop-in sets CONSERVE_POWER=1."),
    RUN_FAILED_TIMESTAMP("ntp.run.failed.timestamp", "seconds", Type.GAUGE, Exporter.JOB,
            "When the last run failed and ended power saving (the log says why), Unix time; only after such a run.");

    /** The Prometheus type a family is exported as. */
    public enum Type {
        GAUGE, COUNTER,
        /** A Micrometer timer: {@code _count} and {@code _sum}, plus a {@code _max} gauge family. */
        SUMMARY;

        /** The word in {@code # TYPE}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Who exports a family. */
    public enum Exporter {
        /** The embedded monitor and the job, with the same name, type, help and labels. */
        BOTH,
        /** Only {@code NtpMetrics}: counters and timers need one long-lived process. */
        EMBEDDED,
        /** Only the job: what concerns the controller's drop-in and the run. */
        JOB
    }

    private final String meterName;
    private final Optional<String> baseUnit;
    private final Type type;
    private final Exporter exporter;
    private final String help;
    private final List<String> labels;

    MetricFamily(String meterName, String baseUnit, Type type, Exporter exporter, String help, String... labels) {
        this.meterName = meterName;
        this.baseUnit = Optional.ofNullable(baseUnit);
        this.type = type;
        this.exporter = exporter;
        this.help = help;
        this.labels = List.of(labels);
    }

    /** The Micrometer meter name, for example {@code ntp.offset}. */
    public String meterName() {
        return meterName;
    }

    /** The Micrometer base unit ({@code seconds}, {@code ratio}), empty for a plain number. */
    public Optional<String> baseUnit() {
        return baseUnit;
    }

    /** How it is exported. */
    public Type type() {
        return type;
    }

    /** Who exports it. */
    public Exporter exporter() {
        return exporter;
    }

    /** The help text: Micrometer's description and Prometheus' {@code # HELP}. */
    public String help() {
        return help;
    }

    /** Label (tag) names, in the order the job writes them. */
    public List<String> labels() {
        return labels;
    }

    /**
     * The Prometheus family name: the meter name with underscores, then {@code _UNIT} for a base unit, then
     * {@code _total} for a counter ({@code ntp.offset} in seconds is {@code ntp_offset_seconds}).
     */
    public String prometheusName() {
        String name = meterName.replace('.', '_');
        if (baseUnit.isPresent()) {
            name += "_" + baseUnit.get();
        }
        return type == Type.COUNTER ? name + "_total" : name;
    }
}
