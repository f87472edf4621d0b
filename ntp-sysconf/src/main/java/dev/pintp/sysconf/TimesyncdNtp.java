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
 * assigned keeps {@link NtpConfig}'s built-in default ({@link NtpConfig#DEFAULT_PRIMARY}; the Debian pool,
 * {@link NtpConfig#DEFAULT_FALLBACKS}, standing in for timesyncd's compiled-in fallbacks); a list that was assigned is
 * exactly what it says, and a reset one ({@code NTP=}, as the job's steering drop-in writes; {@code FallbackNTP=},
 * no fallback) is empty. Both lists empty is an error.
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
        Servers s = servers(c, new WordList(), new WordList());
        b.primaries(s.primaries()).fallbacks(s.fallbacks());
        maxRootDistance(c).ifPresent(b::maxRootDistance);
        return b;
    }

    /**
     * The servers a configuration names.
     *
     * @param primaries the primaries, in order; possibly empty
     * @param fallbacks the fallbacks, in order, none of them also a primary; possibly empty, but not both
     */
    public record Servers(List<NtpServer> primaries, List<NtpServer> fallbacks) {
        /** @throws NullPointerException for a null argument */
        public Servers {
            primaries = List.copyOf(primaries);
            fallbacks = List.copyOf(fallbacks);
        }
    }

    /**
     * The servers of {@code c}, as described above, under lists of the caller's own (the job's {@code Primary=} and
     * {@code Fallback=}): an own list that was assigned replaces timesyncd's, one never assigned leaves timesyncd's in
     * place. timesyncd's {@code FallbackNTP=} drops a server that is also a primary, as timesyncd does; an own
     * fallback list that repeats a primary is an error (the file says two things of one server).
     *
     * @throws ConfigException for a bad server, too many servers, no server left at all, or an own fallback that is
     *     also a primary, at the assignment at fault
     */
    public static Servers servers(TimesyncdConfig c, WordList ownPrimaries, WordList ownFallbacks)
            throws ConfigException {
        WordList primaryList = ownPrimaries.assigned() ? ownPrimaries : c.ntpList();
        WordList fallbackList = ownFallbacks.assigned() ? ownFallbacks : c.fallbackNtpList();
        List<NtpServer> primaries = primaryList.assigned()
                ? servers(primaryList, NtpServer.Role.PRIMARY, List.of()) : NtpConfig.ofDefaults().primaries();
        List<NtpServer> fallbacks = !fallbackList.assigned() ? NtpConfig.ofDefaults().fallbacks()
                : servers(fallbackList, NtpServer.Role.FALLBACK, ownFallbacks.assigned() ? List.of() : primaries);
        Optional<Origin> primariesAt = primaryList.lastAssignment();
        Optional<Origin> fallbacksAt = fallbackList.lastAssignment();
        if (primaries.isEmpty() && fallbacks.isEmpty()) {
            // both lists were assigned: the built-in ones are not empty
            String p = primariesAt.get().key();
            String f = fallbacksAt.get().key();
            throw primariesAt.get().error("no server left: " + p + "= and " + f + "= are both empty (" + f + "= at "
                    + fallbacksAt.get() + ")");
        }
        if (primaries.size() + fallbacks.size() > NtpConfig.MAX_SERVERS) {
            // only an assigned list can be long: the built-in ones are short
            throw fallbacksAt.or(() -> primariesAt).get().error(tooMany(primaries.size() + fallbacks.size()));
        }
        for (NtpServer p : primaries) {
            for (NtpServer f : fallbacks) {
                if (p.host().equalsIgnoreCase(f.host()) && p.port() == f.port()) {
                    throw fallbacksAt.get().error(f + " is also a primary server" + primariesAt.map(o -> " (at " + o
                            + ")").orElse(""));
                }
            }
        }
        return new Servers(primaries, fallbacks);
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
     * The servers of one list, each parsed as {@link NtpServer#parse} parses it, repeats (same host, ignoring case,
     * and port) and servers in {@code exclude} left out, at most {@link NtpConfig#MAX_SERVERS}; errors at the word
     * that is not a server, or at the first word over the limit.
     */
    private static List<NtpServer> servers(WordList list, NtpServer.Role role, List<NtpServer> exclude)
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

    private static String tooMany(int count) {
        return "too many servers: at most " + NtpConfig.MAX_SERVERS + " (primaries and fallbacks together) are"
                + " allowed, each is queried in every check; " + count + " are listed";
    }

    private static List<NtpServer> concat(List<NtpServer> a, List<NtpServer> b) {
        List<NtpServer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
