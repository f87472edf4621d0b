package dev.pintp.ntp.internal;

import dev.pintp.ntp.BackoffState;
import dev.pintp.ntp.KissCode;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.CheckDecision;
import dev.pintp.ntp.Ticker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The mutable side of {@link BackoffState} for public servers: Kiss-o'-Death RATE backoff, DENY/RSTR denial, and a
 * resilience4j circuit breaker per address. Thread-safe (all methods synchronized; calls are a few per check).
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
    private final Ticker ticker;
    /** Built on the first failure: most checks never need a breaker, and its config spins a dozen classes. */
    private CircuitBreakerConfig breakerConfig;
    private final Map<String, BackoffState.Entry> entries = new HashMap<>();
    private final Map<String, CircuitBreaker> breakers = new HashMap<>();

    /** A book starting from {@code initial}, with {@code clock} for every instant and the system ticker. */
    public BackoffBook(BackoffState initial, Clock clock) {
        this(initial, clock, Ticker.system());
    }

    /**
     * A book starting from {@code initial}, with {@code clock} for the instants it records and {@code ticker} for
     * the circuit breakers' own time.
     */
    public BackoffBook(BackoffState initial, Clock clock, Ticker ticker) {
        this.clock = clock;
        this.ticker = ticker;
        for (BackoffState.Entry e : initial.entries().values()) {
            entries.put(e.address(), e);
            if (e.failures() > 0) {
                CircuitBreaker cb = breaker(e.address());
                // Replay up to one short of opening: an open period in the file is honoured through openUntil.
                for (int i = 0; i < Math.min(e.failures(), FAILURES_TO_OPEN - 1); i++) {
                    cb.onError(0, TimeUnit.NANOSECONDS, new Failure());
                }
            }
        }
    }

    /**
     * Why an address is not queried now.
     *
     * @param reason DENIED or BACKED_OFF
     * @param detail for a user, for example {@code KoD RATE: backed off until 2026-11-25T06:15:00Z}
     */
    public record Skip(CheckDecision reason, String detail) {
    }

    /** Why {@code address} must not be queried now: DENIED, BACKED_OFF, or empty when it may be queried. */
    public Optional<CheckDecision> skipReason(InetSocketAddress address) {
        Optional<Skip> skip = skip(address);
        return skip.isPresent() ? Optional.of(skip.get().reason()) : Optional.empty();
    }

    /**
     * Why {@code address} must not be queried now, or empty when it may be. An empty answer may have taken the one
     * probe a half-open circuit breaker lets through: record the query's result, or {@link #release} it.
     */
    public synchronized Optional<Skip> skip(InetSocketAddress address) {
        Instant now = clock.instant();
        String key = BackoffState.key(address);
        BackoffState.Entry e = entries.get(key);
        if (e != null && e.isDenied(now)) {
            return Optional.of(new Skip(CheckDecision.DENIED, "KoD DENY/RSTR: not queried until "
                    + e.deniedUntil().get()));
        }
        if (e != null && e.isRateLimited(now)) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, "KoD RATE (" + e.rateKisses()
                    + " in a row): backed off until " + e.rateLimitedUntil().get()));
        }
        if (e != null && e.isBackedOff(now)) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, e.failures() + " failed queries in a row: backed"
                    + " off until " + e.openUntil().get()));
        }
        CircuitBreaker cb = breakers.get(key);
        if (cb != null && cb.getState() == CircuitBreaker.State.OPEN) {
            cb.transitionToHalfOpenState(); // openUntil has passed: time for the one probe
        }
        if (cb != null && !cb.tryAcquirePermission()) {
            return Optional.of(new Skip(CheckDecision.BACKED_OFF, "circuit breaker " + cb.getState()
                    + " after failed queries"));
        }
        return Optional.empty();
    }

    /** Records what a query to {@code address} gave. */
    public synchronized void record(InetSocketAddress address, QueryResult result, long elapsedNanos) {
        Instant now = clock.instant();
        String key = BackoffState.key(address);
        BackoffState.Entry e = entries.getOrDefault(key, BackoffState.Entry.clear(key));
        Optional<KissCode> kiss = result.kissCode();
        Outcome outcome = result.outcome();
        if (outcome == Outcome.TIMEOUT || outcome == Outcome.UNREACHABLE) {
            CircuitBreaker cb = breaker(key);
            boolean wasOpen = cb.getState() == CircuitBreaker.State.OPEN;
            cb.onError(elapsedNanos, TimeUnit.NANOSECONDS, new Failure());
            Optional<Instant> openUntil = e.openUntil();
            if (!wasOpen && cb.getState() == CircuitBreaker.State.OPEN) {
                openUntil = Optional.of(now.plus(OPEN_DURATION));
            }
            e = new BackoffState.Entry(key, e.rateLimitedUntil(), e.rateKisses(), e.deniedUntil(), e.failures() + 1,
                    openUntil);
        } else {
            // Any answer, even a refusal, shows the server is alive.
            CircuitBreaker cb = breakers.remove(key);
            if (cb != null) {
                cb.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
            }
            if (kiss.isPresent() && kiss.get().isRate()) {
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
        }
        if (e.isActive(now)) {
            entries.put(key, e);
        } else {
            entries.remove(key);
        }
    }

    /**
     * Gives back the permission that {@link #skipReason(InetSocketAddress)} took for a query that was then not sent
     * (the check's deadline had passed): a half-open circuit breaker lets only one probe through and would otherwise
     * keep the address skipped until this checker is discarded.
     */
    public synchronized void release(InetSocketAddress address) {
        CircuitBreaker cb = breakers.get(BackoffState.key(address));
        if (cb != null) {
            cb.releasePermission();
        }
    }

    /** What the book holds now, without entries that no longer matter. */
    public synchronized BackoffState snapshot() {
        Instant now = clock.instant();
        for (Iterator<BackoffState.Entry> i = entries.values().iterator(); i.hasNext(); ) {
            if (!i.next().isActive(now)) {
                i.remove();
            }
        }
        breakers.keySet().retainAll(entries.keySet());
        return BackoffState.of(entries.values());
    }

    /** A clock that reads {@code ticker}: it only moves forward, whatever is done to the wall clock. */
    private static Clock elapsed(Ticker ticker) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.EPOCH.plusNanos(ticker.read());
            }
        };
    }

    private CircuitBreaker breaker(String key) {
        CircuitBreaker cb = breakers.get(key);
        if (cb == null) {
            if (breakerConfig == null) {
                // The breakers count failures and let one probe through when half open. How long one stays open is
                // the entry's openUntil (wall clock, persisted, bounded by BackoffState), after which skip() moves it
                // to half open; its own clock is elapsed time, so that a wall clock set back cannot keep it open for
                // years.
                breakerConfig = CircuitBreakerConfig.custom()
                        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                        .slidingWindowSize(FAILURES_TO_OPEN)
                        .minimumNumberOfCalls(FAILURES_TO_OPEN)
                        .failureRateThreshold(100)
                        .permittedNumberOfCallsInHalfOpenState(1)
                        .waitDurationInOpenState(OPEN_DURATION)
                        .clock(elapsed(ticker))
                        .build();
            }
            cb = CircuitBreaker.of("ntp-" + key, breakerConfig);
            breakers.put(key, cb);
        }
        return cb;
    }

    /** The error a failed query is recorded with; carries no stack trace. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure() {
            super("no reply", null, false, false);
        }
    }
}
