package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NtpMetricsTest {
    final NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool-a.test").build();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final NtpMetrics metrics = new NtpMetrics(config);

    double gauge(String name, String server) {
        return registry.get(name).tag("server", server).gauge().value();
    }

    CheckResult check() {
        FakeSntpClient client = new FakeSntpClient();
        client.results(Fixtures.addr("192.0.2.2"), Fixtures.ok(Fixtures.addr("192.0.2.2"), Duration.ofMillis(3),
                Duration.ofMillis(20), Duration.ofMillis(25)));
        FakeResolver resolver = new FakeResolver().name("192.0.2.2", "192.0.2.2").name("pool-a.test", "198.51.100.1");
        return NtpChecker.custom(config).sntpClient(client).resolver(resolver).executor(Runnable::run).build()
                .check();
    }

    @Test
    void beforeAnyCheckTheVerdictIsUnknownAndValuesAreNaN() {
        metrics.bindTo(registry);
        assertEquals(1.0, registry.get("ntp.verdict").tag("verdict", "UNKNOWN").gauge().value());
        assertTrue(Double.isNaN(gauge("ntp.offset", "192.0.2.2")));
        assertTrue(Double.isNaN(registry.get("ntp.drift").gauge().value()));
    }

    @Test
    void perServerGaugesShowTheLastSample() {
        metrics.bindTo(registry);
        metrics.record(check());
        assertEquals(0.003, gauge("ntp.offset", "192.0.2.2"), 1e-9);
        assertEquals(0.002, gauge("ntp.delay", "192.0.2.2"), 1e-9);
        assertEquals(0.020, gauge("ntp.root.distance", "192.0.2.2"), 1e-9);
        assertEquals(2.0, gauge("ntp.stratum", "192.0.2.2"));
        assertTrue(Double.isNaN(gauge("ntp.offset", "pool-a.test")), "no sample from the pool");
        assertEquals("seconds", registry.get("ntp.offset").tag("server", "192.0.2.2").gauge().getId().getBaseUnit());
    }

    @Test
    void bindingTwiceToTheSameRegistryDoesNotCountTwice() {
        metrics.bindTo(registry);
        metrics.bindTo(registry);
        CheckResult r = check();
        metrics.record(r);
        assertEquals(1.0, registry.get("ntp.queries").tags("server", "192.0.2.2", "outcome", "OK", "reason", "none")
                .counter().count());
        assertEquals(1, registry.get("ntp.check.duration").timer().count());
    }

    @Test
    void queriesAreCountedByServerOutcomeAndReason() {
        metrics.bindTo(registry);
        metrics.record(check());
        metrics.record(check());
        assertEquals(2.0, registry.get("ntp.queries").tags("server", "192.0.2.2", "outcome", "OK", "reason", "none")
                .counter().count());
        assertEquals(2.0, registry.get("ntp.queries").tags("server", "pool-a.test", "outcome", "TIMEOUT", "reason",
                "none").counter().count());
    }

    @Test
    void rejectionReasonsAreTagged() {
        metrics.bindTo(registry);
        SourceReport r = new SourceReport(config.fallbacks().get(0), Optional.of(Fixtures.addr("198.51.100.1")),
                Outcome.SKIPPED, List.of(CheckDecision.BACKED_OFF), Optional.empty());
        metrics.record(new CheckResult(Verdict.UNSYNCHRONIZED, Optional.empty(), List.of(r),
                new VerdictReason.NotQueried(1, 0), SyncQuality.NONE, Fixtures.T0, Duration.ZERO));
        assertEquals(1.0, registry.get("ntp.queries").tags("outcome", "SKIPPED", "reason", "BACKED_OFF").counter()
                .count());
    }

    @Test
    void verdictLevelAndCheckDurationAreRecorded() {
        metrics.bindTo(registry);
        CheckResult r = check();
        metrics.record(r);
        assertEquals(1.0, registry.get("ntp.verdict").tag("verdict", "PRIMARY_SYNCED").gauge().value());
        assertEquals(0.0, registry.get("ntp.verdict").tag("verdict", "UNKNOWN").gauge().value());
        assertEquals(SyncQuality.of(r.selected().get().sample().get(), config).level(),
                registry.get("ntp.sync.level").gauge().value());
        assertEquals(1, registry.get("ntp.check.duration").timer().count());
        assertEquals(r.elapsed().toNanos(), registry.get("ntp.check.duration").timer().totalTime(TimeUnit.NANOSECONDS),
                1.0);
    }

    @Test
    void driftGaugeShowsTheEstimate() {
        metrics.bindTo(registry);
        metrics.recordDrift(Optional.of(new DriftEstimate(12.5, Duration.ZERO, 4, Duration.ofMinutes(3))));
        assertEquals(12.5e-6, registry.get("ntp.drift").gauge().value(), 1e-15, "a ratio: 12.5 ppm");
        assertEquals("ratio", registry.get("ntp.drift").gauge().getId().getBaseUnit());
        metrics.recordDrift(Optional.empty());
        assertTrue(Double.isNaN(registry.get("ntp.drift").gauge().value()));
    }

    @Test
    void driftAlertGaugesFollowTheHistorysRaisedAlerts() {
        metrics.bindTo(registry);
        assertEquals(0.0, registry.get("ntp.drift.alert").tag("kind", "offset").gauge().value());
        // the primary 3 ms off in every check: above a 1 ms offset threshold, so the offset alert is raised
        NtpConfig strict = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool-a.test")
                .driftAlertOffset(Duration.ofMillis(1)).build();
        DriftHistory history = DriftHistory.empty().next(check(), strict);
        metrics.recordDrift(history);
        assertTrue(history.offsetAlert());
        assertEquals(1.0, registry.get("ntp.drift.alert").tag("kind", "offset").gauge().value());
        assertEquals(0.0, registry.get("ntp.drift.alert").tag("kind", "frequency").gauge().value());
        metrics.recordDrift(DriftHistory.empty());
        assertEquals(0.0, registry.get("ntp.drift.alert").tag("kind", "offset").gauge().value());
    }

    @Test
    void lastCheckTimestampIsTheChecksStartInUnixSeconds() {
        metrics.bindTo(registry);
        assertTrue(Double.isNaN(registry.get("ntp.last.check.timestamp").gauge().value()), "before the first check");
        CheckResult r = check();
        metrics.record(r);
        assertEquals(r.checkedAt().toEpochMilli() / 1000.0, registry.get("ntp.last.check.timestamp").gauge().value());
        assertEquals("seconds", registry.get("ntp.last.check.timestamp").gauge().getId().getBaseUnit());
    }
}
