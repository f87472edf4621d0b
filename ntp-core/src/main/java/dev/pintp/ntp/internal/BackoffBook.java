package dev.pintp.ntp.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.KissCode;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.CheckDecision;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The mutable side of {@link BackoffState} for public servers: Kiss-o'-Death RATE backoff, DENY/RSTR denial, and a
 * circuit breaker per address. {@link BackoffState} is the one record of all three (it is what the timer job
 * persists between runs); this book only applies the rules to it:
 * <ul>
 *   <li><b>closed</b>: fewer than {@link #FAILURES_TO_OPEN} consecutive failures (timeout, unreachable); queried;
 *   <li><b>open</b>: the failure that made them {@link #FAILURES_TO_OPEN} set {@code openUntil} to
 *       {@link #OPEN_DURATION} ahead; not queried until then (wall clock, bounded by {@link BackoffState}, so a wall
 *       clock set back cannot keep it open for longer than a day);
 *   <li><b>half open</b>: failed often enough, {@code openUntil} passed: one probe is let through at a time; a failed
 *       probe opens it again, any answer (even a refusal) closes it and forgets the failures.
 * </ul>
 * Thread-safe (all methods synchronized; calls are a few per check).
 */
public final class BackoffBook {
    /** Backoff after the first KoD RATE; doubles with each consecutive one. */
    public static final Duration RATE_BACKOFF = Duration.ofMinutes(15);
    /** Longest RATE backoff. */
    public static final Duration MAX_RATE_BACKOFF = Duration.ofDays(1);
    /**
     * How long a DENY or RSTR keeps an address unused. RFC 8633 says stop; pool addresses are reassigned, so a
     * denial is forgotten after a day rather than kept forever in a state file.
     */
    public static final Duration DENY_DURATION = Duration.ofDays(1);
    /** Consecutive failures (timeout, unreachable) that open an address's circuit breaker. */
    public static final int FAILURES_TO_OPEN = 3;
    /** How long an open circuit breaker skips its address before one probe is let through. */
    public static final Duration OPEN_DURATION = Duration.ofMinutes(15);

    private final Clock clock;
    private final Map<String, BackoffState.Entry> entries = new HashMap<>();
    /** Half-open addresses whose one probe is under way: its result is recorded, or it is released. */
    private final Set<String> probing = new HashSet<>();

    /** A book starting from {@code initial}, with {@code clock} for every instant. */
    public BackoffBook(BackoffState initial, Clock clock) {
        this.clock = clock;
        entries.putAll(initial.entries());
    }

    /**
     * Why an address is not queried now.
     *
     * @param reason DENIED or BACKED_OFF
     * @param detail for a user, for example {@code KoD RATE: backed off until 2026-11-25T06:15:00Z}
     */
    public record Skip(CheckDecision reason, String detail) {
    }

    /**
     * Why {@code address} must not be queried now, or empty when it may be. An empty answer for a half-open breaker
     * takes its one probe: record the query's result, or {@link #release} it.
     */
    public synchronized Optional<Skip> skip(InetSocketAddress address) {
        Instant now = clock.instant();
        String key = BackoffState.key(address);
        BackoffState.Entry e = entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        if (e.isDenied(now)) {
            return Optional.of(new Skip(CheckDecision.DENIED, "KoD DENY/RSTR: not queried until "
                    + e.deniedUntil().get()));
        }
        if (e.isRateLimited(now)) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, "KoD RATE (" + e.rateKisses()
                    + " in a row): backed off until " + e.rateLimitedUntil().get()));
        }
        if (e.isBackedOff(now)) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, e.failures() + " failed queries in a row: backed"
                    + " off until " + e.openUntil().get()));
        }
        if (e.failures() >= FAILURES_TO_OPEN && !probing.add(key)) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, "circuit breaker half open after " + e.failures()
                    + " failed queries: its one probe is under way"));
        }
        return Optional.empty();
    }

    /** Records what a query to {@code address} gave. */
    public synchronized void record(InetSocketAddress address, QueryResult result) {
        Instant now = clock.instant();
        String key = BackoffState.key(address);
        probing.remove(key);
        BackoffState.Entry e = entries.getOrDefault(key, BackoffState.Entry.clear(key));
        Optional<KissCode> kiss = result.kissCode();
        Outcome outcome = result.outcome();
        if (outcome == Outcome.TIMEOUT || outcome == Outcome.UNREACHABLE) {
            int failures = e.failures() + 1;
            Optional<Instant> openUntil = failures >= FAILURES_TO_OPEN ? Optional.of(now.plus(OPEN_DURATION))
                    : e.openUntil();
            e = new BackoffState.Entry(key, e.rateLimitedUntil(), e.rateKisses(), e.deniedUntil(), failures,
                    openUntil);
        } else if (kiss.isPresent() && kiss.get().isRate()) {
            // Any answer, even a refusal, shows the server is alive: the breaker closes.
            int kisses = e.rateKisses() + 1;
            Duration backoff = RATE_BACKOFF.multipliedBy(1L << Math.min(kisses - 1, 16));
            if (backoff.compareTo(MAX_RATE_BACKOFF) > 0) {
                backoff = MAX_RATE_BACKOFF;
            }
            e = new BackoffState.Entry(key, Optional.of(now.plus(backoff)), kisses, e.deniedUntil(), 0,
                    Optional.empty());
        } else if (kiss.isPresent() && kiss.get().isDenial()) {
            e = new BackoffState.Entry(key, e.rateLimitedUntil(), e.rateKisses(),
                    Optional.of(now.plus(DENY_DURATION)), 0, Optional.empty());
        } else {
            e = new BackoffState.Entry(key, Optional.empty(), 0, e.deniedUntil(), 0, Optional.empty());
        }
        if (e.isActive(now)) {
            entries.put(key, e);
        } else {
            entries.remove(key);
        }
    }

    /**
     * Gives back the probe that {@link #skip(InetSocketAddress)} let through for a query that was then not sent (the
     * check's deadline had passed): a half-open breaker lets only one probe through at a time and would otherwise
     * keep the address skipped until this checker is discarded.
     */
    public synchronized void release(InetSocketAddress address) {
        probing.remove(BackoffState.key(address));
    }

    /** What the book holds now, without entries that no longer matter. */
    public synchronized BackoffState snapshot() {
        Instant now = clock.instant();
        for (Iterator<BackoffState.Entry> i = entries.values().iterator(); i.hasNext(); ) {
            if (!i.next().isActive(now)) {
                i.remove();
            }
        }
        return BackoffState.of(entries.values());
    }
}
