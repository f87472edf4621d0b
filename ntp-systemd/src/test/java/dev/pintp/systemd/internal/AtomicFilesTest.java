package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /** The writer dies after the temporary file is complete and before the rename (a kill at that instant). */
    private static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aCrashBetweenTheTemporaryWriteAndTheRenameLeavesTheOldFile() throws IOException {
        Path f = dir.resolve("ntp-environment.conf");
        new AtomicFiles().writeIfChanged(f, "old\n");
        AtomicFiles dying = new AtomicFiles(() -> {
            throw new Killed();
        });
        assertThrows(Killed.class, () -> dying.writeIfChanged(f, "new\n"));
        assertEquals("old\n", Files.readString(f));
        assertEquals(List.of("ntp-environment.conf"), names());
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsIgnoredBySystemdAndCleanedUpByTheNextWrite() throws IOException {
        Path f = dir.resolve("ntp-environment.conf");
        Files.writeString(dir.resolve(".#ntp-environment.conf.1234abcd"), "partial");
        assertFalse(".#ntp-environment.conf.1234abcd".endsWith(".conf"), "systemd reads only *.conf drop-ins");
        new AtomicFiles().writeIfChanged(f, "new\n");
        assertEquals(List.of("ntp-environment.conf"), names());
        assertEquals("new\n", Files.readString(f));
    }

    @Test
    void sameContentIsNotRewritten() throws IOException {
        Path f = dir.resolve("a.conf");
        AtomicFiles files = new AtomicFiles();
        assertTrue(files.writeIfChanged(f, "x\n"));
        Files.setLastModifiedTime(f, FileTime.fromMillis(0));
        assertFalse(files.writeIfChanged(f, "x\n"));
        assertEquals(0, Files.getLastModifiedTime(f).toMillis());
        assertTrue(files.writeIfChanged(f, "y\n"));
        assertEquals("y\n", Files.readString(f));
    }

    @Test
    void newFilesAreWorldReadableAndExistingFilesKeepTheirMode() throws IOException {
        Path f = dir.resolve("sub/a.conf");
        new AtomicFiles().writeIfChanged(f, "x\n");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        new AtomicFiles().writeIfChanged(f, "y\n");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void deleteReportsWhetherAFileWasThere() throws IOException {
        Path f = dir.resolve("a.conf");
        AtomicFiles files = new AtomicFiles();
        assertFalse(files.delete(f));
        files.writeIfChanged(f, "x");
        assertTrue(files.delete(f));
        assertFalse(Files.exists(f));
    }
}
