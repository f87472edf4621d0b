package dev.pintp.ntp;

import dev.pintp.ntp.internal.Durations;
import dev.pintp.ntp.internal.StateText;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The recent offsets to the primary, the drift estimated from them, and which drift alerts are active: an immutable
 * value, so a job that runs as a new process every minute can carry it in a file like {@link SyncState}.
 *
 * <p>Each check that measured a primary (its query succeeded, even if the check then rejected the sample for its
 * offset or as a falseticker) adds one point: the check's time and that primary's offset. Points older than
 * {@link #WINDOW} and beyond {@link #MAX_POINTS} are dropped. The drift is the slope of the least-squares line
 * through the points, once there are {@link #MIN_POINTS} spanning at least {@link #MIN_SPAN}. A step of the local
 * clock (a time daemon correcting it) shows up as a slope until it leaves the window.
 */
public final class DriftHistory {
    /** Points older than this, relative to the newest, are dropped. */
    public static final Duration WINDOW = Duration.ofHours(1);
    /** At most this many points are kept. */
    public static final int MAX_POINTS = 64;
    /** Fewest points for an estimate. */
    public static final int MIN_POINTS = 4;
    /** Shortest span of points for an estimate: below it, offset noise of a millisecond would read as many ppm. */
    public static final Duration MIN_SPAN = Duration.ofMinutes(3);

    private static final String KIND = "drift";
    private static final int VERSION = 1;
    private static final String LABEL = "drift history";
    /** The header of the format before {@link StateText}, read so that an upgrade keeps the history. */
    private static final String HEADER_BEFORE = "pintp-drift 1";

    private final List<Point> points;
    private final Optional<String> server;
    private final boolean offsetAlert;
    private final boolean frequencyAlert;
    private final List<DriftAlert> alerts;

    /**
     * One offset to the primary.
     *
     * @param at the check's wall-clock time
     * @param offset the primary's offset (positive: the primary is ahead)
     */
    public record Point(Instant at, Duration offset) {
        /** @throws NullPointerException for a null instant or offset */
        public Point {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(offset, "offset");
        }
    }

    private DriftHistory(List<Point> points, Optional<String> server, boolean offsetAlert, boolean frequencyAlert,
            List<DriftAlert> alerts) {
        this.points = List.copyOf(points);
        this.server = server;
        this.offsetAlert = offsetAlert;
        this.frequencyAlert = frequencyAlert;
        this.alerts = List.copyOf(alerts);
    }

    /** No points, no active alert. */
    public static DriftHistory empty() {
        return new DriftHistory(List.of(), Optional.empty(), false, false, List.of());
    }

    /** The points, oldest first. */
    public List<Point> points() {
        return points;
    }

    /** True while the offset alert is raised. */
    public boolean offsetAlert() {
        return offsetAlert;
    }

    /** True while the frequency alert is raised. */
    public boolean frequencyAlert() {
        return frequencyAlert;
    }

    /** The alerts raised or cleared by the {@link #next(CheckResult, NtpConfig)} call that made this history. */
    public List<DriftAlert> alerts() {
        return alerts;
    }

    /** The current estimate, or empty while there are too few points or they span too little time. */
    public Optional<DriftEstimate> estimate() {
        int n = points.size();
        if (n < MIN_POINTS) {
            return Optional.empty();
        }
        Instant t0 = points.get(0).at();
        Duration span = Duration.between(t0, points.get(n - 1).at());
        if (span.compareTo(MIN_SPAN) < 0) {
            return Optional.empty();
        }
        double meanT = 0;
        double meanO = 0;
        double[] t = new double[n];
        double[] o = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = Duration.between(t0, points.get(i).at()).toNanos() / 1e9;
            o[i] = Durations.seconds(points.get(i).offset());
            meanT += t[i] / n;
            meanO += o[i] / n;
        }
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (t[i] - meanT) * (o[i] - meanO);
            sxx += (t[i] - meanT) * (t[i] - meanT);
        }
        // offset = primary - local; a local clock that runs fast makes the offset fall, so the error is -slope.
        double ppm = sxx == 0 ? 0 : -sxy / sxx * 1e6;
        return Optional.of(new DriftEstimate(ppm, points.get(n - 1).offset(), n, span));
    }

    /**
     * The history after {@code result}: adds the primary's point if one was measured, re-estimates, and raises or
     * clears alerts against {@code config}'s thresholds. A check without a primary sample changes nothing but
     * clears {@link #alerts()}. Pure; thread-safe.
     */
    public DriftHistory next(CheckResult result, NtpConfig config) {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(config, "config");
        Optional<SourceReport> primary = Optional.empty();
        for (NtpServer p : config.primaries()) {
            primary = result.sources().stream()
                    .filter(r -> r.server().equals(p) && r.sample().isPresent())
                    .min(Comparator.comparing(r -> r.sample().get().synchronizationDistance()));
            if (primary.isPresent()) {
                break;
            }
        }
        if (primary.isEmpty()) {
            return new DriftHistory(points, server, offsetAlert, frequencyAlert, List.of());
        }
        String host = primary.get().server().host();
        Instant at = result.checkedAt();
        List<Point> kept = new ArrayList<>();
        if (server.isEmpty() || server.get().equals(host)) {
            for (Point p : points) {
                if (p.at().isBefore(at) && Duration.between(p.at(), at).compareTo(WINDOW) <= 0) {
                    kept.add(p);
                }
            }
        }
        Duration offset = primary.get().sample().get().offset();
        kept.add(new Point(at, offset));
        while (kept.size() > MAX_POINTS) {
            kept.remove(0);
        }
        DriftHistory partial = new DriftHistory(kept, Optional.of(host), offsetAlert, frequencyAlert, List.of());
        Optional<DriftEstimate> estimate = partial.estimate();

        List<DriftAlert> raised = new ArrayList<>();
        double offsetSeconds = Math.abs(Durations.seconds(offset));
        double offsetLimit = config.driftAlertOffset().toNanos() / 1e9;
        boolean offsetNow = offsetSeconds > offsetLimit;
        if (offsetNow != offsetAlert) {
            raised.add(new DriftAlert(DriftAlert.Kind.OFFSET, offsetNow, offsetSeconds, offsetLimit, host, at));
        }
        boolean frequencyNow = frequencyAlert;
        if (estimate.isPresent()) {
            double ppm = Math.abs(estimate.get().ppm());
            frequencyNow = ppm > config.driftAlertPpm();
            if (frequencyNow != frequencyAlert) {
                raised.add(new DriftAlert(DriftAlert.Kind.FREQUENCY, frequencyNow, ppm, config.driftAlertPpm(), host,
                        at));
            }
        }
        return new DriftHistory(kept, Optional.of(host), offsetNow, frequencyNow, raised);
    }

    /**
     * The history in the {@link StateText} format, kind {@code drift}: {@code server=<host|->},
     * {@code offset-alert=<bool>}, {@code frequency-alert=<bool>}, then one list entry
     * {@code point <instant> <offset nanoseconds>} per point, oldest first (an offset beyond about 146 years is
     * written as that much, keeping its sign). {@link #alerts()} is not written.
     */
    public String encode() {
        StateText.Writer w = new StateText.Writer(KIND, VERSION)
                .put("server", server.orElse("-"))
                .put("offset-alert", offsetAlert)
                .put("frequency-alert", frequencyAlert);
        for (Point p : points) {
            w.add("point", p.at() + " " + Durations.saturatedNanos(p.offset()));
        }
        return w.toString();
    }

    /**
     * Reads what {@link #encode()} wrote, and the format before {@link StateText} ({@code pintp-drift 1}, a line
     * {@code server=<host|-> offsetAlert=<bool> frequencyAlert=<bool>}, then {@code <instant> <nanoseconds>} lines).
     *
     * @throws StateText.Corrupt (an {@link IllegalArgumentException}) when {@code text} is not such a history,
     *     naming the line where it can
     */
    public static DriftHistory decode(String text) {
        Objects.requireNonNull(text, "text");
        List<Point> points = new ArrayList<>();
        String host;
        boolean offsetAlert;
        boolean frequencyAlert;
        int serverLine = 2;
        if (StateText.isVersioned(text)) {
            StateText t = StateText.parse(text, KIND, VERSION, LABEL);
            host = t.one("server");
            offsetAlert = t.bool("offset-alert");
            frequencyAlert = t.bool("frequency-alert");
            for (StateText.Line l : t.list("point")) {
                add(points, l.value().split(" ", -1), l.number());
            }
            t.requireAllRead();
            serverLine = t.lineOf("server").number();
        } else {
            String[] lines = StateText.legacyLines(text);
            if (!lines[0].strip().equals(HEADER_BEFORE) || lines.length < 2) {
                throw new StateText.Corrupt(LABEL, 1, "first line must be '"
                        + StateText.header(KIND, VERSION).strip() + "'", null);
            }
            String[] flags = lines[1].strip().split("\\s+");
            if (flags.length != 3 || !flags[0].startsWith("server=")
                    || !flags[1].matches("offsetAlert=(true|false)")
                    || !flags[2].matches("frequencyAlert=(true|false)")) {
                throw new StateText.Corrupt(LABEL, 2, "bad flags line: '" + lines[1] + "'", null);
            }
            host = flags[0].substring("server=".length());
            offsetAlert = Boolean.parseBoolean(flags[1].substring(12));
            frequencyAlert = Boolean.parseBoolean(flags[2].substring(15));
            for (int i = 2; i < lines.length; i++) {
                String line = lines[i].strip();
                if (!line.isEmpty()) {
                    add(points, line.split("\\s+"), i + 1);
                }
            }
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ')) {
            // encode would write what the next decode refuses
            throw new StateText.Corrupt(LABEL, serverLine, "server must be a host without white space, or -", null);
        }
        if (points.size() > MAX_POINTS) {
            throw new StateText.Corrupt(LABEL, 0, "more than " + MAX_POINTS + " points", null);
        }
        Optional<String> server = host.equals("-") ? Optional.empty() : Optional.of(host);
        return new DriftHistory(points, server, offsetAlert, frequencyAlert, List.of());
    }

    private static void add(List<Point> points, String[] f, int line) {
        try {
            if (f.length != 2 || !f[1].matches("-?\\d{1,19}")) {
                throw new IllegalArgumentException("expected '<instant> <nanoseconds>'");
            }
            Point p = new Point(Instant.parse(f[0]), Duration.ofNanos(Long.parseLong(f[1])));
            if (!points.isEmpty() && !p.at().isAfter(points.get(points.size() - 1).at())) {
                throw new IllegalArgumentException("points must be in increasing time order");
            }
            points.add(p);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new StateText.Corrupt(LABEL, line, e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftHistory h && points.equals(h.points) && server.equals(h.server)
                && offsetAlert == h.offsetAlert && frequencyAlert == h.frequencyAlert;
    }

    @Override
    public int hashCode() {
        return Objects.hash(points, server, offsetAlert, frequencyAlert);
    }

    @Override
    public String toString() {
        return "DriftHistory{server=" + server + ", points=" + points.size() + ", offsetAlert=" + offsetAlert
                + ", frequencyAlert=" + frequencyAlert + ", estimate=" + estimate() + "}";
    }
}
