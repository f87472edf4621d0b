package dev.pintp.ntp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of one check of all configured sources. Immutable.
 *
 * @param verdict PRIMARY_SYNCED, FALLBACK_SYNCED or UNSYNCHRONIZED (never UNKNOWN)
 * @param selected the source whose sample the verdict rests on; present iff the verdict is synced
 * @param sources every candidate source with its outcome and reasons, primaries first, in configuration order
 * @param reason why the verdict is what it is, decided with it: {@link VerdictReason.Synced} (naming the selected
 *     source) iff the verdict is synced, otherwise why not
 * @param quality the graduated quality; {@link SyncQuality#NONE} iff unsynchronized
 * @param checkedAt wall-clock time when the check started
 * @param elapsed how long the check took
 */
public record CheckResult(
        Verdict verdict,
        Optional<SourceReport> selected,
        List<SourceReport> sources,
        VerdictReason reason,
        SyncQuality quality,
        Instant checkedAt,
        Duration elapsed) {

    /**
     * @throws IllegalArgumentException for an UNKNOWN verdict, or when {@code selected}, {@code reason} or
     *     {@code quality} do not match the verdict as described above
     */
    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(selected, "selected");
        sources = List.copyOf(sources);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(elapsed, "elapsed");
        if (verdict == Verdict.UNKNOWN) {
            throw new IllegalArgumentException("a completed check has a verdict");
        }
        if (verdict.isSynced() != selected.isPresent()) {
            throw new IllegalArgumentException("selected must be present exactly when the verdict is synced");
        }
        if (verdict.isSynced() != reason instanceof VerdictReason.Synced) {
            throw new IllegalArgumentException("the reason is Synced exactly when the verdict is synced: " + reason);
        }
        if (reason instanceof VerdictReason.ClockOff off && find(sources, off).isEmpty()) {
            throw new IllegalArgumentException("the source of " + off + " must be among the sources, with a sample");
        }
        if (verdict.isSynced() == (quality == SyncQuality.NONE)) {
            throw new IllegalArgumentException("quality must be NONE exactly when unsynchronized");
        }
    }

    /** The selected source's sample; present iff the verdict is synced. */
    public Optional<NtpSample> selectedSample() {
        return selected.flatMap(SourceReport::sample);
    }

    /**
     * The report of the source the verdict's reason names: the selected one when synced, the source that shows this
     * clock to be off for {@link VerdictReason.ClockOff}; empty for the other reasons.
     */
    public Optional<SourceReport> reasonSource() {
        if (selected.isPresent()) {
            return selected;
        }
        return reason instanceof VerdictReason.ClockOff off ? find(sources, off) : Optional.empty();
    }

    private static Optional<SourceReport> find(List<SourceReport> sources, VerdictReason.ClockOff off) {
        for (SourceReport r : sources) {
            if (r.server().equals(off.server()) && r.address().isPresent() && r.address().get().equals(off.address())
                    && r.sample().isPresent()) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The reports of the sources of one configured server (a pool name can have several), in check order. */
    public List<SourceReport> sourcesOf(NtpServer server) {
        return sources.stream().filter(r -> r.server().equals(server)).toList();
    }
}
