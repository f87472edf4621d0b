package dev.pintp.ntp;

import dev.pintp.ntp.internal.StateText;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The stable state the controller acts on, as a small immutable value: the stable verdict, server and quality, and the
 * flap-damping figure of merit behind it. A job that runs as a new process every minute keeps it in a file
 * ({@link #encode()}, {@link #decode(String)}); {@link NtpMonitor} keeps it in memory.
 *
 * <p>The rule ({@link #next(CheckResult, Instant, NtpConfig)}), with {@link FlapDamping} (RFC 2439) as the model:
 * <ul>
 *   <li><b>Losing is immediate.</b> A check whose observation is worse than the stable one (a lower verdict,
 *       UNSYNCHRONIZED &lt; FALLBACK_SYNCED &lt; PRIMARY_SYNCED, or the same verdict with a lower quality level)
 *       becomes the stable state on that very check.
 *   <li><b>Regaining is at the next good check</b>: an observation that is better (or another primary at the same
 *       level) becomes stable on the first check that sees it, if the selected source's burst is consistent
 *       ({@link QueryResult#samplesAgree()}) and regaining is not suppressed.
 *   <li><b>Flapping is damped.</b> Every change adds {@link FlapDamping#penalty()} to a figure of merit that halves
 *       every {@link FlapDamping#halfLife()}; a change that lifts it above {@link FlapDamping#suppress()} suppresses
 *       regaining until it has decayed below {@link FlapDamping#reuse()}. Losing is never suppressed.
 *   <li>An observation equal to the stable one is no change; nor is a fallback observation of the stable quality
 *       under a stable fallback (which pool host answered does not matter: the stable server stays the first one
 *       verified).
 * </ul>
 *
 * <p>The decay runs on the wall clock passed as {@code now}: the timer job is a new process every run, and wall time
 * is the one clock that is shared across processes and, for a state kept under /etc, across reboots. A clock set
 * forward decays the figure early (a suppression ends sooner; safety is unaffected, since damping only ever delays a
 * regain); a clock set back is no elapsed time (the figure is kept and decays from the new reading on); so a step
 * either way never holds a regain back for longer than {@link FlapDamping#maxSuppression()} of checks.
 *
 * @param stable what the controller acts on; {@link #initial()} is unsynchronized
 * @param since when {@code stable} last changed; empty before the first change
 * @param penalty the flap-damping figure of merit as of {@code penaltyAt} (it decays from there); not negative,
 *     finite
 * @param penaltyAt the time {@code penalty} refers to: the last change, or the reading of a clock that was found set
 *     back; empty iff {@code penalty} is zero
 * @param suppressed true while regaining is suppressed (from a change that lifted the figure above the suppress
 *     threshold until a check finds it decayed below the reuse threshold)
 * @param changed true when the {@link #next(CheckResult, Instant, NtpConfig)} call that produced this state changed
 *     {@code stable}; not encoded (a decoded state says false)
 */
public record SyncState(Observation stable, Optional<Instant> since, double penalty, Optional<Instant> penaltyAt,
        boolean suppressed, boolean changed) {
    private static final String KIND = "sync";
    private static final int VERSION = 1;
    private static final String LABEL = "sync state";
    /** The headers of the formats before {@link StateText}, read so that an upgrade keeps the state. */
    private static final String HEADER_V2 = "pintp-sync 2";
    private static final String HEADER_V1 = "pintp-sync 1";
    private static final List<Verdict> KNOWN_VERDICTS =
            List.of(Verdict.PRIMARY_SYNCED, Verdict.FALLBACK_SYNCED, Verdict.UNSYNCHRONIZED);

    /** @throws IllegalArgumentException for a negative or non-finite penalty, or a penalty time iff not zero */
    public SyncState {
        Objects.requireNonNull(stable, "stable");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(penaltyAt, "penaltyAt");
        if (!(penalty >= 0) || Double.isInfinite(penalty)) {
            throw new IllegalArgumentException("penalty must be finite and not negative, was " + penalty);
        }
        if (penaltyAt.isPresent() != (penalty > 0)) {
            throw new IllegalArgumentException("penaltyAt must be present exactly when penalty > 0, penalty " + penalty);
        }
        if (suppressed && penalty == 0) {
            throw new IllegalArgumentException("a suppressed state has a penalty");
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

    /** The state of a process that has seen no check: unsynchronized, no penalty. */
    public static SyncState initial() {
        return new SyncState(Observation.UNSYNCHRONIZED, Optional.empty(), 0, Optional.empty(), false, false);
    }

    /** A state that has been {@code stable} since {@code since}, with no penalty: for tests and migrations. */
    public static SyncState stableSince(Observation stable, Instant since) {
        return new SyncState(stable, Optional.of(since), 0, Optional.empty(), false, false);
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

    /**
     * The state after one more check; see the class description for the rule. The burst counts as consistent when
     * the selected source's samples agree ({@link QueryResult#samplesAgree()}). Pure; thread-safe.
     */
    public SyncState next(CheckResult result, Instant now, NtpConfig config) {
        Objects.requireNonNull(result, "result");
        boolean consistent = result.selected().flatMap(SourceReport::query).map(QueryResult::samplesAgree)
                .orElse(true);
        return next(Observation.of(result), consistent, now, config);
    }

    /** The state after a check that observed {@code observed} with a consistent burst. Pure; thread-safe. */
    public SyncState next(Observation observed, Instant now, NtpConfig config) {
        return next(observed, true, now, config);
    }

    /**
     * The state after a check that could not be made (an exception, the check deadline passed): a loss like an
     * unsynchronized check, immediate.
     */
    public SyncState failed(Instant now, NtpConfig config) {
        return next(Observation.UNSYNCHRONIZED, true, now, config);
    }

    /**
     * The state after a check that observed {@code observed} at {@code now}; {@code consistent} says whether the
     * selected source's burst agreed with itself (an inconsistent burst never regains). Pure; thread-safe.
     */
    public SyncState next(Observation observed, boolean consistent, Instant now, NtpConfig config) {
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(config, "config");
        FlapDamping damping = config.flapDamping();
        // A penalty stamped after now was stamped by a clock that has since been set back: no time has elapsed.
        boolean setBack = penaltyAt.isPresent() && penaltyAt.get().isAfter(now);
        Duration elapsed = penaltyAt.isEmpty() || setBack ? Duration.ZERO : Duration.between(penaltyAt.get(), now);
        double figure = damping.decay(penalty, elapsed);
        if (figure < damping.reuse() * 1e-3) {
            figure = 0; // negligible: forgotten, so that the state stops changing
        }
        boolean stillSuppressed = suppressed && figure > damping.reuse();
        boolean worse = observed.rank() < stable.rank();
        if (observed.equals(stable) || bothOnTheFallback(observed, stable)
                || !worse && (stillSuppressed || !consistent)) {
            return unchanged(figure, setBack, now, stillSuppressed);
        }
        double raised = Math.min(damping.ceiling(), figure + damping.penalty());
        return new SyncState(observed, Optional.of(now), raised, Optional.of(now),
                stillSuppressed || raised > damping.suppress(), true);
    }

    /**
     * The state after a check that changed nothing. The stored figure and its time stay as they are (the decay is
     * computed from them whenever needed), so that a steady system does not rewrite its state file every run; they
     * change only when the figure became negligible, when a suppression ended, or when the clock was set back (then
     * the figure is re-anchored at the new reading).
     */
    private SyncState unchanged(double figure, boolean setBack, Instant now, boolean stillSuppressed) {
        if (figure == 0) {
            return new SyncState(stable, since, 0, Optional.empty(), false, false);
        }
        if (setBack) {
            return new SyncState(stable, since, figure, Optional.of(now), stillSuppressed, false);
        }
        return new SyncState(stable, since, penalty, penaltyAt, stillSuppressed, false);
    }

    /**
     * When a regain could happen again: empty when regaining is not suppressed, else the time at which the figure of
     * merit will have decayed below the reuse threshold (a check at or after it may regain).
     */
    public Optional<Instant> suppressedUntil(NtpConfig config) {
        if (!suppressed || penaltyAt.isEmpty()) {
            return Optional.empty();
        }
        FlapDamping damping = config.flapDamping();
        return Optional.of(penaltyAt.get().plus(damping.timeToDecay(penalty, damping.reuse())));
    }

    /** True when {@code other} has the same stable observation (what the controller acts on). */
    public boolean sameStable(SyncState other) {
        return stable.equals(other.stable);
    }

    /**
     * The state in the {@link StateText} format, kind {@code sync}: {@code verdict}, {@code server}, {@code quality},
     * {@code since}, {@code penalty}, {@code penalty.at} and {@code suppressed}, each once as {@code key=value};
     * {@code -} stands for an absent value. {@link #changed()} is not written.
     */
    public String encode() {
        return new StateText.Writer(KIND, VERSION)
                .put("verdict", stable.verdict())
                .put("server", stable.server().orElse("-"))
                .put("quality", stable.quality())
                .put("since", since.map(Instant::toString).orElse("-"))
                .put("penalty", Double.toString(penalty))
                .put("penalty.at", penaltyAt.map(Instant::toString).orElse("-"))
                .put("suppressed", suppressed)
                .toString();
    }

    /**
     * Reads what {@link #encode()} wrote, and the formats before {@link StateText}: {@code pintp-sync 2} (the same
     * keys) and {@code pintp-sync 1} (the hysteresis of streaks and dwell time before flap damping), which is read as
     * its stable observation and change time with no penalty: its candidate and streak have no meaning under the new
     * rule.
     *
     * @throws StateText.Corrupt (an {@link IllegalArgumentException}) when {@code text} is not such a state, naming
     *     the line where it can
     */
    public static SyncState decode(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, String> kv = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        boolean v1 = false;
        if (StateText.isVersioned(text)) {
            StateText t = StateText.parse(text, KIND, VERSION, LABEL);
            for (StateText.Line l : t.lines()) {
                if (l.listEntry() || kv.put(l.key(), l.value()) != null) {
                    throw t.corrupt(l, l.listEntry() ? "not 'key=value'" : l.key() + " given twice");
                }
                lineOf.put(l.key(), l.number());
            }
        } else {
            String[] lines = StateText.legacyLines(text);
            String header = lines[0].strip();
            if (!header.equals(HEADER_V2) && !header.equals(HEADER_V1)) {
                throw new StateText.Corrupt(LABEL, 1, "first line must be '" + StateText.header(KIND, VERSION).strip()
                        + "'", null);
            }
            v1 = header.equals(HEADER_V1);
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty()) {
                    continue;
                }
                int eq = line.indexOf('=');
                if (eq <= 0 || kv.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                    throw new StateText.Corrupt(LABEL, i + 1, "not 'key=value' or a key given twice: '" + line + "'",
                            null);
                }
                lineOf.put(line.substring(0, eq), i + 1);
            }
        }
        Fields f = new Fields(kv, lineOf);
        Observation stable = f.observation("");
        Optional<Instant> since = f.optional("since", Instant::parse);
        double penalty = 0;
        Optional<Instant> penaltyAt = Optional.empty();
        boolean suppressed = false;
        if (v1) {
            if (!"-".equals(kv.get("candidate.verdict"))) {
                f.observation("candidate."); // checked, then dropped
            }
            for (String k : new String[] {"candidate.verdict", "candidate.server", "candidate.quality"}) {
                kv.remove(k);
            }
            f.get("streak", s -> {
                if (!s.matches("\\d{1,9}")) {
                    throw new IllegalArgumentException("bad streak");
                }
                return s;
            });
        } else {
            penalty = f.get("penalty", p -> {
                if (!p.matches("\\d{1,12}(\\.\\d{1,20})?(E-?\\d{1,3})?")) {
                    throw new IllegalArgumentException("bad penalty '" + p + "'");
                }
                return Double.parseDouble(p);
            });
            penaltyAt = f.optional("penalty.at", Instant::parse);
            suppressed = f.get("suppressed", sup -> {
                if (!sup.equals("true") && !sup.equals("false")) {
                    throw new IllegalArgumentException("suppressed must be true or false, was '" + sup + "'");
                }
                return sup.equals("true");
            });
        }
        if (!kv.isEmpty()) {
            String first = kv.keySet().iterator().next();
            throw new StateText.Corrupt(LABEL, lineOf.get(first), "unknown keys " + kv.keySet(), null);
        }
        try {
            return new SyncState(stable, since, penalty, penaltyAt, suppressed, false);
        } catch (IllegalArgumentException e) {
            throw new StateText.Corrupt(LABEL, 0, e.getMessage(), e);
        }
    }

    /** The keys of a state being read, each removed as it is read; errors name the key's line. */
    private record Fields(Map<String, String> kv, Map<String, Integer> lineOf) {
        <T> T get(String key, Function<String, T> parse) {
            String v = kv.remove(key);
            if (v == null) {
                throw new StateText.Corrupt(LABEL, 0, "missing " + key, null);
            }
            try {
                return parse.apply(v);
            } catch (DateTimeParseException e) {
                throw new StateText.Corrupt(LABEL, lineOf.get(key), key + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new StateText.Corrupt(LABEL, lineOf.get(key), e.getMessage(), e);
            }
        }

        <T> Optional<T> optional(String key, Function<String, T> parse) {
            return get(key, v -> v.equals("-") ? Optional.empty() : Optional.of(parse.apply(v)));
        }

        Observation observation(String prefix) {
            Verdict verdict = get(prefix + "verdict", v -> constant(Verdict.class, prefix + "verdict", v));
            if (verdict == Verdict.UNKNOWN) {
                throw new StateText.Corrupt(LABEL, lineOf.get(prefix + "verdict"), prefix
                        + "verdict: 'UNKNOWN' is not one of " + KNOWN_VERDICTS, null);
            }
            int serverLine = lineOf.getOrDefault(prefix + "server", 0);
            Optional<String> server = optional(prefix + "server", s -> s);
            SyncQuality quality = get(prefix + "quality", q -> constant(SyncQuality.class, prefix + "quality", q));
            try {
                return new Observation(verdict, server, quality);
            } catch (IllegalArgumentException e) {
                throw new StateText.Corrupt(LABEL, serverLine, e.getMessage(), e);
            }
        }
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
}
