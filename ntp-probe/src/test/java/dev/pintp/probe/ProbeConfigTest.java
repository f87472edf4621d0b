package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.TimesyncdConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the command line and timesyncd's settings become a configuration. Nothing here touches the network. */
class ProbeConfigTest {
    private final List<Path> roots = new ArrayList<>();
    @TempDir
    Path dir;

    /** timesyncd's configuration as a file under a temporary root with the given [Time] lines. */
    private SystemDefaults settings(String... timeLines) throws IOException {
        Path f = dir.resolve("etc/systemd/timesyncd.conf");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "[Time]\n" + String.join("\n", timeLines) + "\n");
        return root -> {
            roots.add(root);
            try {
                return TimesyncdConfig.load(dir);
            } catch (ConfigException | IOException e) {
                throw new SystemDefaults.ConfigFailure(e.getMessage(), e);
            }
        };
    }

    private static NtpConfig build(SystemDefaults d, String... args) throws Exception {
        return ProbeConfig.build(ProbeArguments.parse(args), d);
    }

    private static List<String> hosts(List<NtpServer> servers) {
        return servers.stream().map(NtpServer::toString).toList();
    }

    @Test
    void withNothingConfiguredTheBuiltInDefaultsApply() throws Exception {
        NtpConfig c = build(settings());
        assertEquals(List.of("192.168.4.2:123"), hosts(c.primaries()));
        assertEquals(List.of("0.debian.pool.ntp.org:123", "1.debian.pool.ntp.org:123", "2.debian.pool.ntp.org:123"),
                hosts(c.fallbacks()));
        assertEquals(Duration.ofSeconds(5), c.maxRootDistance());
        assertEquals(Duration.ofSeconds(1), c.timeout());
        assertEquals(List.of(Path.of("/")), roots, "the real system's configuration by default");
    }

    @Test
    void timesyncdListsReplaceEachDefaultList() throws Exception {
        NtpConfig c = build(settings("NTP=pi-ntp pi-ntp 10.0.0.1", "RootDistanceMaxSec=2"), "--root", "/srv/image");
        assertEquals(List.of("pi-ntp:123", "10.0.0.1:123"), hosts(c.primaries()));
        assertEquals(3, c.fallbacks().size(), "FallbackNTP= not set: the built-in pool");
        assertEquals(Duration.ofSeconds(2), c.maxRootDistance());
        assertEquals(List.of(Path.of("/srv/image")), roots);
    }

    @Test
    void anEmptyFallbackNtpMeansNoFallbackAndPrimariesAreNotRepeatedAsFallbacks() throws Exception {
        assertEquals(List.of(), build(settings("NTP=pi-ntp", "FallbackNTP=")).fallbacks());
        NtpConfig c = build(settings("NTP=pi-ntp", "FallbackNTP=pi-ntp pool.test"));
        assertEquals(List.of("pool.test:123"), hosts(c.fallbacks()));
    }

    @Test
    void serversOnTheCommandLineAreTheOnlyOnesAndTimesyncdIsNotRead() throws Exception {
        NtpConfig c = build(settings("NTP=pi-ntp", "FallbackNTP=pool.test", "RootDistanceMaxSec=1"),
                "--fallback", "[::1]:1123");
        assertEquals(List.of(), c.primaries());
        assertEquals(List.of("[::1]:1123"), hosts(c.fallbacks()));
        assertEquals(Duration.ofSeconds(5), c.maxRootDistance());
        assertEquals(List.of(), roots);
    }

    @Test
    void optionsReachTheConfiguration() throws Exception {
        NtpConfig c = build(settings(), "h", "--samples", "7",
                "--timeout", "2.5s", "--max-root-distance", "1min", "--max-offset", "20ms");
        assertEquals(7, c.primarySamples());
        assertEquals(1, c.fallbackSamples());
        assertEquals(Duration.ofMillis(2500), c.timeout());
        assertEquals(Duration.ofSeconds(5), c.checkDeadline(), "twice the timeout");
        assertEquals(Duration.ofMinutes(1), c.maxRootDistance());
        assertEquals(Duration.ofMillis(20), c.maxOffset());
    }

    @Test
    void anUnusableTimesyncdValueIsAConfigFailureAtItsFileLineAndKey() throws Exception {
        SystemDefaults.ConfigFailure e = assertThrows(SystemDefaults.ConfigFailure.class,
                () -> build(settings("NTP=pi-ntp:99999")));
        assertTrue(e.getMessage().startsWith(dir.resolve("etc/systemd/timesyncd.conf") + ":2: NTP: "), e.getMessage());
    }

    @Test
    void anEmptyNtpMeansNoPrimaryNotTheBuiltInOne() throws Exception {
        // the job's steering drop-in writes exactly this; the probe must then check the fallbacks only
        NtpConfig c = build(settings("NTP=127.0.0.1:1123", "NTP=", "FallbackNTP=127.0.0.1:2123"));
        assertEquals(List.of(), c.primaries());
        assertEquals(List.of("127.0.0.1:2123"), hosts(c.fallbacks()));
    }

    @Test
    void aResetFallbackListWithNoNtpKeepsTheBuiltInPrimary() throws Exception {
        // documented: a list not set falls back to the built-in default; one set to nothing is empty
        NtpConfig c = build(settings("FallbackNTP=127.0.0.1:2123", "FallbackNTP="));
        assertEquals(List.of("192.168.4.2:123"), hosts(c.primaries()));
        assertEquals(List.of(), c.fallbacks());
    }

    @Test
    void timesyncdsOwnRootDistanceInMinutesIsAccepted() throws Exception {
        assertEquals(NtpConfig.MAX_ROOT_DISTANCE, build(settings("NTP=127.0.0.1", "RootDistanceMaxSec=5min"))
                .maxRootDistance());
        assertEquals(Duration.ofMillis(1500), build(settings("NTP=127.0.0.1", "RootDistanceMaxSec=1s 500ms"),
                "--timeout", "1s").maxRootDistance());
    }

    @Test
    void ntsAppliesToEveryServerOnTheCommandLineWithItsOptions() throws Exception {
        NtpConfig c = build(settings(), "--nts", "--nts-ca", "/etc/pintp/ca.crt", "--nts-port", "4461",
                "--nts-cookies", "/var/lib/pintp", "pizero.lan", "--fallback", "[::1]:1123");
        dev.pintp.ntp.NtpAuth.Nts p = (dev.pintp.ntp.NtpAuth.Nts) c.primaries().get(0).auth();
        assertEquals("pizero.lan", p.keHost());
        assertEquals(4461, p.kePort());
        assertEquals(Path.of("/etc/pintp/ca.crt"), p.trustedCa().orElseThrow());
        assertEquals(Path.of("/var/lib/pintp/nts-pizero.lan-123"), p.cookieFile().orElseThrow());
        dev.pintp.ntp.NtpAuth.Nts f = (dev.pintp.ntp.NtpAuth.Nts) c.fallbacks().get(0).auth();
        assertEquals("::1", f.keHost());
        assertEquals(Path.of("/var/lib/pintp/nts-__1-1123"), f.cookieFile().orElseThrow());
        NtpConfig plain = build(settings(), "pizero.lan");
        assertEquals(dev.pintp.ntp.NtpAuth.NONE, plain.primaries().get(0).auth());
        dev.pintp.ntp.NtpAuth.Nts d = (dev.pintp.ntp.NtpAuth.Nts) build(settings(), "--nts", "pizero.lan")
                .primaries().get(0).auth();
        assertEquals(4460, d.kePort());
        assertTrue(d.trustedCa().isEmpty() && d.cookieFile().isEmpty(), "system trust store, cookies in memory");
    }

    @Test
    void ntsOptionsNeedNtsAndNtsNeedsServers() {
        assertEquals("--nts-ca needs --nts", assertThrows(UsageException.class,
                () -> build(settings(), "--nts-ca", "ca.crt", "pizero.lan")).getMessage());
        assertEquals("--nts-cookies needs --nts", assertThrows(UsageException.class,
                () -> build(settings(), "--nts-cookies", "/tmp", "pizero.lan")).getMessage());
        assertEquals("--nts needs the servers on the command line", assertThrows(UsageException.class,
                () -> build(settings(), "--nts")).getMessage());
        assertTrue(assertThrows(UsageException.class, () -> build(settings(), "--nts", "--key", "1", "--keyfile",
                "/etc/chrony/chrony.keys", "pi")).getMessage().startsWith("--nts and --key cannot be combined"));
        assertTrue(assertThrows(UsageException.class, () -> build(settings(), "--nts", "--nts-port", "0", "pi"))
                .getMessage().startsWith("--nts-port must be a whole number 1 to 65535"));
    }
}
