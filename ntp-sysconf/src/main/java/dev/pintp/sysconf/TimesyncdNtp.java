package dev.pintp.sysconf;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one mapping from systemd-timesyncd's configuration to an {@link NtpConfig}, used by the probe and by the job:
 * <ul>
 * <li>{@code NTP=} servers are the primaries, {@code FallbackNTP=} servers the fallbacks. A list that was never
 * assigned keeps {@link NtpConfig}'s built-in default (primary 192.168.4.2; the Debian pool, standing in for
 * timesyncd's compiled-in fallbacks); a list that was assigned is exactly what it says, and a reset one
 * ({@code NTP=}, as the job's steering drop-in writes) is empty.
 * <li>A server in both lists is a primary only. Each server must be a host name or address ({@link NtpServer});
 * {@code host:port} and {@code [ipv6]:port} are accepted too (timesyncd itself always uses port 123).
 * <li>At most {@link NtpConfig#MAX_SERVERS} servers in all.
 * <li>{@code RootDistanceMaxSec=} is the root-distance limit; {@code 0} is refused (no server could pass), and a
 * value above {@link NtpConfig#MAX_ROOT_DISTANCE} or {@code infinity} means that maximum: a server whose root distance
 * is above a minute cannot vouch for its time to the 128 ms this project needs.
 * </ul>
 * Every error names the file, line and key where the value was assigned.
 */
public final class TimesyncdNtp {
    private TimesyncdNtp() {
    }

    /**
     * Sets {@code b}'s primaries, fallbacks and root-distance limit from {@code c}, as described above.
     *
     * @return {@code b}
     * @throws ConfigException for a bad server, too many servers, no server left at all, or a zero root distance
     */
    public static NtpConfig.Builder apply(TimesyncdConfig c, NtpConfig.Builder b) throws ConfigException {
        Optional<List<NtpServer>> primaries = primaries(c);
        List<NtpServer> effective = primaries.orElse(NtpConfig.ofDefaults().primaries());
        Optional<List<NtpServer>> fallbacks = fallbacks(c, effective);
        List<NtpServer> effectiveFallbacks = fallbacks.orElse(NtpConfig.ofDefaults().fallbacks());
        if (effective.isEmpty() && effectiveFallbacks.isEmpty()) {
            Origin at = c.ntpList().lastAssignment().orElseGet(() -> c.fallbackNtpList().lastAssignment().get());
            throw at.error("no server left: NTP= and FallbackNTP= are both empty"
                    + c.fallbackNtpList().lastAssignment().map(o -> " (FallbackNTP= at " + o + ")").orElse(""));
        }
        checkCount(c, effective.size() + effectiveFallbacks.size());
        primaries.ifPresent(b::primaries);
        fallbacks.ifPresent(b::fallbacks);
        maxRootDistance(c).ifPresent(b::maxRootDistance);
        return b;
    }

    /**
     * The primaries from {@code NTP=}; empty when {@code NTP=} was never assigned (then the built-in primary
     * applies), an empty list when it was reset.
     */
    public static Optional<List<NtpServer>> primaries(TimesyncdConfig c) throws ConfigException {
        if (!c.ntpSet()) {
            return Optional.empty();
        }
        return Optional.of(servers(c.ntpList(), NtpServer.Role.PRIMARY, List.of()));
    }

    /**
     * The fallbacks from {@code FallbackNTP=}, without any of {@code primaries}; empty when {@code FallbackNTP=} was
     * never assigned (then the built-in fallbacks apply).
     */
    public static Optional<List<NtpServer>> fallbacks(TimesyncdConfig c, List<NtpServer> primaries)
            throws ConfigException {
        if (!c.fallbackNtpSet()) {
            return Optional.empty();
        }
        return Optional.of(servers(c.fallbackNtpList(), NtpServer.Role.FALLBACK, primaries));
    }

    /** The root-distance limit from {@code RootDistanceMaxSec=}, as described above, when set. */
    public static Optional<Duration> maxRootDistance(TimesyncdConfig c) throws ConfigException {
        Optional<Duration> d = c.rootDistanceMax();
        if (d.isEmpty()) {
            return d;
        }
        if (d.get().isZero()) {
            throw c.rootDistanceMaxOrigin().get().error("must be above 0 (0 lets no server through)");
        }
        return Optional.of(d.get().compareTo(NtpConfig.MAX_ROOT_DISTANCE) > 0 ? NtpConfig.MAX_ROOT_DISTANCE : d.get());
    }

    /**
     * The servers of a list ({@code NTP=}, {@code FallbackNTP=}, or the job's own {@code Primary=} and
     * {@code Fallback=}), each parsed as {@link NtpServer#parse} parses it, repeats (same host, ignoring case, and
     * port) and servers in {@code exclude} left out, at most {@link NtpConfig#MAX_SERVERS}.
     *
     * @throws ConfigException at the word that is not a server, or at the first word over the limit
     */
    public static List<NtpServer> servers(WordList list, NtpServer.Role role, List<NtpServer> exclude)
            throws ConfigException {
        List<NtpServer> out = new ArrayList<>();
        for (WordList.Word w : list.words()) {
            List<NtpServer> one;
            try {
                one = NtpServer.parseAll(List.of(w.text()), NtpServer.DEFAULT_PORT, role, concat(exclude, out));
            } catch (IllegalArgumentException e) {
                throw w.origin().error(TimeSpans.readable(e.getMessage()));
            }
            out.addAll(one);
            if (out.size() > NtpConfig.MAX_SERVERS) {
                throw w.origin().error(tooMany(out.size()));
            }
        }
        return out;
    }

    /** The error for a configuration of {@code count} servers, over {@link NtpConfig#MAX_SERVERS}. */
    public static String tooMany(int count) {
        return "too many servers: at most " + NtpConfig.MAX_SERVERS + " (primaries and fallbacks together) are"
                + " allowed, each is queried in every check; " + count + " are listed";
    }

    private static void checkCount(TimesyncdConfig c, int total) throws ConfigException {
        if (total > NtpConfig.MAX_SERVERS) {
            // only a configured list can be long: the built-in ones are short
            Origin at = c.fallbackNtpList().lastAssignment().or(() -> c.ntpList().lastAssignment()).get();
            throw at.error(tooMany(total));
        }
    }

    private static List<NtpServer> concat(List<NtpServer> a, List<NtpServer> b) {
        List<NtpServer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
