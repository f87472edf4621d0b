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
 * @param sources every candidate source with its outcome and reason, primaries first, in configuration order
 * @param quality the graduated quality; {@link SyncQuality#NONE} iff unsynchronized
 * @param checkedAt wall-clock time when the check started
 * @param elapsed how long the check took
 */
public record CheckResult(
        Verdict verdict,
        Optional<SourceReport> selected,
        List<SourceReport> sources,
        SyncQuality quality,
        Instant checkedAt,
        Duration elapsed) {

    /**
     * @throws IllegalArgumentException for an UNKNOWN verdict, or when {@code selected} or {@code quality} do not
     *     match the verdict as described above
     */
    public CheckResult {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(selected, "selected");
        sources = List.copyOf(sources);
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(checkedAt, "checkedAt");
        Objects.requireNonNull(elapsed, "elapsed");
        if (verdict == Verdict.UNKNOWN) {
            throw new IllegalArgumentException("a completed check has a verdict");
        }
        if (verdict.isSynced() != selected.isPresent()) {
            throw new IllegalArgumentException("selected must be present exactly when the verdict is synced");
        }
        if (verdict.isSynced() == (quality == SyncQuality.NONE)) {
            throw new IllegalArgumentException("quality must be NONE exactly when unsynchronized");
        }
    }

    /** The selected source's sample; present iff the verdict is synced. */
    public Optional<NtpSample> selectedSample() {
        return selected.flatMap(SourceReport::sample);
    }

    /** The reports of the sources of one configured server (a pool name can have several), in check order. */
    public List<SourceReport> sourcesOf(NtpServer server) {
        return sources.stream().filter(r -> r.server().equals(server)).toList();
    }
}
