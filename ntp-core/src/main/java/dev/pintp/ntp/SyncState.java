package dev.pintp.ntp;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Hysteresis over checks, as a small immutable value: the stable verdict, server and quality that the controller acts
 * on, and the candidate that is trying to replace them. A job that runs as a new process every minute keeps it in a
 * file ({@link #encode()}, {@link #decode(String)}); {@link NtpMonitor} keeps it in memory.
 *
 * <p>The rule ({@link #next(CheckResult, Instant, NtpConfig)}): a check whose observation equals the stable one
 * resets the candidate; so does a fallback observation of the stable quality under a stable fallback (which pool host
 * answered is no change: the stable server stays the first one verified). A check that differs from the stable
 * observation in the same direction as the previous one (both worse, or both better or sideways) extends the streak,
 * except that a better verdict after a sideways candidate (same verdict, other server or level) starts a new streak; the candidate is then whichever of the two is
 * closer to the stable observation, so a level that oscillates between two values below (or above) the stable one settles on
 * the nearer value and never flips back and forth. The stable observation changes when the streak reaches
 * {@link NtpConfig#checksToLose()} (worse) or {@link NtpConfig#checksToGain()} (better or another server) and at
 * least {@link NtpConfig#minDwell()} has passed since the last change (or the last change lies in the future: the
 * wall clock was set back since, and the dwell time is not applied). "Worse" orders first by verdict
 * (UNSYNCHRONIZED &lt; FALLBACK_SYNCED &lt; PRIMARY_SYNCED), then by quality level.
 *
 * @param stable what the controller acts on; {@link #initial()} is unsynchronized
 * @param since when {@code stable} last changed; empty before the first change, when no dwell time applies
 * @param candidate the observation trying to replace {@code stable}; present iff {@code streak > 0}
 * @param streak consecutive checks that differed from {@code stable} in the candidate's direction
 * @param changed true when the {@link #next(CheckResult, Instant, NtpConfig)} call that produced this state changed
 *     {@code stable}; not encoded (a decoded state says false)
 */
public record SyncState(Observation stable, Optional<Instant> since, Optional<Observation> candidate, int streak,
        boolean changed) {
    private static final String HEADER = "pintp-sync 1";
    private static final List<Verdict> KNOWN_VERDICTS =
            List.of(Verdict.PRIMARY_SYNCED, Verdict.FALLBACK_SYNCED, Verdict.UNSYNCHRONIZED);

    /** @throws IllegalArgumentException when the candidate is not present exactly when {@code streak > 0} */
    public SyncState {
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(candidate, "candidate");
        if (streak < 0 || candidate.isPresent() != (streak > 0)) {
            throw new IllegalArgumentException("candidate must be present exactly when streak > 0, streak " + streak);
        }
    }

    /**
     * The part of a check that the controller acts on.
     *
     * @param verdict never {@link Verdict#UNKNOWN}
     * @param server the configured host of the selected source ({@link NtpServer#host()}); present iff synced
     * @param quality {@link SyncQuality#NONE} iff unsynchronized
     */
    public record Observation(Verdict verdict, Optional<String> server, SyncQuality quality) {
        /** Not synchronized, no server, quality NONE. */
        public static final Observation UNSYNCHRONIZED =
                new Observation(Verdict.UNSYNCHRONIZED, Optional.empty(), SyncQuality.NONE);

        /** @throws IllegalArgumentException for UNKNOWN, or a server or quality that does not match the verdict */
        public Observation {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(quality, "quality");
            if (verdict == Verdict.UNKNOWN) {
                throw new IllegalArgumentException("an observation has a verdict");
            }
            if (verdict.isSynced() != server.isPresent() || verdict.isSynced() == (quality == SyncQuality.NONE)) {
                throw new IllegalArgumentException("server and quality must be set exactly when synced: " + verdict
                        + " " + server + " " + quality);
            }
            if (server.isPresent() && (server.get().isBlank() || server.get().chars().anyMatch(c -> c <= ' '))) {
                throw new IllegalArgumentException("server must have no white space, was '" + server.get() + "'");
            }
        }

        /** The observation of {@code result}: its verdict, the host of its selected server, its quality. */
        public static Observation of(CheckResult result) {
            return new Observation(result.verdict(), result.selected().map(s -> s.server().host()),
                    result.quality());
        }

        private int rank() {
            return verdictRank(verdict) * 4 + quality.level();
        }
    }

    private static int verdictRank(Verdict verdict) {
        return switch (verdict) {
            case PRIMARY_SYNCED -> 2;
            case FALLBACK_SYNCED -> 1;
            default -> 0;
        };
    }

    /** Two fallback observations of the same quality: which pool host answered is no change worth acting on. */
    private static boolean bothOnTheFallback(Observation a, Observation b) {
        return a.verdict() == Verdict.FALLBACK_SYNCED && b.verdict() == Verdict.FALLBACK_SYNCED
                && a.quality() == b.quality();
    }

    /** The state of a process that has seen no check: unsynchronized, no candidate, no dwell time pending. */
    public static SyncState initial() {
        return new SyncState(Observation.UNSYNCHRONIZED, Optional.empty(), Optional.empty(), 0, false);
    }

    /** The stable verdict. */
    public Verdict verdict() {
        return stable.verdict();
    }

    /** The stable server's configured host, present iff the stable verdict is synced. */
    public Optional<String> server() {
        return stable.server();
    }

    /** The stable quality. */
    public SyncQuality quality() {
        return stable.quality();
    }

    /** The state after one more check; see the class description for the rule. Pure; thread-safe. */
    public SyncState next(CheckResult result, Instant now, NtpConfig config) {
        return next(Observation.of(Objects.requireNonNull(result, "result")), now, config);
    }

    /** The state after one more check that observed {@code observed} at {@code now}. Pure; thread-safe. */
    public SyncState next(Observation observed, Instant now, NtpConfig config) {
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(config, "config");
        if (observed.equals(stable) || bothOnTheFallback(observed, stable)) {
            return new SyncState(stable, since, Optional.empty(), 0, false);
        }
        int direction = Integer.signum(observed.rank() - stable.rank());
        boolean worse = direction < 0;
        Observation next = observed;
        int count = 1;
        // A better verdict after a merely sideways candidate (same verdict as the stable one: another server or
        // level) starts a streak of its own; otherwise the sideways candidate would be promoted by the checks of a
        // recovering primary, which would then have to wait for a streak anew.
        boolean betterVerdict = !worse && candidate.isPresent()
                && candidate.get().verdict() == stable.verdict()
                && verdictRank(observed.verdict()) > verdictRank(candidate.get().verdict());
        if (candidate.isPresent() && !betterVerdict
                && (Integer.signum(candidate.get().rank() - stable.rank()) < 0) == worse) {
            count = streak + 1;
            int distanceOld = Math.abs(candidate.get().rank() - stable.rank());
            int distanceNew = Math.abs(observed.rank() - stable.rank());
            if (distanceOld < distanceNew) {
                next = candidate.get();
            }
        }
        int needed = worse ? config.checksToLose() : config.checksToGain();
        // A last change stamped after now was stamped by a clock that has since been set back (the very clock this
        // library distrusts): the dwell time cannot be measured against it, so it does not hold the change back.
        boolean dwelt = since.isEmpty() || since.get().isAfter(now)
                || !Duration.between(since.get(), now).minus(config.minDwell()).isNegative();
        if (count >= needed && dwelt) {
            return new SyncState(next, Optional.of(now), Optional.empty(), 0, true);
        }
        return new SyncState(stable, since, Optional.of(next), count, false);
    }

    /** True when {@code other} has the same stable observation (what the controller acts on). */
    public boolean sameStable(SyncState other) {
        return stable.equals(other.stable);
    }

    /**
     * The state as a few {@code key=value} lines after a header line; {@code -} stands for an absent value.
     * {@link #changed()} is not written.
     */
    public String encode() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        sb.append("verdict=").append(stable.verdict()).append('\n');
        sb.append("server=").append(stable.server().orElse("-")).append('\n');
        sb.append("quality=").append(stable.quality()).append('\n');
        sb.append("since=").append(since.map(Instant::toString).orElse("-")).append('\n');
        sb.append("candidate.verdict=").append(candidate.map(c -> c.verdict().name()).orElse("-")).append('\n');
        sb.append("candidate.server=").append(candidate.flatMap(Observation::server).orElse("-")).append('\n');
        sb.append("candidate.quality=").append(candidate.map(c -> c.quality().name()).orElse("-")).append('\n');
        sb.append("streak=").append(streak).append('\n');
        return sb.toString();
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @throws IllegalArgumentException when {@code text} is not such a state
     */
    public static SyncState decode(String text) {
        Objects.requireNonNull(text, "text");
        String[] lines = text.strip().split("\\R");
        if (!lines[0].strip().equals(HEADER)) {
            throw new IllegalArgumentException("not a sync state: first line must be '" + HEADER + "'");
        }
        Map<String, String> kv = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || kv.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("bad sync state line " + (i + 1) + ": '" + line + "'");
            }
        }
        try {
            Observation stable = observation(kv, "");
            Optional<Instant> since = optional(kv, "since").map(Instant::parse);
            Optional<Observation> candidate = Optional.empty();
            if ("-".equals(kv.get("candidate.verdict"))) {
                for (String k : new String[] {"candidate.verdict", "candidate.server", "candidate.quality"}) {
                    if (!"-".equals(require(kv, k))) {
                        throw new IllegalArgumentException(k + " must be - when there is no candidate");
                    }
                }
            } else {
                candidate = Optional.of(observation(kv, "candidate."));
            }
            String streak = require(kv, "streak");
            if (!streak.matches("\\d{1,9}")) {
                throw new IllegalArgumentException("bad streak '" + streak + "'");
            }
            if (!kv.isEmpty()) {
                throw new IllegalArgumentException("unknown keys " + kv.keySet());
            }
            return new SyncState(stable, since, candidate, Integer.parseInt(streak), false);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad sync state: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad sync state: " + e.getMessage(), e);
        }
    }

    private static Observation observation(Map<String, String> kv, String prefix) {
        Verdict verdict = constant(Verdict.class, prefix + "verdict", require(kv, prefix + "verdict"));
        if (verdict == Verdict.UNKNOWN) {
            throw new IllegalArgumentException(prefix + "verdict: 'UNKNOWN' is not one of " + KNOWN_VERDICTS);
        }
        Optional<String> server = optional(kv, prefix + "server");
        SyncQuality quality = constant(SyncQuality.class, prefix + "quality", require(kv, prefix + "quality"));
        return new Observation(verdict, server, quality);
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String key, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(text)) {
                return e;
            }
        }
        Object allowed = type == Verdict.class ? KNOWN_VERDICTS : List.of(type.getEnumConstants());
        throw new IllegalArgumentException(key + ": '" + text + "' is not one of " + allowed);
    }

    private static String require(Map<String, String> kv, String key) {
        String v = kv.remove(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }

    private static Optional<String> optional(Map<String, String> kv, String key) {
        String v = require(kv, key);
        return v.equals("-") ? Optional.empty() : Optional.of(v);
    }
}
