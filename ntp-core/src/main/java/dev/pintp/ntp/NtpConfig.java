package dev.pintp.ntp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable configuration of checks and of the monitor. Build with {@link #custom()}; {@link #ofDefaults()} gives
 * the Pi Zero at 192.168.4.2 as primary and the Debian pool as fallback. Every setter of the builder rejects a bad
 * value at once with an {@link IllegalArgumentException}; {@link Builder#build()} rejects bad combinations.
 */
public final class NtpConfig {
    /** The Pi Zero with the RTC on the main Pi's LAN. */
    public static final String DEFAULT_PRIMARY = "192.168.4.2";
    /** The Debian pool, as in systemd-timesyncd's Debian configuration. */
    public static final List<String> DEFAULT_FALLBACKS =
            List.of("0.debian.pool.ntp.org", "1.debian.pool.ntp.org", "2.debian.pool.ntp.org");

    /**
     * Most servers (primaries and fallbacks together) a configuration may list: each is resolved and queried in
     * every check, and a Raspberry Pi needs only a few. systemd-timesyncd itself has no limit.
     */
    public static final int MAX_SERVERS = 64;
    /** Largest {@link #maxRootDistance()}: a server that cannot vouch for its time within a minute is no reference. */
    public static final Duration MAX_ROOT_DISTANCE = Duration.ofSeconds(60);

    private final List<NtpServer> primaries;
    private final List<NtpServer> fallbacks;
    private final Duration timeout;
    private final Duration checkDeadline;
    private final int primarySamples;
    private final int fallbackSamples;
    private final Duration maxRootDistance;
    private final Duration maxOffset;
    private final Duration checkInterval;
    private final FlapDamping flapDamping;
    private final int maxAddressesPerName;
    private final Duration driftAlertOffset;
    private final double driftAlertPpm;

    private NtpConfig(Builder b) {
        this.primaries = List.copyOf(b.primaries);
        this.fallbacks = List.copyOf(b.fallbacks);
        this.timeout = b.timeout;
        this.checkDeadline = b.checkDeadline;
        this.primarySamples = b.primarySamples;
        this.fallbackSamples = b.fallbackSamples;
        this.maxRootDistance = b.maxRootDistance;
        this.maxOffset = b.maxOffset;
        this.checkInterval = b.checkInterval;
        this.flapDamping = b.flapDamping;
        this.maxAddressesPerName = b.maxAddressesPerName;
        this.driftAlertOffset = b.driftAlertOffset;
        this.driftAlertPpm = b.driftAlertPpm;
    }

    /** The defaults: see {@link Builder} for each value. */
    public static NtpConfig ofDefaults() {
        return custom().build();
    }

    /** A builder preset with the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder preset with this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.primaries = new ArrayList<>(primaries);
        b.fallbacks = new ArrayList<>(fallbacks);
        b.timeout = timeout;
        b.checkDeadline = checkDeadline;
        b.primarySamples = primarySamples;
        b.fallbackSamples = fallbackSamples;
        b.maxRootDistance = maxRootDistance;
        b.maxOffset = maxOffset;
        b.checkInterval = checkInterval;
        b.flapDamping = flapDamping;
        b.maxAddressesPerName = maxAddressesPerName;
        b.driftAlertOffset = driftAlertOffset;
        b.driftAlertPpm = driftAlertPpm;
        return b;
    }

    /** Primary (LAN) servers, in order of preference. */
    public List<NtpServer> primaries() {
        return primaries;
    }

    /** Fallback (pool) servers. */
    public List<NtpServer> fallbacks() {
        return fallbacks;
    }

    /**
     * How long a server gets to answer, default 1 s: ample for a LAN reply (about 1 ms) and a pool reply (tens of
     * ms). A fallback's one exchange waits this long; a primary's burst and its retry all fit in this time from its
     * first request (requests spaced timeout / (samples + 1) apart, an answer to an earlier one still counting while
     * a later one waits), so a dead primary costs one timeout. A check shortens it so that every query ends within
     * {@link #checkDeadline()}.
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Deadline of one whole check, default 2 s, at least {@link #timeout()}: name resolution and all queries run
     * concurrently under it, so however many servers are dead a check takes at most this long. 2 s leaves room for
     * a slow name lookup, a full-timeout pool exchange, and the primary's burst plus its quick retry.
     */
    public Duration checkDeadline() {
        return checkDeadline;
    }

    /** Exchanges per primary address per check (a short LAN burst), default 4. */
    public int primarySamples() {
        return primarySamples;
    }

    /** Exchanges per fallback address per check, default 1 (pool etiquette). */
    public int fallbackSamples() {
        return fallbackSamples;
    }

    /** Maximum root distance, default 5 s (systemd-timesyncd's RootDistanceMaxSec). */
    public Duration maxRootDistance() {
        return maxRootDistance;
    }

    /**
     * Largest absolute offset that still counts as accurate, default 128 ms: RFC 5905's step threshold (STEPT),
     * beyond which an NTP client stops slewing and steps the clock, i.e. the clock is no longer in normal
     * synchronized operation. See docs/monitor.md.
     */
    public Duration maxOffset() {
        return maxOffset;
    }

    /** Time between a monitor's checks, default 60 s. */
    public Duration checkInterval() {
        return checkInterval;
    }

    /**
     * How the stable state is damped against flapping ({@link SyncState}), default {@link FlapDamping#DEFAULTS}
     * (half-life 15 min, penalty 1000, suppress 2000, reuse 500, maximum suppression 1 h). Losing is never delayed.
     */
    public FlapDamping flapDamping() {
        return flapDamping;
    }

    /** How many addresses of one name are queried, default 4. */
    public int maxAddressesPerName() {
        return maxAddressesPerName;
    }

    /** A drift alert is raised when the primary's absolute offset exceeds this, default 500 ms. */
    public Duration driftAlertOffset() {
        return driftAlertOffset;
    }

    /** A drift alert is raised when the estimated frequency error exceeds this many ppm, default 100. */
    public double driftAlertPpm() {
        return driftAlertPpm;
    }

    @Override
    public String toString() {
        return "NtpConfig{primaries=" + primaries + ", fallbacks=" + fallbacks + ", timeout=" + timeout
                + ", checkDeadline=" + checkDeadline
                + ", primarySamples=" + primarySamples + ", fallbackSamples=" + fallbackSamples
                + ", maxRootDistance=" + maxRootDistance + ", maxOffset=" + maxOffset
                + ", checkInterval=" + checkInterval + ", flapDamping=" + flapDamping
                + ", maxAddressesPerName=" + maxAddressesPerName + ", driftAlertOffset=" + driftAlertOffset
                + ", driftAlertPpm=" + driftAlertPpm + "}";
    }

    /** Builder of {@link NtpConfig}. Not thread-safe. */
    public static final class Builder {
        private List<NtpServer> primaries =
                new ArrayList<>(List.of(new NtpServer(DEFAULT_PRIMARY, NtpServer.DEFAULT_PORT, NtpServer.Role.PRIMARY)));
        private List<NtpServer> fallbacks = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(1);
        private Duration checkDeadline = Duration.ofSeconds(2);
        private int primarySamples = 4;
        private int fallbackSamples = 1;
        private Duration maxRootDistance = Duration.ofSeconds(5);
        private Duration maxOffset = Duration.ofMillis(128);
        private Duration checkInterval = Duration.ofSeconds(60);
        private FlapDamping flapDamping = FlapDamping.DEFAULTS;
        private int maxAddressesPerName = 4;
        private Duration driftAlertOffset = Duration.ofMillis(500);
        private double driftAlertPpm = 100;

        private Builder() {
            for (String host : DEFAULT_FALLBACKS) {
                fallbacks.add(new NtpServer(host, NtpServer.DEFAULT_PORT, NtpServer.Role.FALLBACK));
            }
        }

        /** Replaces the primaries; each must have role PRIMARY. An empty list is allowed if fallbacks remain. */
        public Builder primaries(List<NtpServer> servers) {
            this.primaries = checkServers(servers, NtpServer.Role.PRIMARY);
            return this;
        }

        /** Replaces the fallbacks; each must have role FALLBACK. May be empty. */
        public Builder fallbacks(List<NtpServer> servers) {
            this.fallbacks = checkServers(servers, NtpServer.Role.FALLBACK);
            return this;
        }

        /** Replaces the primaries with {@code host[:port]} texts, port 123 by default. */
        public Builder primaryHosts(String... hosts) {
            return primaries(parseAll(hosts, NtpServer.Role.PRIMARY));
        }

        /** Replaces the fallbacks with {@code host[:port]} texts, port 123 by default. */
        public Builder fallbackHosts(String... hosts) {
            return fallbacks(parseAll(hosts, NtpServer.Role.FALLBACK));
        }

        /** How long a server gets to answer ({@link NtpConfig#timeout()}): positive, at most 60 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = checkDuration("timeout", timeout, Duration.ofSeconds(60));
            return this;
        }

        /** Deadline of a whole check: positive, at most 5 minutes, and (checked by build) not below the timeout. */
        public Builder checkDeadline(Duration deadline) {
            this.checkDeadline = checkDuration("checkDeadline", deadline, Duration.ofMinutes(5));
            return this;
        }

        /** Exchanges per primary address: 1 to 16. */
        public Builder primarySamples(int samples) {
            this.primarySamples = checkRange("primarySamples", samples, 1, 16);
            return this;
        }

        /** Exchanges per fallback address: 1 to 16. */
        public Builder fallbackSamples(int samples) {
            this.fallbackSamples = checkRange("fallbackSamples", samples, 1, 16);
            return this;
        }

        /** Maximum root distance: positive, at most 60 s. */
        public Builder maxRootDistance(Duration distance) {
            this.maxRootDistance = checkDuration("maxRootDistance", distance, MAX_ROOT_DISTANCE);
            return this;
        }

        /** Maximum absolute offset for "accurate": positive, at most 1 hour. */
        public Builder maxOffset(Duration offset) {
            this.maxOffset = checkDuration("maxOffset", offset, Duration.ofHours(1));
            return this;
        }

        /** Time between a monitor's checks: 1 s to 1 day. */
        public Builder checkInterval(Duration interval) {
            checkDuration("checkInterval", interval, Duration.ofDays(1));
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("checkInterval must be at least 1 s, was " + interval);
            }
            this.checkInterval = interval;
            return this;
        }

        /** The flap damping of the stable state; its own constructor checks its values. */
        public Builder flapDamping(FlapDamping damping) {
            this.flapDamping = Objects.requireNonNull(damping, "flapDamping");
            return this;
        }

        /** Addresses queried per name: 1 to 16. */
        public Builder maxAddressesPerName(int max) {
            this.maxAddressesPerName = checkRange("maxAddressesPerName", max, 1, 16);
            return this;
        }

        /** Offset that raises a drift alert: positive, at most 1 day. */
        public Builder driftAlertOffset(Duration offset) {
            this.driftAlertOffset = checkDuration("driftAlertOffset", offset, Duration.ofDays(1));
            return this;
        }

        /** Frequency error in ppm that raises a drift alert: above 0, at most 100000. */
        public Builder driftAlertPpm(double ppm) {
            if (!(ppm > 0 && ppm <= 100_000)) {
                throw new IllegalArgumentException("driftAlertPpm must be above 0 and at most 100000, was " + ppm);
            }
            this.driftAlertPpm = ppm;
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException when there is no server at all, more than {@link #MAX_SERVERS}, a server is both primary and fallback, or
         *     the check deadline is shorter than the timeout
         */
        public NtpConfig build() {
            if (checkDeadline.compareTo(timeout) < 0) {
                throw new IllegalArgumentException(
                        "checkDeadline " + checkDeadline + " is shorter than timeout " + timeout);
            }
            if (primaries.isEmpty() && fallbacks.isEmpty()) {
                throw new IllegalArgumentException("at least one primary or fallback server is required");
            }
            if (primaries.size() + fallbacks.size() > MAX_SERVERS) {
                throw new IllegalArgumentException("at most " + MAX_SERVERS + " servers (primaries and fallbacks"
                        + " together) are allowed, " + (primaries.size() + fallbacks.size()) + " are configured");
            }
            for (NtpServer p : primaries) {
                for (NtpServer f : fallbacks) {
                    if (p.host().equalsIgnoreCase(f.host()) && p.port() == f.port()) {
                        throw new IllegalArgumentException(p + " is both a primary and a fallback server");
                    }
                }
            }
            return new NtpConfig(this);
        }

        private static List<NtpServer> parseAll(String[] hosts, NtpServer.Role role) {
            Objects.requireNonNull(hosts, "hosts");
            List<NtpServer> out = new ArrayList<>();
            for (String h : hosts) {
                out.add(NtpServer.parse(Objects.requireNonNull(h, "host"), NtpServer.DEFAULT_PORT, role));
            }
            return out;
        }

        private static List<NtpServer> checkServers(List<NtpServer> servers, NtpServer.Role role) {
            Objects.requireNonNull(servers, "servers");
            List<NtpServer> out = new ArrayList<>();
            for (NtpServer s : servers) {
                Objects.requireNonNull(s, "server");
                if (s.role() != role) {
                    throw new IllegalArgumentException(s + " has role " + s.role() + ", expected " + role);
                }
                for (NtpServer o : out) {
                    if (o.host().equals(s.host()) && o.port() == s.port()) {
                        throw new IllegalArgumentException(s + " is listed twice");
                    }
                }
                if (out.size() == MAX_SERVERS) {
                    throw new IllegalArgumentException("at most " + MAX_SERVERS + " servers are allowed, "
                            + servers.size() + " are listed");
                }
                out.add(s);
            }
            return out;
        }

        private static Duration checkDuration(String name, Duration d, Duration max) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be positive and at most " + max + ", was " + d);
            }
            return d;
        }

        private static int checkRange(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", was " + v);
            }
            return v;
        }
    }
}
