package dev.pintp.ntp.internal;

import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RefusalReason;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.VerdictReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * From the reports of one check's queries to the verdict: limits, falseticker detection, selection, quality. A pure
 * function of its inputs.
 */
public final class SourceSelector {
    private SourceSelector() {
    }

    /**
     * Decides a check.
     *
     * <ol>
     *   <li>A source whose query was OK but whose root distance exceeds the maximum is REJECTED
     *       (ROOT_DISTANCE_TOO_LARGE; normally the client already refused it).
     *   <li>Falsetickers: each remaining source has the correctness interval offset &plusmn; max(synchronization
     *       distance, maxOffset / 2) (the floor keeps a LAN server that claims a near-zero error bound from being
     *       outvoted over a disagreement too small to matter for the verdict). The largest set of intervals with a
     *       common point are the truechimers if they are a majority (more than half); the others are REJECTED
     *       FALSETICKER. With two or more sources and no majority, none can be trusted: all are FALSETICKER.
     *   <li>A truechimer whose absolute offset exceeds maxOffset stays OK (it answered validly and was not
     *       outvoted) but is marked OFFSET_TOO_LARGE: it is this clock that is off, and it is not usable.
     *   <li>The selected source is the first usable primary in configuration order (the one with the smallest
     *       synchronization distance among that primary's addresses), else the usable fallback with the smallest
     *       synchronization distance.
     *   <li>The verdict's reason: {@link VerdictReason.Synced} with the selected source; otherwise
     *       {@link VerdictReason.ClockOff} against the OFFSET_TOO_LARGE source that the same rule would have
     *       selected; otherwise {@link VerdictReason.NoMajority} when two or more answered validly and no majority
     *       agreed; otherwise {@link VerdictReason.NotQueried} when every source was skipped; otherwise
     *       {@link VerdictReason.NoValidAnswer}.
     * </ol>
     *
     * @param reports every candidate, in the order they should be reported
     */
    public static CheckResult decide(List<SourceReport> reports, NtpConfig config, Instant checkedAt,
            Duration elapsed) {
        List<SourceReport> out = new ArrayList<>(reports.size());
        for (SourceReport r : reports) {
            if (r.isUsable() && r.sample().isEmpty()) {
                throw new IllegalArgumentException("a usable source must have a sample: " + r);
            }
            if (r.isUsable() && r.sample().get().rootDistance().compareTo(config.maxRootDistance()) > 0) {
                r = reject(r, RefusalReason.ROOT_DISTANCE_TOO_LARGE, "root distance "
                        + seconds(r.sample().get().rootDistance()) + " above the maximum "
                        + seconds(config.maxRootDistance()));
            }
            out.add(r);
        }
        Majority vote = markFalsetickers(out, config);
        for (int i = 0; i < out.size(); i++) {
            SourceReport r = out.get(i);
            if (r.isUsable() && r.sample().get().offset().abs().compareTo(config.maxOffset()) > 0) {
                out.set(i, new SourceReport(r.server(), r.address(), Outcome.OK,
                        List.of(CheckDecision.OFFSET_TOO_LARGE), r.query(), "offset "
                        + seconds(r.sample().get().offset()) + " beyond the maximum of " + seconds(config.maxOffset())
                        + " either way"));
            }
        }
        SourceReport selected = select(out, config, true);
        if (selected != null) {
            Verdict verdict = selected.server().role() == NtpServer.Role.PRIMARY ? Verdict.PRIMARY_SYNCED
                    : Verdict.FALLBACK_SYNCED;
            VerdictReason reason = new VerdictReason.Synced(selected.server(), selected.address().get(),
                    selected.sample().get().offset());
            return new CheckResult(verdict, Optional.of(selected), out, reason,
                    SyncQuality.of(selected.sample().get(), config), checkedAt, elapsed);
        }
        return new CheckResult(Verdict.UNSYNCHRONIZED, Optional.empty(), out, whyNot(out, config, vote),
                SyncQuality.NONE, checkedAt, elapsed);
    }

    /** Why no source qualified; see {@link #decide}. */
    private static VerdictReason whyNot(List<SourceReport> reports, NtpConfig config, Majority vote) {
        SourceReport off = select(reports, config, false);
        if (off != null) {
            return new VerdictReason.ClockOff(off.server(), off.address().get(), off.sample().get().offset(),
                    config.maxOffset());
        }
        if (vote != null && !vote.majority()) {
            return new VerdictReason.NoMajority(vote.agreeing(), vote.answering());
        }
        int backedOff = 0;
        int denied = 0;
        for (SourceReport r : reports) {
            if (r.outcome() == Outcome.SKIPPED) {
                if (r.hasReason(CheckDecision.DENIED)) {
                    denied++;
                } else {
                    backedOff++;
                }
            }
        }
        if (!reports.isEmpty() && backedOff + denied == reports.size()) {
            return new VerdictReason.NotQueried(backedOff, denied);
        }
        return new VerdictReason.NoValidAnswer(reports.size());
    }

