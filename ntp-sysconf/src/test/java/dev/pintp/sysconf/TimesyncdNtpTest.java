package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one mapping from timesyncd's configuration to an NtpConfig (the probe's and the job's). No network. */
class TimesyncdNtpTest {
    @TempDir
    Path root;

    private Path write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private NtpConfig config() throws Exception {
        return TimesyncdNtp.apply(TimesyncdConfig.load(root), NtpConfig.custom()).build();
    }

    private ConfigException error() {
        return assertThrows(ConfigException.class, this::config);
    }

    private static List<String> hosts(List<NtpServer> servers) {
        return servers.stream().map(NtpServer::toString).toList();
    }

    @Test
    void nothingConfiguredMeansTheBuiltInServers() throws Exception {
        NtpConfig c = config();
        assertEquals(NtpConfig.ofDefaults().primaries(), c.primaries());
        assertEquals(NtpConfig.ofDefaults().fallbacks(), c.fallbacks());
    }

    @Test
    void anEmptyNtpIsNoPrimaryNotTheBuiltInOne() throws Exception {
        // what the job's own steering drop-in writes: timesyncd then uses only the fallbacks, and so does the probe
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=127.0.0.1:1123\n");
        write("run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf", "[Time]\nNTP=\nFallbackNTP=127.0.0.1:2123\n");
        NtpConfig c = config();
        assertEquals(List.of(), c.primaries());
        assertEquals(List.of("127.0.0.1:2123"), hosts(c.fallbacks()));
    }

    @Test
    void aListNotAssignedKeepsItsDefaultAndAServerInBothIsAPrimary() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nFallbackNTP=192.168.4.2 pool.example\n");
        NtpConfig c = config();
        assertEquals(List.of("192.168.4.2:123"), hosts(c.primaries()));
        assertEquals(List.of("pool.example:123"), hosts(c.fallbacks()));
    }

    @Test
    void bothListsEmptyIsAnErrorAtTheAssignment() throws Exception {
        Path f = write("etc/systemd/timesyncd.conf", "[Time]\nFallbackNTP=\nNTP=\n");
        ConfigException e = error();
        assertEquals(f, e.file());
        assertEquals(3, e.line());
        assertEquals("NTP", e.key());
        assertTrue(e.getMessage().contains("no server left"), e.getMessage());
    }

    @Test
    void serverNamesAreCheckedWhenReadWithFileLineAndKey() throws Exception {
        Path f = write("etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=ok.example\n\nFallbackNTP=a'b\n");
        ConfigException e = error();
        assertEquals(f, e.file());
        assertEquals(4, e.line());
        assertEquals("FallbackNTP", e.key());
        for (String bad : List.of("100%", "a/b", "\"x\"", "-", "a..b", "fe80::1%", "fe80::1%a/b", "1:2:3", ":::")) {
            write("etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=" + bad + "\n");
            assertEquals("NTP", assertThrows(ConfigException.class, this::config, bad).key(), bad);
        }
    }

    @Test
    void ipv6WithAZoneAndPortsAreAccepted() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=fe80::1%eth0 [fe80::2%2]:1123 ::1 [::ffff:127.0.0.1]:9\n"
                + "FallbackNTP=pool.example. my_host.lan\n");
        NtpConfig c = config();
        assertEquals(List.of("fe80::1%eth0", "fe80::2%2", "::1", "::ffff:127.0.0.1"),
                c.primaries().stream().map(NtpServer::host).toList());
        assertEquals(List.of("pool.example.:123", "my_host.lan:123"), hosts(c.fallbacks()));
    }

    @Test
    void moreThanTheMaximumOfServersIsRefusedWithTheLimitInTheError() throws Exception {
        String many = IntStream.rangeClosed(1, NtpConfig.MAX_SERVERS + 1).mapToObj(i -> "127.0.0.1:" + (1000 + i))
                .collect(Collectors.joining(" "));
        Path f = write("etc/systemd/timesyncd.conf", "[Time]\nNTP=" + many + "\n");
        ConfigException e = error();
        assertEquals(f, e.file());
        assertEquals("NTP", e.key());
        assertTrue(e.getMessage().contains("at most 64"), e.getMessage());
        // the limit counts both lists: 63 primaries and the three built-in fallbacks are too many as well
        String sixtyThree = IntStream.rangeClosed(1, 63).mapToObj(i -> "127.0.0.1:" + (1000 + i))
                .collect(Collectors.joining(" "));
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=" + sixtyThree + "\n");
        assertTrue(error().getMessage().contains("66 are listed"));
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=" + sixtyThree + "\nFallbackNTP=127.0.0.1:9\n");
        assertEquals(64, config().primaries().size() + config().fallbacks().size());
    }

    @Test
    void rootDistanceInSystemdUnitsAndItsBounds() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=1.5s\n");
        assertEquals(Duration.ofMillis(1500), config().maxRootDistance());
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=5min\n");
        assertEquals(NtpConfig.MAX_ROOT_DISTANCE, config().maxRootDistance(), "above a minute means a minute");
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=infinity\n");
        assertEquals(NtpConfig.MAX_ROOT_DISTANCE, config().maxRootDistance());
        Path f = write("etc/systemd/timesyncd.conf", "[Time]\n#\nRootDistanceMaxSec=0\n");
        ConfigException e = error();
        assertEquals(f + ":3: RootDistanceMaxSec: must be above 0 (0 lets no server through)", e.getMessage());
    }

    private static WordList list(Path file, String key, String... values) {
        WordList l = new WordList();
        for (int i = 0; i < values.length; i++) {
            l.assign(new Origin(file, i + 1, key), values[i]);
        }
        return l;
    }

    @Test
    void ownListsReplaceTimesyncdsOnlyWhenAssigned() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\nFallbackNTP=10.0.0.2 pool.example\n");
        Path own = root.resolve("own.conf");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        TimesyncdNtp.Servers s = TimesyncdNtp.servers(c, list(own, "Primary", "10.0.0.2"), new WordList());
        assertEquals(List.of("10.0.0.2:123"), hosts(s.primaries()));
        assertEquals(List.of("pool.example:123"), hosts(s.fallbacks()), "timesyncd's list drops the primary");
        s = TimesyncdNtp.servers(c, new WordList(), list(own, "Fallback", "a.example", ""));
        assertEquals(List.of("10.0.0.1:123"), hosts(s.primaries()));
        assertEquals(List.of(), s.fallbacks(), "an own list reset to nothing is no fallback");
        ConfigException e = assertThrows(ConfigException.class,
                () -> TimesyncdNtp.servers(c, new WordList(), list(own, "Fallback", "10.0.0.1")));
        assertEquals(own, e.file());
        assertEquals("Fallback", e.key());
        assertTrue(e.getMessage().contains("10.0.0.1:123 is also a primary server"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> TimesyncdNtp.servers(c, list(own, "Primary", ""), list(own, "Fallback", "")));
        assertEquals(own + ":1: Primary: no server left: Primary= and Fallback= are both empty (Fallback= at " + own
                + ":1: Fallback)", e.getMessage());
    }
}
