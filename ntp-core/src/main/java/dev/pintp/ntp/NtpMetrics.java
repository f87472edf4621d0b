package dev.pintp.ntp;

import dev.pintp.ntp.internal.Durations;
import io.micrometer.core.instrument.Counter;
import dev.pintp.ntp.internal.Durations;
import io.micrometer.core.instrument.Gauge;
import dev.pintp.ntp.internal.Durations;
import io.micrometer.core.instrument.MeterRegistry;
import dev.pintp.ntp.internal.Durations;
import io.micrometer.core.instrument.Timer;
import dev.pintp.ntp.internal.Durations;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Micrometer meters for checks. Bind it to a registry ({@link #bindTo(MeterRegistry)}), then feed it each check
 * ({@link #record(CheckResult)}); {@link NtpMonitor} does the feeding. Thread-safe.
 *
 * <p>Meters (the {@code server} tag is the configured host, for example {@code 192.168.4.2} or
 * {@code 0.debian.pool.ntp.org}; of a pool name's addresses the selected one or else the one with the smallest
 * synchronization distance is shown):
 * <ul>
 *   <li>{@code ntp.offset}, {@code ntp.delay}, {@code ntp.root.distance} (gauges, seconds), {@code ntp.stratum}
 *       (gauge), per server, from the last check; NaN when the last check measured no sample of that server.
 *   <li>{@code ntp.queries} (counter), tags {@code server}, {@code outcome} ({@link Outcome}) and {@code reason}
 *       ({@link RejectReason}, or {@code none}): one per source per check.
 *   <li>{@code ntp.verdict} (gauge), tag {@code verdict}: 1 for the last check's raw verdict, 0 for the others
 *       ({@code UNKNOWN} is 1 before the first check). Raw: it shows every flap of the link.
 *   <li>{@code ntp.sync.level} (gauge): the last check's raw quality level, 0 to 3.
 *   <li>{@code ntp.stable.verdict} (gauge), tag {@code verdict}: 1 for the stable verdict after hysteresis
 *       ({@link SyncState}), the one the controller acts on; {@code UNKNOWN} until
 *       {@link #recordStable(Verdict, SyncQuality)} is first called ({@link NtpMonitor} calls it after every check).
 *   <li>{@code ntp.stable.level} (gauge): the stable quality level, 0 to 3.
 *   <li>{@code ntp.check.duration} (timer): how long each check took.
 *   <li>{@code ntp.drift} (gauge, ppm): the estimated frequency error of the local clock, NaN without an estimate.
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
    private volatile double driftPpm = Double.NaN;

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
            Gauge.builder("ntp.offset", v, x -> x.offset).tag("server", host)
                    .baseUnit("seconds").strongReference(true)
                    .description("Offset of the server's clock from the local clock").register(registry);
            Gauge.builder("ntp.delay", v, x -> x.delay).tag("server", host)
                    .baseUnit("seconds").strongReference(true)
                    .description("Round-trip delay to the server").register(registry);
            Gauge.builder("ntp.root.distance", v, x -> x.rootDistance).tag("server", host)
                    .baseUnit("seconds").strongReference(true)
                    .description("Root delay / 2 + root dispersion of the server").register(registry);
            Gauge.builder("ntp.stratum", v, x -> x.stratum).tag("server", host).strongReference(true)
                    .description("Stratum of the server").register(registry);
        }
        for (Verdict v : Verdict.values()) {
            Gauge.builder("ntp.verdict", this, m -> m.verdict == v ? 1 : 0).tag("verdict", v.name())
                    .description("1 for the verdict of the last check").register(registry);
        }
        Gauge.builder("ntp.sync.level", this, m -> m.level)
                .description("Quality level of the last check, 0 to 3").register(registry);
        for (Verdict v : Verdict.values()) {
            Gauge.builder("ntp.stable.verdict", this, m -> m.stableVerdict == v ? 1 : 0).tag("verdict", v.name())
                    .description("1 for the stable verdict after hysteresis").register(registry);
        }
        Gauge.builder("ntp.stable.level", this, m -> m.stableLevel)
                .description("Stable quality level after hysteresis, 0 to 3").register(registry);
        Gauge.builder("ntp.drift", this, m -> m.driftPpm).baseUnit("ppm")
                .description("Estimated frequency error of the local clock").register(registry);
        checkTimer(registry);
        registries.add(registry);
    }

    /** Updates the meters from one check. */
    public void record(CheckResult result) {
        Objects.requireNonNull(result, "result");
        for (String host : hosts) {
            Optional<NtpSample> sample = result.selected().filter(s -> s.server().host().equals(host))
                    .flatMap(SourceReport::sample)
                    .or(() -> result.sources().stream()
                            .filter(r -> r.server().host().equals(host) && r.sample().isPresent())
                            .map(r -> r.sample().get())
                            .min(Comparator.comparing(NtpSample::synchronizationDistance)));
            ServerValues v = values.get(host);
            v.offset = sample.map(s -> Durations.seconds(s.offset())).orElse(Double.NaN);
            v.delay = sample.map(s -> Durations.seconds(s.delay())).orElse(Double.NaN);
            v.rootDistance = sample.map(s -> Durations.seconds(s.rootDistance())).orElse(Double.NaN);
            v.stratum = sample.map(s -> (double) s.stratum()).orElse(Double.NaN);
        }
        verdict = result.verdict();
        level = result.quality().level();
        for (MeterRegistry registry : registries) {
            for (SourceReport r : result.sources()) {
                Counter.builder("ntp.queries")
                        .tag("server", r.server().host())
                        .tag("outcome", r.outcome().name())
                        .tag("reason", r.reason().map(Enum::name).orElse("none"))
                        .description("Sources queried, by outcome and reason")
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

    /** Updates {@code ntp.drift}; an empty estimate sets it to NaN. */
    public void recordDrift(Optional<DriftEstimate> estimate) {
        driftPpm = estimate.map(DriftEstimate::ppm).orElse(Double.NaN);
    }

    private static Timer checkTimer(MeterRegistry registry) {
        return Timer.builder("ntp.check.duration").description("Duration of one check").register(registry);
    }
}
