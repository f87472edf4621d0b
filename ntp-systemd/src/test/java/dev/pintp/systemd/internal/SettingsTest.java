package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.FlapDamping;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpServer;
import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.TimesyncdConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path root;

    @Test
    void withNoFilesTheDefaultsApply() throws Exception {
        Settings s = Settings.load(root, Map.of());
        assertEquals(List.of(new NtpServer("192.168.4.2", 123, NtpServer.Role.PRIMARY)), s.ntp().primaries());
        assertEquals(3, s.ntp().fallbacks().size());
        assertEquals(Duration.ofSeconds(5), s.ntp().maxRootDistance());
        assertEquals("controller.service", s.targetUnit());
        assertEquals(Path.of("/run/systemd/system/controller.service.d/ntp-environment.conf"), s.dropInFile());
        assertEquals(Path.of("/var/lib/ntp-monitor"), s.stateDirectory());
        assertEquals(Settings.Variables.DEFAULTS, s.variables());
        assertTrue(s.steerTimesyncd());
        assertEquals(Optional.empty(), s.webhook());
    }

    @Test
    void serversAndLimitsComeFromTimesyncdWithoutItsSteeringDropIn() throws Exception {
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\nFallbackNTP=pool.example\n"
                + "RootDistanceMaxSec=3\n");
        Fixtures.write(root, "/run/systemd/timesyncd.conf.d/90-ntp-monitor-steering.conf",
                "[Time]\nNTP=\nFallbackNTP=pool.example\n");
        Settings s = Settings.load(root, Map.of("STATE_DIRECTORY", "/var/lib/custom"));
        assertEquals(List.of(new NtpServer("10.0.0.1", 123, NtpServer.Role.PRIMARY)), s.ntp().primaries());
        assertEquals(List.of(new NtpServer("pool.example", 123, NtpServer.Role.FALLBACK)), s.ntp().fallbacks());
        assertEquals(Duration.ofSeconds(3), s.ntp().maxRootDistance());
        assertEquals(Path.of("/var/lib/custom"), s.stateDirectory());
    }

    @Test
    void aServerTimesyncdListsBothAsNtpAndAsFallbackIsAPrimaryOnly() throws Exception {
        // timesyncd accepts this; the job must not refuse it as "both a primary and a fallback"
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\n"
                + "FallbackNTP=10.0.0.1:123 pool.example pool.example\n");
        Settings s = Settings.load(root, Map.of());
        assertEquals(List.of(new NtpServer("10.0.0.1", 123, NtpServer.Role.PRIMARY)), s.ntp().primaries());
        assertEquals(List.of(new NtpServer("pool.example", 123, NtpServer.Role.FALLBACK)), s.ntp().fallbacks());
    }

    @Test
    void theFileOverridesTimesyncd() throws Exception {
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\n");
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Servers]\nPrimary=127.0.0.1:12345 \nFallback=\n"
                + "MaxOffset=50ms\n[Decision]\nInterval=15s\nDampingPenalty=700\nDampingHalfLife=10min\n[Alerts]\nWebhookUrl=http://127.0.0.1:9/x\n"
                + "[Metrics]\nListenAddress=127.0.0.1:9817\n");
        Settings s = Settings.load(root, Map.of());
        assertEquals(List.of(new NtpServer("127.0.0.1", 12345, NtpServer.Role.PRIMARY)), s.ntp().primaries());
        assertEquals(List.of(), s.ntp().fallbacks());
        assertEquals(Duration.ofMillis(50), s.ntp().maxOffset());
        assertEquals(Duration.ofSeconds(15), s.ntp().checkInterval());
        assertEquals(new FlapDamping(Duration.ofMinutes(10), 700, 2000, 500, Duration.ofHours(1)),
                s.ntp().flapDamping());
        assertEquals("http://127.0.0.1:9/x", s.webhook().orElseThrow().toString());
        assertEquals(Optional.of("127.0.0.1:9817"), s.metricsListen());
    }

    private ConfigException bad(String text) throws Exception {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", text);
        return assertThrows(ConfigException.class, () -> Settings.load(root, Map.of()));
    }

    @Test
    void aBadValueIsReportedWithFileLineAndKey() throws Exception {
        ConfigException e = bad("[Decision]\n# comment\nDampingPenalty=zero\n");
        assertEquals(3, e.line());
        assertEquals("DampingPenalty", e.key());
        assertEquals(root.resolve("etc/ntp-monitor/ntp-monitor.conf"), e.file());
        assertTrue(e.getMessage().startsWith(root.resolve("etc/ntp-monitor/ntp-monitor.conf") + ":3: DampingPenalty: "),
                e.getMessage());
    }

    @Test
    void theKeysFlapDampingReplacedAreErrorsThatSayWhatToDoInstead() throws Exception {
        ConfigException e = bad("[Decision]\nInterval=60s\nChecksToGain=2\n");
        assertEquals(3, e.line());
        assertEquals("ChecksToGain", e.key());
        assertTrue(e.getMessage().contains("no longer exists: regaining now happens at the first good check"),
                e.getMessage());
        assertTrue(e.getMessage().contains("DampingPenalty="), e.getMessage());
        assertTrue(bad("[Decision]\nChecksToLose=2\n").getMessage().contains("losing is now immediate"));
        assertTrue(bad("[Decision]\nMinDwell=3min\n").getMessage().contains("DampingHalfLife="));
    }

    @Test
    void aBadCombinationOfDampingValuesIsReportedAtTheLastDampingKey() throws Exception {
        ConfigException e = bad("[Decision]\nDampingSuppress=900\nDampingReuse=600\n");
        assertEquals("DampingReuse", e.key());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("penalty 1000 must be below suppress 900"), e.getMessage());
    }

    @Test
    void outOfRangeValuesUnknownKeysAndBadChoicesAreErrors() throws Exception {
        assertEquals("DampingPenalty", bad("[Decision]\nDampingPenalty=0\n").key());
        assertEquals("DampingHalfLife", bad("[Decision]\nDampingHalfLife=0\n").key());
        assertEquals("Interval", bad("[Decision]\nInterval=soon\n").key());
        assertEquals("Primray", bad("[Servers]\nPrimray=1.2.3.4\n").key());
        assertEquals("DropInLocation", bad("[Controller]\nDropInLocation=usr\n").key());
        assertEquals("ServerVariable", bad("[Controller]\nServerVariable=NTP SERVER\n").key());
        assertEquals("WebhookUrl", bad("[Alerts]\nWebhookUrl=ftp://x/\n").key());
        assertEquals("TextfilePath", bad("[Metrics]\nTextfilePath=relative.prom\n").key());
        assertEquals("Primary", bad("[Servers]\nPrimary=host:99999\n").key());
        assertEquals(2, bad("[Servers]\nPrimary=host:99999\n").line());
        assertEquals("Steering", bad("[Timesyncd]\nSteering=maybe\n").key());
        assertEquals("ListenAddress", bad("[Metrics]\nListenAddress=127.0.0.1:99999\n").key());
    }

    @Test
    void timesyncdsOwnValuesThatTimesyncdAcceptsAreAccepted() throws Exception {
        // RootDistanceMaxSec=5min stopped every run of the job before; it means the job's largest limit, 1 minute
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "\uFEFF[Time]\nNTP=127.0.0.1\nRootDistanceMaxSec=5min\n"
                + "RootDistanceMaxSec=\n");
        assertEquals(Duration.ofMinutes(1), Settings.load(root, Map.of()).ntp().maxRootDistance());
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=127.0.0.1\nRootDistanceMaxSec=infinity\n");
        assertEquals(Duration.ofMinutes(1), Settings.load(root, Map.of()).ntp().maxRootDistance());
    }

    @Test
    void aBadTimesyncdValueIsReportedAgainstTimesyncdsFileAndKey() throws Exception {
        Path f = Fixtures.write(root, "/etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=127.0.0.1\n"
                + "RootDistanceMaxSec=0\nFallbackNTP=bad%name\n");
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", "[Decision]\nInterval=30s\n");
        ConfigException e = assertThrows(ConfigException.class, () -> Settings.load(root, Map.of()));
        assertEquals(f, e.file());
        assertEquals(4, e.line());
        assertEquals("FallbackNTP", e.key());
        Fixtures.write(root, "/etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=127.0.0.1\nRootDistanceMaxSec=0\n");
        e = assertThrows(ConfigException.class, () -> Settings.load(root, Map.of()));
        assertEquals(f + ":3: RootDistanceMaxSec: must be above 0 (0 lets no server through)", e.getMessage());
    }

    @Test
    void aLimitOfTheJobsOwnIsReportedInSystemdUnits() throws Exception {
        ConfigException e = bad("[Servers]\nMaxRootDistance=5min\n");
        assertEquals(root.resolve("etc/ntp-monitor/ntp-monitor.conf") + ":2: MaxRootDistance: maxRootDistance must be"
                + " positive and at most 1min, was 5min", e.getMessage());
    }

    @Test
    void anEmptyPrimaryAndAnEmptyTimesyncdFallbackLeaveNoServerAndSaySoWhere() throws Exception {
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nFallbackNTP=\n");
        ConfigException e = bad("[Servers]\nPrimary=\n");
        assertEquals(root.resolve("etc/ntp-monitor/ntp-monitor.conf"), e.file());
        assertEquals("Primary", e.key());
        assertTrue(e.getMessage().contains("no server left"), e.getMessage());
    }

    @Test
    void tooManyServersAreRefusedWithTheLimit() throws Exception {
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 65; i++) {
            many.append(" 127.0.0.1:").append(1000 + i);
        }
        ConfigException e = bad("[Servers]\nFallback=\nPrimary=" + many + "\n");
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("at most 64"), e.getMessage());
    }

    @Test
    void aConfigurationFileThatIsAFifoIsAnErrorNamingIt() throws Exception {
        Path f = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        java.nio.file.Files.createDirectories(f.getParent());
        assertEquals(0, new ProcessBuilder("mkfifo", f.toString()).start().waitFor());
        ConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(ConfigException.class, () -> Settings.load(root, Map.of())));
        assertEquals(f, e.file());
    }

    @Test
    void combinationErrorsNameALineToo() throws Exception {
        ConfigException e = bad("[Controller]\nSyncedVariable=X\nServerVariable=X\n");
        assertEquals(3, e.line());
        e = bad("[Servers]\nTimeout=3s\n");
        assertEquals(2, e.line());
        assertEquals("Timeout", e.key());
        assertTrue(e.getMessage().endsWith("checkDeadline 2s is shorter than timeout 3s"), e.getMessage());
    }

    @Test
    void anEmptyTimesyncdFallbackNtpMeansNoFallbackAndAnUnsetOneTheBuiltInListAsForTheProbe() throws Exception {
        // timesyncd.conf(5): an empty FallbackNTP= is no fallback; the job reads it as the probe does (TimesyncdNtp)
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\nFallbackNTP=\n");
        assertEquals(List.of(), Settings.load(root, Map.of()).ntp().fallbacks());
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\n");
        assertEquals(NtpConfig.ofDefaults().fallbacks(), Settings.load(root, Map.of()).ntp().fallbacks());
    }

    @Test
    void aFallbackOfTheFilesOwnThatIsAlsoAPrimaryIsAnErrorThatNamesBoth() throws Exception {
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\n");
        ConfigException e = bad("[Servers]\nFallback=pool.example 10.0.0.1\n");
        assertEquals(2, e.line());
        assertEquals("Fallback", e.key());
        assertTrue(e.getMessage().contains("10.0.0.1:123 is also a primary server (at "
                + root.resolve("etc/systemd/timesyncd.conf") + ":2: NTP)"), e.getMessage());
    }

    @Test
    void anEmptyTextValueLeavesTheDefaultAndTheLastAssignmentWins() throws Exception {
        Settings s = Settings.parse(IniFile.parse(root.resolve("ntp-monitor.conf"), "[Controller]\nUnit=a.service\n"
                + "Unit=\nDropInName=x.conf\nDropInName=y.conf\n"), TimesyncdConfig.load(root), Map.of());
        assertEquals("controller.service", s.targetUnit());
        assertEquals("y.conf", s.dropInName());
        ConfigException e = bad("[Decision]\nInterval=\n");
        assertEquals("Interval", e.key());
        assertTrue(e.getMessage().contains("empty time span"), e.getMessage());
    }
}
