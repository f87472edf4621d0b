package dev.pintp.probe;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Turns the command line, and timesyncd's configuration when no server is given, into an {@link NtpConfig}. */
final class ProbeConfig {
    private ProbeConfig() {
    }

    /**
     * The configuration for {@code args}. Servers come from the command line if any is given (then only those are
     * used); otherwise from {@code NTP=}/{@code FallbackNTP=} under {@code --root} (default {@code /}), each list
     * falling back to {@link NtpConfig}'s defaults when not set ({@code FallbackNTP=} set to nothing means no
     * fallback). {@code RootDistanceMaxSec=} applies unless
     * {@code --max-root-distance} is given.
     *
     * @throws UsageException for a bad value on the command line
     * @throws SystemDefaults.ConfigFailure for an unreadable or unusable timesyncd configuration
     */
    static NtpConfig build(ProbeArguments args, SystemDefaults defaults)
            throws UsageException, SystemDefaults.ConfigFailure {
        NtpConfig.Builder b = NtpConfig.custom();
        if (!args.hasServers()) {
            Path root = args.root().orElse(Path.of("/"));
            SystemDefaults.Settings s = defaults.read(root);
            try {
                List<NtpServer> primaries = servers(s.ntp(), NtpServer.Role.PRIMARY, List.of());
                if (!primaries.isEmpty()) {
                    b.primaries(primaries);
                }
                List<NtpServer> fallbacks = servers(s.fallbackNtp(), NtpServer.Role.FALLBACK, primaries);
                if (s.fallbackNtpSet() || !s.fallbackNtp().isEmpty()) {
                    b.fallbacks(fallbacks);
                }
                if (s.rootDistanceMax().isPresent() && args.maxRootDistance().isEmpty()) {
                    b.maxRootDistance(s.rootDistanceMax().get());
                }
                b.build();
            } catch (IllegalArgumentException e) {
                throw new SystemDefaults.ConfigFailure("timesyncd configuration under " + root + ": "
                        + e.getMessage(), e);
            }
        }
        try {
            if (args.hasServers()) {
                List<NtpServer> primaries = new ArrayList<>();
                for (String p : args.primaries()) {
                    primaries.add(NtpServer.parse(p, NtpServer.DEFAULT_PORT, NtpServer.Role.PRIMARY));
                }
                List<NtpServer> fallbacks = new ArrayList<>();
                for (String f : args.fallbacks()) {
                    fallbacks.add(NtpServer.parse(f, NtpServer.DEFAULT_PORT, NtpServer.Role.FALLBACK));
                }
                b.primaries(primaries).fallbacks(fallbacks);
            }
            if (args.samples().isPresent()) {
                b.primarySamples(args.samples().getAsInt());
            }
            if (args.timeout().isPresent()) {
                // the check's deadline keeps its default ratio to the timeout: room for one retry of the primary
                Duration timeout = args.timeout().get();
                b.timeout(timeout).checkDeadline(timeout.multipliedBy(2));
            }
            if (args.maxRootDistance().isPresent()) {
                b.maxRootDistance(args.maxRootDistance().get());
            }
            if (args.maxOffset().isPresent()) {
                b.maxOffset(args.maxOffset().get());
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Servers from a timesyncd list, without repeats and without those already in {@code exclude}. */
    private static List<NtpServer> servers(List<String> hosts, NtpServer.Role role, List<NtpServer> exclude) {
        List<NtpServer> out = new ArrayList<>();
        for (String h : hosts) {
            NtpServer s = NtpServer.parse(h, NtpServer.DEFAULT_PORT, role);
            boolean seen = false;
            for (NtpServer o : out) {
                seen |= o.equals(s);
            }
            for (NtpServer e : exclude) {
                seen |= e.host().equalsIgnoreCase(s.host()) && e.port() == s.port();
            }
            if (!seen) {
                out.add(s);
            }
        }
        return out;
    }
}
