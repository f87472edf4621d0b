package dev.pintp.ntp;

import dev.pintp.ntp.internal.StateText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a checker remembers about public servers between checks, as a small immutable value that a process running
 * once a minute can write to a file ({@link #encode()}) and read back ({@link #decode(String)}): Kiss-o'-Death RATE
 * backoff, DENY/RSTR denial and circuit-breaker failures, per server address.
 *
 * <p>Primaries are never backed off: they are probed every check so their recovery is seen within one interval.
 * Set it on {@link NtpChecker.Builder#backoffState(BackoffState)}; read it after a check from
 * {@link NtpChecker#backoffState()}. The rules that fill it are in {@code docs/monitor.md}. No backoff lasts more
 * than a day, so an end further ahead than that (written while the wall clock was ahead) counts as passed.
 */
public final class BackoffState {
    private static final String KIND = "backoff";
    private static final int VERSION = 1;
    private static final String LABEL = "backoff state";
    /** The header of the format before {@link StateText}, read so that an upgrade keeps the state. */
    private static final String HEADER_BEFORE = "pintp-backoff 1";
    /** The longest backoff there is (KoD RATE at its cap, DENY/RSTR); see {@code BackoffBook}. */
    private static final Duration LONGEST = Duration.ofDays(1);
    private static final BackoffState EMPTY = new BackoffState(Map.of());

    private final Map<String, Entry> entries;

    private BackoffState(Map<String, Entry> entries) {
        this.entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    /**
     * What is known about one server address.
     *
     * @param address the key, {@link #key(InetSocketAddress)} of the address: {@code 192.0.2.1:123} or
     *     {@code [2001:db8::1]:123}
     * @param rateLimitedUntil after a KoD RATE, the address is not queried before this instant
     * @param rateKisses consecutive KoD RATE replies; each doubles the backoff, 0 or more
     * @param deniedUntil after a KoD DENY or RSTR, the address is not queried before this instant
     * @param failures consecutive failed queries (timeout, unreachable), 0 or more
     * @param openUntil the circuit breaker for the address is open (not queried) until this instant
     */
    public record Entry(String address, Optional<Instant> rateLimitedUntil, int rateKisses,
            Optional<Instant> deniedUntil, int failures, Optional<Instant> openUntil) {
        /** @throws IllegalArgumentException for an empty address, one with white space, or a negative count */
        public Entry {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(rateLimitedUntil, "rateLimitedUntil");
            Objects.requireNonNull(deniedUntil, "deniedUntil");
            Objects.requireNonNull(openUntil, "openUntil");
            if (address.isEmpty() || hasSpaceOrControl(address)) {
                throw new IllegalArgumentException("address must be non-empty without spaces, was '" + address + "'");
            }
            if (rateKisses < 0 || failures < 0) {
                throw new IllegalArgumentException("counts must not be negative");
            }
        }

        private static boolean hasSpaceOrControl(String address) {
            for (int i = 0; i < address.length(); i++) {
                if (address.charAt(i) <= ' ') {
                    return true;
                }
            }
            return false;
        }

        /** A fresh entry for {@code address} with nothing recorded. */
        public static Entry clear(String address) {
            return new Entry(address, Optional.empty(), 0, Optional.empty(), 0, Optional.empty());
        }

        /** True when something in this entry still matters at {@code now}: a backoff or a failure count. */
        public boolean isActive(Instant now) {
            return after(rateLimitedUntil, now) || after(deniedUntil, now) || after(openUntil, now)
                    || failures > 0 || rateKisses > 0;
        }

        /** True when the address is denied at {@code now} (KoD DENY or RSTR). */
        public boolean isDenied(Instant now) {
            return after(deniedUntil, now);
        }

        /** True when the address is backed off at {@code now} for a KoD RATE. */
        public boolean isRateLimited(Instant now) {
            return after(rateLimitedUntil, now);
        }

        /** True when the address is backed off at {@code now} (KoD RATE or an open circuit breaker). */
        public boolean isBackedOff(Instant now) {
            return after(rateLimitedUntil, now) || after(openUntil, now);
        }

        /**
         * True when {@code until} is still ahead of {@code now}, but by no more than {@link #LONGEST}: an end further
         * away was written by a wall clock that has since been set back, and is not honoured.
         */
        private static boolean after(Optional<Instant> until, Instant now) {
            return until.isPresent() && until.get().isAfter(now) && !until.get().isAfter(now.plus(LONGEST));
        }
    }

    /** No server backed off, denied or failing. */
    public static BackoffState empty() {
        return EMPTY;
    }

    /** A state holding {@code entries}; a later entry for the same address replaces an earlier one. */
    public static BackoffState of(Collection<Entry> entries) {
        Map<String, Entry> map = new TreeMap<>();
        for (Entry e : entries) {
            map.put(Objects.requireNonNull(e, "entry").address(), e);
        }
        return map.isEmpty() ? EMPTY : new BackoffState(map);
    }

    /** The key of an address: {@code ip:port}, an IPv6 address in brackets; the host name is not part of it. */
    public static String key(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        String ip = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    /** Every entry by {@link #key(InetSocketAddress)}, sorted; unmodifiable. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The entry for {@code address}, if any. */
    public Optional<Entry> entry(InetSocketAddress address) {
        return Optional.ofNullable(entries.get(key(address)));
    }

    /** True when nothing is recorded. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** This state without the entries that no longer matter at {@code now} (see {@link Entry#isActive(Instant)}). */
    public BackoffState pruned(Instant now) {
        Map<String, Entry> map = new TreeMap<>(entries);
        map.values().removeIf(e -> !e.isActive(now));
        return map.size() == entries.size() ? this : of(map.values());
    }

    /**
     * The state in the {@link StateText} format, kind {@code backoff}: one list entry per address,
     * {@code address <address> rate=<instant|-> kisses=<n> deny=<instant|-> failures=<n> open=<instant|->}.
     */
    public String encode() {
        StateText.Writer w = new StateText.Writer(KIND, VERSION);
        for (Entry e : entries.values()) {
            w.add("address", e.address()
                    + " rate=" + instant(e.rateLimitedUntil())
                    + " kisses=" + e.rateKisses()
                    + " deny=" + instant(e.deniedUntil())
                    + " failures=" + e.failures()
                    + " open=" + instant(e.openUntil()));
        }
        return w.toString();
    }

    /**
     * Reads what {@link #encode()} wrote, and the format before {@link StateText} ({@code pintp-backoff 1}, then one
     * {@code <address> rate=...} line per address; blank lines and surrounding white space ignored), so that an
     * upgrade keeps the state.
     *
     * @throws StateText.Corrupt (an {@link IllegalArgumentException}) when {@code text} is not such a state, naming
     *     the line
     */
    public static BackoffState decode(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, Entry> map = new TreeMap<>();
        if (StateText.isVersioned(text)) {
            StateText t = StateText.parse(text, KIND, VERSION, LABEL);
            for (StateText.Line l : t.list("address")) {
                put(map, l.value().split(" ", -1), l.number());
            }
            t.requireAllRead();
            return of(map.values());
        }
        String[] lines = StateText.legacyLines(text);
        if (!lines[0].strip().equals(HEADER_BEFORE)) {
            throw new StateText.Corrupt(LABEL, 1, "first line must be '" + StateText.header(KIND, VERSION).strip()
                    + "'", null);
        }
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (!line.isEmpty()) {
                put(map, line.split("\\s+"), i + 1);
            }
        }
        return of(map.values());
    }

    private static void put(Map<String, Entry> map, String[] f, int line) {
        try {
            if (f.length != 6) {
                throw new IllegalArgumentException("expected 6 fields, found " + f.length);
            }
            Entry e = new Entry(f[0], parseInstant(field(f[1], "rate")), parseCount(field(f[2], "kisses")),
                    parseInstant(field(f[3], "deny")), parseCount(field(f[4], "failures")),
                    parseInstant(field(f[5], "open")));
            if (map.put(e.address(), e) != null) {
                throw new IllegalArgumentException("address " + e.address() + " listed twice");
            }
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new StateText.Corrupt(LABEL, line, e.getMessage(), e);
        }
    }

    private static String field(String text, String key) {
        if (!text.startsWith(key + "=")) {
            throw new IllegalArgumentException("expected " + key + "=..., found '" + text + "'");
        }
        return text.substring(key.length() + 1);
    }

    private static Optional<Instant> parseInstant(String text) {
        return text.equals("-") ? Optional.empty() : Optional.of(Instant.parse(text));
    }

    private static int parseCount(String text) {
        if (!text.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("bad count '" + text + "'");
        }
        return Integer.parseInt(text);
    }

    private static String instant(Optional<Instant> i) {
        return i.map(Instant::toString).orElse("-");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackoffState other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "BackoffState" + entries.values();
    }
}
