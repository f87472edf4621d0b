package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.internal.SourceSelector;
import dev.pintp.systemd.internal.Steering.Target;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The steering rule as a table: the answers of one check, decided by the real {@link SourceSelector} with the default
 * limits (offset 128 ms), and where timesyncd goes for a stable verdict.
 */
class SteeringTest {
    static final NtpServer FALLBACK_2 = new NtpServer("1.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    static final NtpServer FALLBACK_3 = new NtpServer("2.debian.pool.ntp.org", 123, NtpServer.Role.FALLBACK);
    /** The offset of a server whose clock reads 2000-01-01 when this one reads {@link Checks#T0}. */
    static final Duration Y2K = Duration.between(Checks.T0, Instant.parse("2000-01-01T00:00:00Z"));
    static final Duration RIGHT = Duration.ofMillis(1);
    static final Duration AHEAD_5S = Duration.ofSeconds(5);

    /** One source of the table: an answer with an offset, or another outcome. */
    record Src(NtpServer server, Optional<Duration> offset, Outcome outcome, Optional<RejectReason> reason) {
        SourceReport report() {
            if (offset.isPresent()) {
                return Checks.ok(server, offset.get());
            }
            return new SourceReport(server, Optional.empty(), outcome, reason.map(List::of).orElse(List.of()),
                    Optional.empty());
        }

        @Override
        public String toString() {
            return server.host() + " " + offset.map(o -> o.equals(Y2K) ? "in 2000" : o.toString())
                    .orElse(reason.map(RejectReason::name).orElse(outcome.name()));
        }
    }

    static Src answers(NtpServer s, Duration offset) {
        return new Src(s, Optional.of(offset), Outcome.OK, Optional.empty());
    }

    static Src silent(NtpServer s) {
        return new Src(s, Optional.empty(), Outcome.TIMEOUT, Optional.empty());
    }

    static Src refuses(NtpServer s, RejectReason reason) {
        return new Src(s, Optional.empty(), Outcome.REJECTED, Optional.of(reason));
    }

    static final NtpServer PI = Checks.PRIMARY;
    static final NtpServer POOL = Checks.FALLBACK;

    static Stream<Arguments> table() {
        return Stream.of(
                // stable verdict, sources, expected target
                row(Verdict.PRIMARY_SYNCED, Target.PRIMARY, answers(PI, RIGHT), answers(POOL, RIGHT)),
                row(Verdict.FALLBACK_SYNCED, Target.FALLBACKS, silent(PI), answers(POOL, RIGHT)),
                // the Pi Zero dead or refused by the protocol while a pool server answers: the pool
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, silent(PI), answers(POOL, RIGHT)),
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, silent(PI), answers(POOL, AHEAD_5S)),
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, refuses(PI, RefusalReason.BAD_STRATUM),
                        answers(POOL, AHEAD_5S)),
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, refuses(PI, RefusalReason.UNSYNCHRONIZED),
                        answers(POOL, RIGHT)),
                // a wrong Pi Zero outvoted by the pool
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, answers(PI, AHEAD_5S), answers(POOL, RIGHT),
                        answers(FALLBACK_2, RIGHT), answers(FALLBACK_3, RIGHT)),
                // a wrong Pi Zero against a single pool server: no majority, the pool
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, answers(PI, AHEAD_5S), answers(POOL, RIGHT)),
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, answers(PI, Y2K), answers(POOL, RIGHT)),
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, answers(PI, Y2K), answers(POOL, AHEAD_5S)),
                // no majority and both plausible: the Pi Zero is not verified, the pool (this clock is right with
                // the Pi Zero, but the Pi Zero may be what set it)
                row(Verdict.UNSYNCHRONIZED, Target.FALLBACKS, answers(PI, RIGHT), answers(POOL, AHEAD_5S)),
                // ... unless only the pool tells a time before 2026
                row(Verdict.UNSYNCHRONIZED, Target.PRIMARY, answers(PI, RIGHT), answers(POOL, Y2K)),
                row(Verdict.UNSYNCHRONIZED, Target.PRIMARY, answers(PI, AHEAD_5S), answers(POOL, Y2K),
                        silent(FALLBACK_2)),
                // the Pi Zero and the pool agree, this clock is off: the Pi Zero
                row(Verdict.UNSYNCHRONIZED, Target.PRIMARY, answers(PI, AHEAD_5S), answers(POOL, AHEAD_5S)),
                row(Verdict.UNSYNCHRONIZED, Target.PRIMARY, answers(PI, AHEAD_5S), answers(POOL, AHEAD_5S),
                        answers(FALLBACK_2, RIGHT)),
                // nothing valid from the pool: nothing better to point timesyncd at
                row(Verdict.UNSYNCHRONIZED, Target.UNCHANGED, answers(PI, AHEAD_5S), silent(POOL)),
                row(Verdict.UNSYNCHRONIZED, Target.UNCHANGED, answers(PI, Y2K), silent(POOL)),
                row(Verdict.UNSYNCHRONIZED, Target.UNCHANGED, silent(PI), silent(POOL)),
                row(Verdict.UNSYNCHRONIZED, Target.UNCHANGED, silent(PI), refuses(POOL, RefusalReason.BAD_STRATUM)),
                // the check verified the Pi Zero but regaining is held back: timesyncd is damped with the controller
                row(Verdict.UNSYNCHRONIZED, Target.UNCHANGED, answers(PI, RIGHT), answers(POOL, RIGHT)));
    }

    static Arguments row(Verdict stable, Target expected, Src... sources) {
        return Arguments.of(stable, List.of(sources), expected);
    }

    static CheckResult check(List<Src> sources) {
        List<SourceReport> reports = new ArrayList<>();
        sources.forEach(s -> reports.add(s.report()));
        return SourceSelector.decide(reports, NtpConfig.ofDefaults(), Checks.T0, Duration.ofMillis(5));
    }

    @ParameterizedTest(name = "stable {0}, {1} -> {2}")
    @MethodSource("table")
    void timesyncdGoesWhereTheRuleSays(Verdict stable, List<Src> sources, Target expected) {
        CheckResult check = check(sources);
        Steering.Decision d = Steering.decide(stable, check);
        assertEquals(expected, d.target(), d.reason() + "; check " + CheckText.check(check));
    }
}
