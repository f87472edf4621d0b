package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.internal.SourceSelector;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of hysteresis and source selection over random inputs. */
class DecisionProperties {
    static final List<SyncState.Observation> OBSERVATIONS = List.of(
            SyncState.Observation.UNSYNCHRONIZED,
            new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), SyncQuality.HIGH),
            new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), SyncQuality.MEDIUM),
            new SyncState.Observation(Verdict.PRIMARY_SYNCED, Optional.of("192.168.4.2"), SyncQuality.LOW),
            new SyncState.Observation(Verdict.FALLBACK_SYNCED, Optional.of("0.debian.pool.ntp.org"), SyncQuality.HIGH),
            new SyncState.Observation(Verdict.FALLBACK_SYNCED, Optional.of("1.debian.pool.ntp.org"),
                    SyncQuality.MEDIUM));

    @Provide
    Arbitrary<List<SyncState.Observation>> observations() {
        return Arbitraries.of(OBSERVATIONS).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property
    void lossesAreImmediateAndRegainsHappenAtTheCheckThatSeesThemUnlessSuppressed(
            @ForAll("observations") List<SyncState.Observation> seen) {
        NtpConfig config = NtpConfig.ofDefaults();
        SyncState s = SyncState.initial();
        Instant now = Fixtures.T0;
        for (SyncState.Observation o : seen) {
            now = now.plus(Duration.ofMinutes(1));
            SyncState next = s.next(o, now, config);
            assertEquals(!next.sameStable(s), next.changed());
            boolean worse = rank(o) < rank(s.stable());
            if (worse) {
                assertEquals(o, next.stable(), "a worse observation is taken at once");
            }
            if (next.changed()) {
                assertEquals(o, next.stable(), "a change is to what this check observed");
                // The stored figure is as of its own time; what a change adds to is that figure decayed to now.
                FlapDamping damping = config.flapDamping();
                double before = s.penaltyAt().isEmpty() ? 0
                        : damping.decay(s.penalty(), Duration.between(s.penaltyAt().get(), now));
                double expected = Math.min(damping.ceiling(), before + damping.penalty());
                assertEquals(expected, next.penalty(), 1e-6 * damping.ceiling(),
                        "a change adds one penalty to the decayed figure, up to the ceiling");
            }
            if (!worse && !next.changed() && !o.equals(s.stable()) && !bothPool(o, s.stable())) {
                assertTrue(s.suppressed(), "a regain is held only while suppressed");
            }
            assertTrue(next.penalty() <= config.flapDamping().ceiling() + 1e-6);
            s = next;
        }
    }

    static int rank(SyncState.Observation o) {
        int v = switch (o.verdict()) {
            case PRIMARY_SYNCED -> 2;
            case FALLBACK_SYNCED -> 1;
            default -> 0;
        };
        return v * 4 + o.quality().level();
    }

    static boolean bothPool(SyncState.Observation a, SyncState.Observation b) {
        return a.verdict() == Verdict.FALLBACK_SYNCED && b.verdict() == Verdict.FALLBACK_SYNCED
                && a.quality() == b.quality();
    }

    @Property
    void encodingRoundTrips(@ForAll("observations") List<SyncState.Observation> seen) {
        NtpConfig config = NtpConfig.ofDefaults();
        SyncState s = SyncState.initial();
        Instant now = Fixtures.T0;
        for (SyncState.Observation o : seen) {
            now = now.plusSeconds(60);
            SyncState direct = s.next(o, now, config);
            s = SyncState.decode(direct.encode());
            assertEquals(direct.stable(), s.stable());
            assertEquals(direct.penalty(), s.penalty());
        }
        assertEquals(s, SyncState.decode(s.encode()));
    }

    /** One source: primary or not, offset and synchronization distance in ms. */
    record Source(boolean primary, int offsetMs, int distanceMs) {
    }

    @Provide
    Arbitrary<List<Source>> sources() {
        Arbitrary<Source> one = Combinators.combine(Arbitraries.of(true, false),
                Arbitraries.integers().between(-3000, 3000), Arbitraries.integers().between(0, 200))
                .as(Source::new);
        return one.list().ofMinSize(1).ofMaxSize(8);
    }

    static CheckResult decide(List<Source> sources, NtpConfig config) {
        NtpServer primary = config.primaries().get(0);
        NtpServer pool = config.fallbacks().get(0);
        List<SourceReport> reports = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            InetSocketAddress a = Fixtures.addr("198.51.100." + (i + 1));
            QueryResult q = Fixtures.ok(a, Duration.ofMillis(s.offsetMs()), Duration.ofMillis(s.distanceMs()),
                    Duration.ofMillis(s.distanceMs()));
            reports.add(new SourceReport(s.primary() ? primary : pool, Optional.of(a), Outcome.OK, List.of(),
                    Optional.of(q)));
        }
        reports.sort((x, y) -> x.server().role().compareTo(y.server().role()));
        return SourceSelector.decide(reports, config, Fixtures.T0, Duration.ZERO);
    }

    @Property
    void theSelectedSourceIsAccurateAndItsRoleMatchesTheVerdict(@ForAll("sources") List<Source> sources) {
        NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool.test").build();
        CheckResult r = decide(sources, config);
        if (r.selected().isPresent()) {
            SourceReport s = r.selected().get();
            assertTrue(s.isUsable());
            assertTrue(s.sample().get().offset().abs().compareTo(config.maxOffset()) <= 0);
            assertEquals(s.server().role() == NtpServer.Role.PRIMARY, r.verdict() == Verdict.PRIMARY_SYNCED);
        } else {
            assertTrue(r.sources().stream().noneMatch(SourceReport::isUsable));
        }
        long falsetickers = r.sources().stream().filter(x -> x.hasReason(CheckDecision.FALSETICKER))
                .count();
        if (sources.size() == 1) {
            assertEquals(0, falsetickers, "a lone source is trusted alone");
        }
        long truechimers = sources.size() - falsetickers;
        assertTrue(truechimers == 0 || 2 * truechimers > sources.size(), "survivors are a majority");
    }

    @Property
    void sourcesThatAllAgreeAreNeverFalsetickers(@ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 50)
            Integer> distances, @ForAll @IntRange(min = -2000, max = 2000) int offsetMs) {
        NtpConfig config = NtpConfig.custom().primaryHosts("192.0.2.2").fallbackHosts("pool.test").build();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < distances.size(); i++) {
            sources.add(new Source(i == 0, offsetMs, distances.get(i)));
        }
        CheckResult r = decide(sources, config);
        assertTrue(r.sources().stream().noneMatch(x -> x.hasReason(CheckDecision.FALSETICKER)));
        assertEquals(Math.abs(offsetMs) <= 128, r.verdict() == Verdict.PRIMARY_SYNCED);
    }
}
