package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the command line and timesyncd's settings become a configuration. Nothing here touches the network. */
class ProbeConfigTest {
    private final List<Path> roots = new ArrayList<>();

    private SystemDefaults settings(List<String> ntp, List<String> fallback, boolean fallbackSet,
            Optional<Duration> rootDistanceMax) {
        return root -> {
            roots.add(root);
            return new SystemDefaults.Settings(ntp, fallback, fallbackSet, rootDistanceMax);
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
        NtpConfig c = build(settings(List.of(), List.of(), false, Optional.empty()));
        assertEquals(List.of("192.168.4.2:123"), hosts(c.primaries()));
        assertEquals(List.of("0.debian.pool.ntp.org:123", "1.debian.pool.ntp.org:123", "2.debian.pool.ntp.org:123"),
                hosts(c.fallbacks()));
        assertEquals(Duration.ofSeconds(5), c.maxRootDistance());
        assertEquals(Duration.ofSeconds(1), c.timeout());
        assertEquals(List.of(Path.of("/")), roots, "the real system's configuration by default");
    }

    @Test
    void timesyncdListsReplaceEachDefaultList() throws Exception {
        NtpConfig c = build(settings(List.of("pi-ntp", "pi-ntp", "10.0.0.1"), List.of(), false,
                Optional.of(Duration.ofSeconds(2))), "--root", "/srv/image");
        assertEquals(List.of("pi-ntp:123", "10.0.0.1:123"), hosts(c.primaries()));
        assertEquals(3, c.fallbacks().size(), "FallbackNTP= not set: the built-in pool");
        assertEquals(Duration.ofSeconds(2), c.maxRootDistance());
        assertEquals(List.of(Path.of("/srv/image")), roots);
    }

    @Test
    void anEmptyFallbackNtpMeansNoFallbackAndPrimariesAreNotRepeatedAsFallbacks() throws Exception {
        assertEquals(List.of(), build(settings(List.of("pi-ntp"), List.of(), true, Optional.empty())).fallbacks());
        NtpConfig c = build(settings(List.of("pi-ntp"), List.of("pi-ntp", "pool.test"), true, Optional.empty()));
        assertEquals(List.of("pool.test:123"), hosts(c.fallbacks()));
    }

    @Test
    void serversOnTheCommandLineAreTheOnlyOnesAndTimesyncdIsNotRead() throws Exception {
        NtpConfig c = build(settings(List.of("pi-ntp"), List.of("pool.test"), true, Optional.of(Duration.ofSeconds(1))),
                "--fallback", "[::1]:1123");
        assertEquals(List.of(), c.primaries());
        assertEquals(List.of("[::1]:1123"), hosts(c.fallbacks()));
        assertEquals(Duration.ofSeconds(5), c.maxRootDistance());
        assertEquals(List.of(), roots);
    }

    @Test
    void optionsReachTheConfiguration() throws Exception {
        NtpConfig c = build(settings(List.of(), List.of(), false, Optional.empty()), "h", "--samples", "7",
                "--timeout", "2.5s", "--max-root-distance", "1min", "--max-offset", "20ms");
        assertEquals(7, c.primarySamples());
        assertEquals(1, c.fallbackSamples());
        assertEquals(Duration.ofMillis(2500), c.timeout());
        assertEquals(Duration.ofSeconds(5), c.checkDeadline(), "twice the timeout");
        assertEquals(Duration.ofMinutes(1), c.maxRootDistance());
        assertEquals(Duration.ofMillis(20), c.maxOffset());
    }

    @Test
    void anUnusableTimesyncdValueIsAConfigFailureNotAUsageError() {
        SystemDefaults.ConfigFailure e = assertThrows(SystemDefaults.ConfigFailure.class,
                () -> build(settings(List.of("pi-ntp:99999"), List.of(), false, Optional.empty())));
        assertTrue(e.getMessage().startsWith("timesyncd configuration under /: "), e.getMessage());
    }
}
