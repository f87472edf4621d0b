package dev.pintp.ntp;

import dev.pintp.ntp.internal.Durations;
import dev.pintp.ntp.internal.MetricFamily;
import dev.pintp.ntp.internal.MetricSamples;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for checks. Bind it to a registry ({@link #bindTo(MeterRegistry)}), then feed it each check
 * ({@link #record(CheckResult)}); {@link NtpMonitor} does the feeding. Thread-safe.
 *
 * <p>The meters are pintp's one metric vocabulary (docs/metrics.md), which the ntp-monitor job's Prometheus text
 * shares: through a Prometheus registry {@code ntp.offset} in seconds is {@code ntp_offset_seconds}, the same family
 * with the same help and labels as the job writes. The {@code server} tag is the configured host, for example
 * {@code 192.168.4.2} or {@code 0.debian.pool.ntp.org}; of a pool name's addresses the selected one or else the one
 * with the smallest synchronization distance is shown.
 * <ul>
 *   <li>{@code ntp.offset}, {@code ntp.delay}, {@code ntp.root.distance} (gauges, seconds), {@code ntp.stratum}
 *       (gauge), per server, from the last check; NaN when the last check measured no sample of that server.
 *   <li>{@code ntp.queries} (counter), tags {@code server}, {@code outcome} ({@link Outcome}) and {@code reason}
 *       (the first of {@link SourceReport#reasons()}, or {@code none}): one per source per check.
 *   <li>{@code ntp.verdict} (gauge), tag {@code verdict}: 1 for the last check's raw verdict, 0 for the others
 *       ({@code UNKNOWN} is 1 before the first check). Raw: it shows every flap of the link.
 *   <li>{@code ntp.sync.level} (gauge): the last check's raw quality level, 0 to 3.
 *   <li>{@code ntp.stable.verdict} (gauge), tag {@code verdict}: 1 for the stable verdict after hysteresis
 *       ({@link SyncState}), the one the controller acts on; {@code UNKNOWN} until
 *       {@link #recordStable(Verdict, SyncQuality)} is first called ({@link NtpMonitor} calls it after every check).
 *   <li>{@code ntp.stable.level} (gauge): the stable quality level, 0 to 3.
 *   <li>{@code ntp.last.check.timestamp} (gauge, seconds): when the last check started, Unix time; NaN before.
 *   <li>{@code ntp.check.duration} (timer): how long each check took.
 *   <li>{@code ntp.drift} (gauge, base unit {@code ratio}: 1e-6 is 1 ppm): the estimated frequency error of the
 *       local clock, NaN without an estimate.
 *   <li>{@code ntp.drift.alert} (gauge), tag {@code kind} ({@code offset}, {@code frequency}): 1 while that drift
 *       alert of {@link DriftHistory} is raised.
 * </ul>
 */
public final class NtpMetrics implements MeterBinder {
    private final List<String> hosts = new ArrayList<>();
    private final Map<String, ServerValues> values = new LinkedHashMap<>();
    private final List<MeterRegistry> registries = new CopyOnWriteArrayList<>();
    private volatile Verdict verdict = Verdict.UNKNOWN;
    private volatile double level;
    private volatile Verdict stableVerdict = Verdict.UNKNOWN;
    private volatile double stableLevel;
    private volatile double driftRatio = Double.NaN;
    private volatile double lastCheck = Double.NaN;
    private volatile boolean offsetAlert;
    private volatile boolean frequencyAlert;

    private static final class ServerValues {
        volatile double offset = Double.NaN;
        volatile double delay = Double.NaN;
        volatile double rootDistance = Double.NaN;
        volatile double stratum = Double.NaN;
    }

    /** Meters for the servers of {@code config}. */
    public NtpMetrics(NtpConfig config) {
        Objects.requireNonNull(config, "config");
        List<NtpServer> all = new ArrayList<>(config.primaries());
        all.addAll(config.fallbacks());
        for (NtpServer s : all) {
            if (!values.containsKey(s.host())) {
                hosts.add(s.host());
                values.put(s.host(), new ServerValues());
            }
        }
    }

    /** Registers the meters in {@code registry}; binding the same registry again does nothing. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (registries.stream().anyMatch(r -> r == registry)) {
            return; // or every counter and the timer would be fed twice
        }
        for (String host : hosts) {
            ServerValues v = values.get(host);
            gauge(registry, MetricFamily.OFFSET, v, x -> x.offset, "server", host);
            gauge(registry, MetricFamily.DELAY, v, x -> x.delay, "server", host);
            gauge(registry, MetricFamily.ROOT_DISTANCE, v, x -> x.rootDistance, "server", host);
            gauge(registry, MetricFamily.STRATUM, v, x -> x.stratum, "server", host);
        }
        for (Verdict v : Verdict.values()) {
            gauge(registry, MetricFamily.VERDICT, this, m -> m.verdict == v ? 1 : 0, "verdict", v.name());
        }
        gauge(registry, MetricFamily.SYNC_LEVEL, this, m -> m.level);
        for (Verdict v : Verdict.values()) {
            gauge(registry, MetricFamily.STABLE_VERDICT, this, m -> m.stableVerdict == v ? 1 : 0, "verdict", v.name());
        }
        gauge(registry, MetricFamily.STABLE_LEVEL, this, m -> m.stableLevel);
        gauge(registry, MetricFamily.LAST_CHECK_TIMESTAMP, this, m -> m.lastCheck);
        gauge(registry, MetricFamily.DRIFT, this, m -> m.driftRatio);
        gauge(registry, MetricFamily.DRIFT_ALERT, this, m -> m.offsetAlert ? 1 : 0, "kind", "offset");
        gauge(registry, MetricFamily.DRIFT_ALERT, this, m -> m.frequencyAlert ? 1 : 0, "kind", "frequency");
        checkTimer(registry);
        registries.add(registry);
    }

    /** Updates the meters from one check. */
    public void record(CheckResult result) {
        Objects.requireNonNull(result, "result");
        for (String host : hosts) {
            Optional<NtpSample> sample = MetricSamples.of(result, host);
            ServerValues v = values.get(host);
            v.offset = sample.map(s -> Durations.seconds(s.offset())).orElse(Double.NaN);
            v.delay = sample.map(s -> Durations.seconds(s.delay())).orElse(Double.NaN);
            v.rootDistance = sample.map(s -> Durations.seconds(s.rootDistance())).orElse(Double.NaN);
            v.stratum = sample.map(s -> (double) s.stratum()).orElse(Double.NaN);
        }
        lastCheck = result.checkedAt().toEpochMilli() / 1000.0;
        verdict = result.verdict();
        level = result.quality().level();
        for (MeterRegistry registry : registries) {
            for (SourceReport r : result.sources()) {
                Counter.builder(MetricFamily.QUERIES.meterName())
                        .tag("server", r.server().host())
                        .tag("outcome", r.outcome().name())
                        .tag("reason", r.reason().isPresent() ? r.reason().get().name() : "none")
                        .description(MetricFamily.QUERIES.help())
                        .register(registry)
                        .increment();
            }
            checkTimer(registry).record(result.elapsed());
        }
    }

    /**
     * Updates {@code ntp.stable.verdict} and {@code ntp.stable.level} to the state after hysteresis, for example
     * {@link SyncState#verdict()} and {@link SyncState#quality()}.
     */
    public void recordStable(Verdict verdict, SyncQuality quality) {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(quality, "quality");
        stableVerdict = verdict;
        stableLevel = quality.level();
    }

    /** Updates {@code ntp.drift} (ppm / 10<sup>6</sup>); an empty estimate sets it to NaN. */
    public void recordDrift(Optional<DriftEstimate> estimate) {
        Objects.requireNonNull(estimate, "estimate");
        driftRatio = estimate.map(e -> e.ppm() / 1e6).orElse(Double.NaN);
    }

    /** Updates {@code ntp.drift} from the history's estimate and {@code ntp.drift.alert} from its raised alerts. */
    public void recordDrift(DriftHistory history) {
        Objects.requireNonNull(history, "history");
        recordDrift(history.estimate());
        offsetAlert = history.offsetAlert();
        frequencyAlert = history.frequencyAlert();
    }

    private static <T> void gauge(MeterRegistry registry, MetricFamily family, T obj, ToDoubleFunction<T> value,
            String... tags) {
        Gauge.Builder<T> b = Gauge.builder(family.meterName(), obj, value).tags(tags).strongReference(true)
                .description(family.help());
        family.baseUnit().ifPresent(b::baseUnit);
        b.register(registry);
    }

    private static Timer checkTimer(MeterRegistry registry) {
        return Timer.builder(MetricFamily.CHECK_DURATION.meterName()).description(MetricFamily.CHECK_DURATION.help())
                .register(registry);
    }
}
