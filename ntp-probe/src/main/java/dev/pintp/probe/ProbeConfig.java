package dev.pintp.probe;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.NtpServer;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.Escapes;
import dev.pintp.sysconf.TimeSpans;
import dev.pintp.sysconf.TimesyncdConfig;
import dev.pintp.sysconf.TimesyncdNtp;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
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
     * used); otherwise from timesyncd's configuration under {@code --root} (default {@code /}) through
     * {@link TimesyncdNtp} (a list never assigned keeps the built-in default; an assigned one, even reset to nothing,
     * is exactly what it says). {@code RootDistanceMaxSec=} applies unless {@code --max-root-distance} is given.
     *
     * @throws UsageException for a bad value on the command line
     * @throws SystemDefaults.ConfigFailure for an unreadable or unusable timesyncd configuration
     */
    static NtpConfig build(ProbeArguments args, SystemDefaults defaults)
            throws UsageException, SystemDefaults.ConfigFailure {
        return build(args, defaults, new ArrayList<>());
    }

    /** As {@link #build(ProbeArguments, SystemDefaults)}, adding warnings for the user (an MD5 key) to {@code warnings}. */
    static NtpConfig build(ProbeArguments args, SystemDefaults defaults, List<String> warnings)
            throws UsageException, SystemDefaults.ConfigFailure {
        NtpConfig.Builder b = NtpConfig.custom();
        if (!args.hasServers()) {
            Path root = args.root().orElse(Path.of("/"));
            TimesyncdConfig timesyncd = defaults.read(root);
            try {
                TimesyncdNtp.apply(timesyncd, b); // the job reads timesyncd through the same mapping
            } catch (ConfigException e) {
                throw new SystemDefaults.ConfigFailure(e.getMessage(), e);
            }
        }
        NtpAuth auth = auth(args, warnings);
        try {
            if (args.hasServers()) {
                List<NtpServer> primaries = new ArrayList<>();
                for (String p : args.primaries()) {
                    primaries.add(NtpServer.parse(p, NtpServer.DEFAULT_PORT, NtpServer.Role.PRIMARY).withAuth(auth));
                }
                List<NtpServer> fallbacks = new ArrayList<>();
                for (String f : args.fallbacks()) {
                    fallbacks.add(NtpServer.parse(f, NtpServer.DEFAULT_PORT, NtpServer.Role.FALLBACK).withAuth(auth));
                }
                if (args.nts().isPresent()) {
                    primaries = withNts(primaries, args.nts().get());
                    fallbacks = withNts(fallbacks, args.nts().get());
                }
                b.primaries(primaries).fallbacks(fallbacks);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(readable(e.getMessage()));
        }
        if (args.samples().isPresent()) {
            int n = args.samples().getAsInt();
            option(ProbeCommand.SAMPLES, () -> b.primarySamples(n));
        }
        if (args.timeout().isPresent()) {
            // the check's deadline keeps its default ratio to the timeout: room for one retry of the primary
            Duration timeout = args.timeout().get();
            option(ProbeCommand.TIMEOUT, () -> b.timeout(timeout).checkDeadline(timeout.multipliedBy(2)));
        }
        if (args.maxRootDistance().isPresent()) {
            option(ProbeCommand.MAX_ROOT_DISTANCE, () -> b.maxRootDistance(args.maxRootDistance().get()));
        }
        if (args.maxOffset().isPresent()) {
            option(ProbeCommand.MAX_OFFSET, () -> b.maxOffset(args.maxOffset().get()));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(readable(e.getMessage()));
        }
    }

    /**
     * The authentication of {@code --keyfile}/{@code --key}, {@link NtpAuth#NONE} without them. The keyfile is read
     * with {@link NtpKeyFile#read}'s checks (private, not a link); no message contains a key.
     */
    private static NtpAuth auth(ProbeArguments args, List<String> warnings)
            throws UsageException, SystemDefaults.ConfigFailure {
        if (args.key().isEmpty() || args.keyfile().isEmpty()) {
            return NtpAuth.NONE;
        }
        NtpKeyFile file;
        try {
            file = NtpKeyFile.read(args.keyfile().get());
        } catch (IOException e) {
            throw new SystemDefaults.ConfigFailure(Escapes.escape("--keyfile: " + describe(e)), e);
        }
        NtpKey key;
        try {
            key = file.require(args.key().getAsLong());
        } catch (IllegalArgumentException e) {
            throw new SystemDefaults.ConfigFailure(Escapes.escape("--key: " + e.getMessage()), e);
        }
        if (key.type() == NtpKeyType.MD5) {
            if (!args.allowMd5()) {
                throw new UsageException("--key: " + key + " is MD5, which is weak (length extension);"
                        + " use an AES128 key, or add --allow-md5");
            }
            warnings.add("warning: " + key + " is MD5, which is weak (length extension); prefer AES128");
            return NtpAuth.symmetricKeyAllowingMd5(key);
        }
        return NtpAuth.symmetricKey(key);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file: " + e.getMessage();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * {@code servers} with NTS: NTS-KE with each server's host on the given port; with {@code --nts-cookies}, each
     * server's keys and cookies in {@code DIR/nts-HOST-PORT} ({@link NtpAuth.Nts#cookieFileName}).
     */
    static List<NtpServer> withNts(List<NtpServer> servers, ProbeArguments.NtsOptions o) {
        List<NtpServer> out = new ArrayList<>();
        for (NtpServer s : servers) {
            NtpAuth.Nts nts = NtpAuth.Nts.of(s.host()).withKePort(o.kePort());
            if (o.ca().isPresent()) {
                nts = nts.withTrustedCa(o.ca().get());
            }
            if (o.cookies().isPresent()) {
                nts = nts.withCookieFile(o.cookies().get().resolve(NtpAuth.Nts.cookieFileName(s.host(), s.port())));
            }
            out.add(s.withAuth(nts));
        }
        return out;
    }

    /** Applies one option's value; the library's refusal becomes a usage error that names the option. */
    private static void option(OptionSpec o, Runnable set) throws UsageException {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            // the library names its own field (maxOffset), the user typed the option
            String m = readable(e.getMessage());
            int space = m.indexOf(' ');
            throw new UsageException(o.longName() + (space > 0 ? m.substring(space) : ": " + m));
        }
    }

    /** {@code message} with ISO-8601 durations ({@code PT1H}, from {@link Duration#toString()}) in seconds. */
    static String readable(String message) {
        return TimeSpans.readable(message, d -> Seconds.exact(d) + " s");
    }
}
