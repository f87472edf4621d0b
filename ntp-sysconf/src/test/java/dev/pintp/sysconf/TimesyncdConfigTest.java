package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
        assertEquals(List.of(), c.ntp());
        assertEquals(List.of(), c.fallbackNtp());
        assertFalse(c.fallbackNtpSet());
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
        assertEquals(List.of("192.168.4.2"), c.ntp());
        assertEquals(List.of("0.debian.pool.ntp.org", "1.debian.pool.ntp.org"), c.fallbackNtp());
        assertEquals(Optional.of(Duration.ofSeconds(5)), c.rootDistanceMax());
        assertEquals(Optional.of(Duration.ofSeconds(32)), c.pollIntervalMin());
        assertEquals(Optional.of(Duration.ofSeconds(2048)), c.pollIntervalMax());
    }

    @Test
    void dropInsApplyInFileNameOrderAcrossDirectories() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nNTP=a\nRootDistanceMaxSec=5\n");
        write("usr/lib/systemd/timesyncd.conf.d/10-vendor.conf", "[Time]\nNTP=b\nRootDistanceMaxSec=7\n");
        write("run/systemd/timesyncd.conf.d/20-runtime.conf", "[Time]\nRootDistanceMaxSec=3\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("a", "b"), c.ntp(), "NTP= accumulates");
        assertEquals(Optional.of(Duration.ofSeconds(3)), c.rootDistanceMax(), "20-runtime sorts after 10-vendor");
        assertEquals(3, c.files().size());
        assertTrue(c.files().get(2).endsWith("20-runtime.conf"));
    }

    @Test
    void aDropInInEtcMasksOneOfTheSameNameInUsrLib() throws Exception {
        write("usr/lib/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=vendor\n");
        write("etc/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=admin\n");
        assertEquals(List.of("admin"), TimesyncdConfig.load(root).ntp());
    }

    @Test
    void aDropInLinkedToDevNullIsMasked() throws Exception {
        write("usr/lib/systemd/timesyncd.conf.d/50-x.conf", "[Time]\nNTP=vendor\n");
        Files.createDirectories(root.resolve("etc/systemd/timesyncd.conf.d"));
        Files.createSymbolicLink(root.resolve("etc/systemd/timesyncd.conf.d/50-x.conf"), Path.of("/dev/null"));
        assertEquals(List.of(), TimesyncdConfig.load(root).ntp());
    }

    @Test
    void anEmptyAssignmentResetsTheList() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nFallbackNTP=x y\n");
        write("etc/systemd/timesyncd.conf.d/90-reset.conf", "[Time]\nFallbackNTP=\nFallbackNTP=z\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of("z"), c.fallbackNtp());
        assertTrue(c.fallbackNtpSet());
    }

    @Test
    void onlyTheTimeSectionAndOnlyConfFilesCount() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Other]\nNTP=nope\n[Time]\nNTP=yes\n");
        write("etc/systemd/timesyncd.conf.d/readme.txt", "[Time]\nNTP=ignored\n");
        assertEquals(List.of("yes"), TimesyncdConfig.load(root).ntp());
    }

    @Test
    void debianDefaultFileWithEverythingCommentedOutIsEmpty() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\n#NTP=\n#FallbackNTP=0.debian.pool.ntp.org\n");
        TimesyncdConfig c = TimesyncdConfig.load(root);
        assertEquals(List.of(), c.ntp());
        assertFalse(c.fallbackNtpSet());
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
    void aZeroTimeSpanIsRejected() throws Exception {
        write("etc/systemd/timesyncd.conf", "[Time]\nRootDistanceMaxSec=0\n");
        assertThrows(ConfigException.class, () -> TimesyncdConfig.load(root));
    }

    @Test
    void aSkippedDropInIsReadAsIfAbsent() throws Exception {
        write("etc/systemd/timesyncd.conf.d/60-a.conf", "[Time]\nNTP=192.168.4.2\n");
        Path steering = write("run/systemd/timesyncd.conf.d/90-b.conf", "[Time]\nNTP=\n");
        assertEquals(List.of(), TimesyncdConfig.load(root).ntp());
        TimesyncdConfig skipped = TimesyncdConfig.load(root, p -> p.equals(steering));
        assertEquals(List.of("192.168.4.2"), skipped.ntp());
        assertFalse(skipped.files().contains(steering));
    }
}
