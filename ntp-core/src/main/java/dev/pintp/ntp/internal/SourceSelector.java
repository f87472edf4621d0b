package dev.pintp.ntp.internal;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpSample;
import dev.pintp.ntp.NtpServer;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.RejectReason;
import dev.pintp.ntp.SourceReport;
import dev.pintp.ntp.SyncQuality;
import dev.pintp.ntp.Verdict;
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
     *   <li>A source whose query was OK but whose root distance exceeds the maximum is rejected
     *       (ROOT_DISTANCE_TOO_LARGE; normally the client already refused it).
     *   <li>Falsetickers: each remaining source has the correctness interval offset &plusmn; max(synchronization
     *       distance, maxOffset / 2) (the floor keeps a LAN server that claims a near-zero error bound from being
     *       outvoted over a disagreement too small to matter for the verdict). The largest set of intervals with a
     *       common point are the truechimers if they are a majority (more than half); the others are FALSETICKER.
     *       With two or more sources and no majority, none can be trusted: all are FALSETICKER.
     *   <li>A truechimer whose absolute offset exceeds maxOffset is OFFSET_TOO_LARGE.
     *   <li>The selected source is the first usable primary in configuration order (the one with the smallest
     *       synchronization distance among that primary's addresses), else the usable fallback with the smallest
     *       synchronization distance.
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
                r = reject(r, RejectReason.ROOT_DISTANCE_TOO_LARGE, "root distance "
                        + seconds(r.sample().get().rootDistance()) + " above the maximum "
                        + seconds(config.maxRootDistance()));
            }
            out.add(r);
        }
        markFalsetickers(out, config);
        for (int i = 0; i < out.size(); i++) {
            SourceReport r = out.get(i);
            if (r.isUsable() && r.sample().get().offset().abs().compareTo(config.maxOffset()) > 0) {
                out.set(i, reject(r, RejectReason.OFFSET_TOO_LARGE, "offset " + seconds(r.sample().get().offset())
                        + " beyond the maximum of " + seconds(config.maxOffset()) + " either way"));
            }
        }
        SourceReport selected = selectPrimary(out, config);
        Verdict verdict = Verdict.PRIMARY_SYNCED;
        if (selected == null) {
            for (SourceReport r : out) {
                if (r.isUsable() && r.server().role() == NtpServer.Role.FALLBACK && closer(r, selected)) {
                    selected = r;
                }
            }
            verdict = selected != null ? Verdict.FALLBACK_SYNCED : Verdict.UNSYNCHRONIZED;
        }
        SyncQuality quality = selected != null ? SyncQuality.of(selected.sample().get(), config) : SyncQuality.NONE;
        return new CheckResult(verdict, Optional.ofNullable(selected), out, quality, checkedAt, elapsed);
    }

    /** The usable report of the first primary that has one, the closest of that primary's; null when none. */
    private static SourceReport selectPrimary(List<SourceReport> reports, NtpConfig config) {
        for (NtpServer primary : config.primaries()) {
            SourceReport best = null;
            for (SourceReport r : reports) {
                if (r.isUsable() && r.server().equals(primary) && closer(r, best)) {
                    best = r;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return null;
    }

    /** True when usable {@code r} has a smaller synchronization distance than {@code best} (or best is null). */
    private static boolean closer(SourceReport r, SourceReport best) {
        return best == null || r.sample().get().synchronizationDistance()
                .compareTo(best.sample().get().synchronizationDistance()) < 0;
    }

    private static void markFalsetickers(List<SourceReport> reports, NtpConfig config) {
        List<Integer> usable = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            if (reports.get(i).isUsable()) {
                usable.add(i);
            }
        }
        int n = usable.size();
        if (n < 2) {
            return;
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
                reports.set(i, reject(r, RejectReason.FALSETICKER, detail));
            }
        }
    }

    private static SourceReport reject(SourceReport r, RejectReason reason, String detail) {
        return new SourceReport(r.server(), r.address(), Outcome.REJECTED, Optional.of(reason), r.query(), detail);
    }

    /** A signed duration in seconds with microseconds, for detail texts: {@code +2.500000 s}. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%+.6f s", Durations.seconds(d));
    }
}
