package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimesyncdConfigTest {
    @TempDir
    Path root;

    private Path write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void noFilesGiveAnEmptyConfiguration() throws Exception {
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of(), c.ntpList().texts());
        assertEquals(List.of(), c.fallbackNtpList().texts());
        assertFalse(c.fallbackNtpList().assigned());
        assertEquals(Optional.empty(), c.rootDistanceMax());
        assertEquals(List.of(), c.files());
    }

    @Test
    void readsTheMainFile() throws Exception {
        write("etc/systemd/timesyncd.conf", """
                [Time]
                NTP=192.168.4.2
                FallbackNTP=0.debian.pool.ntp.org 1.debian.pool.ntp.org
                RootDistanceMaxSec=5
                PollIntervalMinSec=32
                PollIntervalMaxSec=2048
                """);
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("192.168.4.2"), c.ntpList().texts());
        assertEquals(List.of("0.debian.pool.ntp.org", "1.debian.pool.ntp.org"), c.fallbackNtpList().texts());
        assertEquals(Optional.of(Duration.ofSeconds(5)), c.rootDistanceMax());
    }

    @Test
    void dropInsApplyInFileNameOrderAcrossDirectories() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=a\nRootDistanceMaxSec=5\n");
        write("usr/lib/systemd/timesyncd.conf.d/10-vendor.conf", "[Time]\nNTP=b\nRootDistanceMaxSec=7\n");
        write("run/systemd/timesyncd.conf.d/20-runtime.conf", "[Time]\nRootDistanceMaxSec=3\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("a", "b"), c.ntpList().texts(), "NTP= accumulates");
        assertEquals(Optional.of(Duration.ofSeconds(3)), c.rootDistanceMax(), "20-runtime sorts after 10-vendor");
        assertEquals(3, c.files().size());
        assertTrue(c.files().get(2).endsWith("20-runtime.conf"));
    }

    @Test
    void aDropInInEtcMasksOneOfTheSameNameInUsrLib() throws Exception {
        write("usr/lib/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=vendor\n");
        write("etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=admin\n");
        assertEquals(List.of("admin"), TimesyncdConfig.load(root).ntpList().texts());
    }

    @Test
    void aDropInLinkedToDevNullIsMasked() throws Exception {
        write("usr/lib/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=vendor\n");
        Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d"));
        Files.createSymbolicLink(root.resolve("etc/systemd/timesyncd.conf.d/50-x.conf"), Path.of("/dev/null"));
        assertEquals(List.of(), TimesyncdConfig.load(root).ntpList().texts());
    }

    @Test
    void anEmptyAssignmentResetsTheList() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nFallbackNTP=x y\n");
        write("etc/systemd/timesyncd.conf.d/90-reset.conf", "[Time]\nFallbackNTP=\nFallbackNTP=z\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("z"), c.fallbackNtpList().texts());
        assertTrue(c.fallbackNtpList().assigned());
    }

    @Test
    void onlyTheTimeSectionAndOnlyConfFilesCount() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Other]\nNTP=nope\n[Time]\nNTP=yes\n");
        write("etc/systemd/timesyncd.conf.d/readme.txt", "[Time]\nNTP=ignored\n");
        assertEquals(List.of("yes"), TimesyncdConfig.load(root).ntpList().texts());
    }

    @Test
    void debianDefaultFileWithEverythingCommentedOutIsEmpty() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\n#NTP=\n#FallbackNTP=0.debian.pool.ntp.org\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of(), c.ntpList().texts());
        assertFalse(c.fallbackNtpList().assigned());
    }

    @Test
    void aBadTimeSpanNamesFileLineAndKey() throws Exception {
        Path f = write("etc/systemd/timesyncd.conf.d/bad.conf", "[Time]\n\nRootDistanceMaxSec=soon\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertEquals(f, e.file());
        assertEquals(3, e.line());
        assertEquals("RootDistanceMaxSec", e.key());
        assertTrue(e.getMessage().startsWith(f + ":3: RootDistanceMaxSec: "), e.getMessage());
    }

    @Test
    void aZeroTimeSpanIsReadAndLeftToTheMapping() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=0\n");
        assertEquals(Optional.of(Duration.ZERO), TimesyncdConfig.load(root).rootDistanceMax());
    }

    @Test
    void whatTimesyncdAcceptsIsRead() throws Exception {
        // a byte order mark, infinity, systemd's units with and without spaces, an empty value (ignored by timesyncd)
        write("etc/systemd/timesyncd.conf", "\uFEFF[Time]\nRootDistanceMaxSec=5min\n");
        assertEquals(Optional.of(Duration.ofMinutes(5)), TimesyncdConfig.load(root).rootDistanceMax());
        write("etc/systemd/timesyncd.conf.d/10-a.conf", "[Time]\nRootDistanceMaxSec=1h 30s\n");
        assertEquals(Optional.of(Duration.ofSeconds(3630)), TimesyncdConfig.load(root).rootDistanceMax());
        write("etc/systemd/timesyncd.conf.d/20-b.conf", "[Time]\nRootDistanceMaxSec=500ms\n");
        assertEquals(Optional.of(Duration.ofMillis(500)), TimesyncdConfig.load(root).rootDistanceMax());
        write("etc/systemd/timesyncd.conf.d/30-c.conf", "[Time]\nRootDistanceMaxSec=\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(Optional.of(Duration.ofMillis(500)), c.rootDistanceMax(), "an empty value keeps the earlier one");
        assertEquals(root.resolve("etc/systemd/timesyncd.conf.d/20-b.conf"), c.rootDistanceMaxOrigin().get().file());
        write("etc/systemd/timesyncd.conf.d/40-d.conf", "[Time]\nRootDistanceMaxSec=infinity\n");
        assertEquals(Optional.of(TimeSpans.INFINITY), TimesyncdConfig.load(root).rootDistanceMax());
    }

    @Test
    void aResetListIsAnEmptyListNotAnUnsetOne() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=10.0.0.1\n");
        write("run/systemd/timesyncd.conf.d/90-steer.conf", "[Time]\nNTP=\nFallbackNTP=pool.example\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertTrue(c.ntpList().assigned());
        assertEquals(List.of(), c.ntpList().texts());
        assertEquals(List.of("pool.example"), c.fallbackNtpList().texts());
    }

    @Test
    void serversIsTheOldNameOfNtp() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nServers=a.example\nNTP=b.example\n");
        assertEquals(List.of("a.example", "b.example"), TimesyncdConfig.load(root).ntpList().texts());
    }

    @Test
    void linesEndAtCrAndNulAsInSystemd() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\rNTP=a.example\0FallbackNTP=b.example\r\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("a.example"), c.ntpList().texts());
        assertEquals(List.of("b.example"), c.fallbackNtpList().texts());
    }

    @Test
    void aFifoDropInIsRefusedByNameWithoutBlocking() throws Exception {
        Path fifo = root.resolve("etc/systemd/timesyncd.conf.d/50-fifo.conf");
        Files.createDirectories(fifo.getParent());
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        ConfigException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root)));
        assertEquals(fifo, e.file());
        assertTrue(e.getMessage().contains("not a regular file (a FIFO)"), e.getMessage());
    }

    @Test
    void aDirectoryDropInIsRefusedByName() throws Exception {
        Path dir = Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d/50-dir.conf"));
        ConfigException e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertEquals(dir, e.file());
        assertTrue(e.getMessage().startsWith(dir + ": not a regular file (a directory)"), e.getMessage());
    }

    @Test
    void aSymlinkedDropInIsReadAndADanglingOneIsAbsent() throws Exception {
        Path real = write("srv/real.conf", "[Time]\nNTP=linked.example\n");
        Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d"));
        Files.createSymbolicLink(root.resolve("etc/systemd/timesyncd.conf.d/10-link.conf"), real);
        Files.createSymbolicLink(root.resolve("etc/systemd/timesyncd.conf.d/20-gone.conf"), root.resolve("nothing"));
        assertEquals(List.of("linked.example"), TimesyncdConfig.load(root).ntpList().texts());
    }

    @Test
    void aHugeFileIsRefusedByNameAndSize() throws Exception {
        Path big = write("etc/systemd/timesyncd.conf", "[Time]\n#" + "x".repeat(IniFile.MAX_BYTES) + "\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertEquals(big, e.file());
        assertTrue(e.getMessage().contains("larger than 1024 KiB"), e.getMessage());
    }

    @Test
    void nearMissesThatTimesyncdWouldSilentlyIgnoreAreErrors() throws Exception {
        Path f = write("etc/systemd/timesyncd.conf", "[time]\nNTP=a.example\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertEquals(2, e.line());
        write("etc/systemd/timesyncd.conf", "[Time]\nntp=a.example\n");
        e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertTrue(e.getMessage().startsWith(f + ":2: ntp: keys are case-sensitive"), e.getMessage());
        write("etc/systemd/timesyncd.conf", "[Time]\nConnectionRetrySec=30\nNTS=x\n[Other]\nNTP=ignored\n");
        assertEquals(List.of(), TimesyncdConfig.load(root).ntpList().texts(), "unknown keys and sections: ignored as by timesyncd");
    }

    @Test
    void errorsAreOneLineWithControlCharactersEscaped() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=5\u001b[2J\u0085x\u2028y\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
        assertTrue(e.getMessage().contains("5\\x1b[2J\\u0085x\\u2028y"), e.getMessage());
        assertTrue(e.getMessage().chars().noneMatch(ch -> ch < 0x20 || ch == 0x7f || ch == 0x85 || ch == 0x2028),
                e.getMessage());
    }

    @Test
    void aSkippedDropInIsReadAsIfAbsent() throws Exception {
        write("etc/systemd/timesyncd.conf.d/60-a.conf", "[Time]\nNTP=192.168.4.2\n");
        Path steering = write("run/systemd/timesyncd.conf.d/90-b.conf", "[Time]\nNTP=\n");
        assertEquals(List.of(), TimesyncdConfig.load(root).ntpList().texts());
        TimesyncdConfig skipped = TimesyncdConfig.load(root, p -> p.equals(steering));
        assertEquals(List.of("192.168.4.2"), skipped.ntpList().texts());
        assertFalse(skipped.files().contains(steering));
    }
}