    /**
     * The source a verdict rests on among the usable reports ({@code usable}) or among the OFFSET_TOO_LARGE ones:
     * the closest address of the first primary in configuration order that has one, else the closest fallback; null
     * when there is none.
     */
    private static SourceReport select(List<SourceReport> reports, NtpConfig config, boolean usable) {
        for (NtpServer primary : config.primaries()) {
            SourceReport best = null;
            for (SourceReport r : reports) {
                if (candidate(r, usable) && r.server().equals(primary) && closer(r, best)) {
                    best = r;
                }
            }
            if (best != null) {
                return best;
            }
        }
        SourceReport best = null;
        for (SourceReport r : reports) {
            if (candidate(r, usable) && r.server().role() == NtpServer.Role.FALLBACK && closer(r, best)) {
                best = r;
            }
        }
        return best;
    }

    private static boolean candidate(SourceReport r, boolean usable) {
        return usable ? r.isUsable() : r.answeredValidly() && r.hasReason(CheckDecision.OFFSET_TOO_LARGE);
    }

    /**
     * How the falseticker vote went.
     *
     * @param agreeing the most answering sources whose intervals share a point
     * @param answering how many sources answered validly
     * @param majority whether {@code agreeing} is more than half of {@code answering}
     */
    private record Majority(int agreeing, int answering, boolean majority) {
    }

    /** True when usable {@code r} has a smaller synchronization distance than {@code best} (or best is null). */
    private static boolean closer(SourceReport r, SourceReport best) {
        return best == null || r.sample().get().synchronizationDistance()
                .compareTo(best.sample().get().synchronizationDistance()) < 0;
    }

    /** Marks the falsetickers; the vote, or null when fewer than two sources answered (no vote). */
    private static Majority markFalsetickers(List<SourceReport> reports, NtpConfig config) {
        List<Integer> usable = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            if (reports.get(i).isUsable()) {
                usable.add(i);
            }
        }
        int n = usable.size();
        if (n < 2) {
            return null;
        }
        long floor = config.maxOffset().toNanos() / 2;
        long[] low = new long[n];
        long[] high = new long[n];
        long[] offsets = new long[n];
        for (int k = 0; k < n; k++) {
            NtpSample s = reports.get(usable.get(k)).sample().get();
            long lambda = Math.max(Durations.saturatedNanos(s.synchronizationDistance()), floor);
            offsets[k] = Durations.saturatedNanos(s.offset());
            low[k] = offsets[k] - lambda;
            high[k] = offsets[k] + lambda;
        }
        // Marzullo's sweep: the point covered by the most intervals, merging the sorted lower and upper ends. A
        // lower end goes before an upper end at a tie, so intervals that merely touch count as overlapping. The
        // depth only grows at a lower end, so the sweep can stop after the last one.
        long[] lows = low.clone();
        long[] highs = high.clone();
        Arrays.sort(lows);
        Arrays.sort(highs);
        int depth = 0;
        int best = 0;
        long point = 0;
        for (int i = 0, j = 0; i < n; ) {
            if (lows[i] <= highs[j]) {
                depth++;
                if (depth > best) {
                    best = depth;
                    point = lows[i];
                }
                i++;
            } else {
                depth--;
                j++;
            }
        }
        boolean majority = 2 * best > n;
        boolean[] truechimer = new boolean[n];
        long agreeLow = Long.MAX_VALUE;
        long agreeHigh = Long.MIN_VALUE;
        for (int k = 0; k < n; k++) {
            truechimer[k] = majority && low[k] <= point && point <= high[k];
            if (truechimer[k]) {
                agreeLow = Math.min(agreeLow, offsets[k]);
                agreeHigh = Math.max(agreeHigh, offsets[k]);
            }
        }
        for (int k = 0; k < n; k++) {
            if (!truechimer[k]) {
                int i = usable.get(k);
                SourceReport r = reports.get(i);
                String offset = seconds(r.sample().get().offset());
                String detail = majority
                        ? "offset " + offset + " disagrees with the " + best + " of " + n + " answering sources that"
                                + " agree (offsets " + seconds(Duration.ofNanos(agreeLow)) + " to "
                                + seconds(Duration.ofNanos(agreeHigh)) + ")"
                        : "offset " + offset + ": no majority agrees, at most " + best + " of " + n
                                + " answering sources agree within their error bounds";
                reports.set(i, reject(r, CheckDecision.FALSETICKER, detail));
            }
        }
        return new Majority(best, n, majority);
    }

    private static SourceReport reject(SourceReport r, RejectReason reason, String detail) {
        return new SourceReport(r.server(), r.address(), Outcome.REJECTED, List.of(reason), r.query(), detail);
    }

    /** A signed duration in seconds with microseconds, for detail texts: {@code +2.500000 s}. */
    static String seconds(Duration d) {
        return String.format(Locale.US, "%+.6f s", Durations.seconds(d));
    }
}
