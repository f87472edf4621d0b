package dev.pintp.systemd.internal;

import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Where systemd-timesyncd should take its time from after a run: the rule behind the steering drop-in, a pure
 * function of the stable verdict and the run's check.
 *
 * <ul>
 *   <li>Stable {@code PRIMARY_SYNCED}: the primary (no steering file). Stable {@code FALLBACK_SYNCED}: the fallbacks.
 *   <li>Stable {@code UNSYNCHRONIZED}, decided from the check's per-source reports:
 *       <ul>
 *         <li>the check verified a fallback (its verdict {@code FALLBACK_SYNCED}, the regain held back): the
 *             fallbacks; the check verified the primary (regain held back by flap damping): unchanged, so that
 *             timesyncd is damped with the controller;
 *         <li>no fallback answered validly: unchanged (nothing better to point timesyncd at);
 *         <li>a primary agrees with the majority of the valid answers (this clock is what is off): the primary;
 *         <li>the primary is refuted (outvoted, refused by the protocol) or unverified (silent): the fallbacks;
 *         <li>no majority (the Pi Zero against a single pool server): the fallbacks, unless every fallback that
 *             answered tells a time before {@link #PLAUSIBLE_AFTER} while a primary does not.
 *       </ul>
 * </ul>
 *
 * <p>A valid answer is a measured sample the check kept as {@code OK} (also when it shows this clock off,
 * {@code OFFSET_TOO_LARGE}) or refused only as a {@code FALSETICKER}. A falseticker without a majority is not a
 * refutation of either side; the fallbacks win that tie because the check could not verify the primary, and timesyncd left on an unverified
 * Pi Zero would keep this clock on it, while the fallbacks are independent of it. Power saving is off either way.
 */
final class Steering {
    /**
     * No correct clock reads earlier than this (systemd's {@code TIME_EPOCH} is the same idea): a server telling an
     * earlier time has lost its clock, as a Pi Zero whose RTC reset to 2000.
     */
    static final Instant PLAUSIBLE_AFTER = Instant.parse("2026-01-01T00:00:00Z");

    /** Where timesyncd should be pointed. */
    enum Target {
        /** At its configured servers, the primary first: no steering file. */
        PRIMARY,
        /** At the fallbacks: the steering file. */
        FALLBACKS,
        /** Left as it is. */
        UNCHANGED
    }

    /**
     * @param target where timesyncd should be pointed
     * @param reason why, in words for the log line
     */
    record Decision(Target target, String reason) {
        Decision {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private Steering() {
    }

    /** The decision for the stable verdict {@code stable} after the check {@code check}; see the class description. */
    static Decision decide(Verdict stable, CheckResult check) {
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(check, "check");
        switch (stable) {
            case PRIMARY_SYNCED:
                return new Decision(Target.PRIMARY, "the primary is verified");
            case FALLBACK_SYNCED:
                return new Decision(Target.FALLBACKS, "only a fallback is verified");
            default:
                break;
        }
        if (check.verdict() == Verdict.FALLBACK_SYNCED) {
            return new Decision(Target.FALLBACKS, "only a fallback is verified");
        }
        if (check.verdict() == Verdict.PRIMARY_SYNCED) {
            return new Decision(Target.UNCHANGED, "the primary is verified but regaining is held back");
        }
        List<SourceReport> primaries = of(check, NtpServer.Role.PRIMARY);
        List<SourceReport> fallbacks = of(check, NtpServer.Role.FALLBACK);
        List<SourceReport> validFallbacks = fallbacks.stream().filter(Steering::answeredValidly).toList();
        if (validFallbacks.isEmpty()) {
            return new Decision(Target.UNCHANGED, "no fallback answered validly");
        }
        if (primaries.stream().anyMatch(Steering::agrees)) {
            return new Decision(Target.PRIMARY, "the primary agrees with the other answers; this clock is off");
        }
        List<SourceReport> validPrimaries = primaries.stream().filter(Steering::answeredValidly).toList();
        if (validPrimaries.isEmpty()) {
            return new Decision(Target.FALLBACKS, "the primary gave no valid answer ("
                    + primaries.stream().map(Steering::why).distinct().reduce((a, b) -> a + ", " + b).orElse("none")
                    + ") and a fallback answered");
        }
        if (validFallbacks.stream().anyMatch(Steering::agrees)) {
            return new Decision(Target.FALLBACKS, "the primary disagrees with the majority");
        }
        // No majority: every valid answer is a falseticker.
        boolean fallbacksImplausible = validFallbacks.stream().noneMatch(Steering::plausible);
        boolean primaryPlausible = validPrimaries.stream().anyMatch(Steering::plausible);
        if (fallbacksImplausible && primaryPlausible) {
            return new Decision(Target.PRIMARY, "no majority, and only the primary tells a time after "
                    + PLAUSIBLE_AFTER);
        }
        if (validPrimaries.stream().noneMatch(Steering::plausible)) {
            return new Decision(Target.FALLBACKS, "the primary tells a time before " + PLAUSIBLE_AFTER);
        }
        return new Decision(Target.FALLBACKS, "the primary and the fallbacks disagree with no majority;"
                + " the primary is not verified");
    }

    private static List<SourceReport> of(CheckResult check, NtpServer.Role role) {
        return check.sources().stream().filter(r -> r.server().role() == role).toList();
    }

    /** A measured sample the check kept as OK (also when this clock is off against it) or outvoted. */
    static boolean answeredValidly(SourceReport r) {
        return r.sample().isPresent() && (r.answeredValidly() || r.outcome() == Outcome.REJECTED
                && r.hasReason(CheckDecision.FALSETICKER));
    }

    /** A valid answer that was not outvoted: OK, also when this clock is off against it. */
    private static boolean agrees(SourceReport r) {
        return answeredValidly(r) && !r.hasReason(CheckDecision.FALSETICKER);
    }

    /** The server's clock, as its answer tells it, is not before {@link #PLAUSIBLE_AFTER}. */
    private static boolean plausible(SourceReport r) {
        NtpSample s = r.sample().orElseThrow();
        return !s.localTransmit().plus(s.offset()).isBefore(PLAUSIBLE_AFTER);
    }

    /** The outcome or reason as the job's log line names it ({@link CheckText#source}). */
    private static String why(SourceReport r) {
        return r.reason().map(RejectReason::name).orElse(r.outcome().name());
    }
}
