package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pintp.ntp.internal.TrustedDirectories;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).permissions());
    }

    /** A directory any user can write, like a textfile-collector directory owned by another user. */
    private Path hostileDirectory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d;
    }

    /** A root-owned file outside the directory, that a hostile user would like to open up. */
    private Path victim() throws IOException {
        Path v = dir.resolve("victim");
        Files.writeString(v, "secret\n");
        Files.setPosixFilePermissions(v, PosixFilePermissions.fromString("rw-------"));
        return v;
    }

    /** The hostile writer's move: between the job's write and its rename, the temporary file becomes a symlink. */
    private static AtomicFiles swappingTemporaryFor(Path target) {
        return new AtomicFiles(new AtomicFiles.Hooks() {
            @Override
            public void afterWrite(Path tmp) throws IOException {
                Files.delete(tmp);
                Files.createSymbolicLink(tmp, target);
            }
        });
    }

    @Test
    void aTemporaryFileSwappedForASymlinkChangesNeitherTheModeNorTheContentOfItsTarget() throws IOException {
        Path shared = hostileDirectory();
        Path victim = victim();
        Path f = shared.resolve("ntp-monitor.prom");
        Files.writeString(f, "old\n");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> swappingTemporaryFor(victim).writeIfChanged(f, "new\n"));
        assertTrue(e.getMessage().contains("replaced by a symbolic link"), e.getMessage());
        assertEquals("rw-------", mode(victim));
        assertEquals("secret\n", Files.readString(victim));
        assertEquals("old\n", Files.readString(f));
        assertFalse(Files.isSymbolicLink(f));
        try (Stream<Path> s = Files.list(shared)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()), "the planted link is removed, nothing else left");
        }
    }

    @Test
    void theSameSwapInAPrivateDirectoryIsRefusedToo() throws IOException {
        Path victim = victim();
        Path f = dir.resolve("a.conf");
        assertThrows(FileSystemException.class, () -> swappingTemporaryFor(victim).writeIfChanged(f, "new\n"));
        assertEquals("rw-------", mode(victim));
        assertFalse(Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSymlinkAtTheTargetIsReplacedNotFollowedEvenWhenItsTargetHoldsTheWantedContent() throws IOException {
        Path victim = dir.resolve("elsewhere");
        Files.writeString(victim, "x\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-rw-rw-"));
        Path f = dir.resolve("a.conf");
        Files.createSymbolicLink(f, victim);
        assertTrue(new AtomicFiles().writeIfChanged(f, "x\n"), "a symlink is not our file, whatever it points at");
        assertFalse(Files.isSymbolicLink(f));
        assertEquals("rw-r--r--", mode(f), "the mode of the link's target is not taken over");
        assertEquals("x\n", Files.readString(f));
        assertEquals("rw-rw-rw-", mode(victim));
    }

    @Test
    void aSymlinkToAHugeFileAtTheTargetIsReplacedWithoutReadingIt() throws IOException {
        Path huge = dir.resolve("huge");
        try (RandomAccessFile r = new RandomAccessFile(huge.toFile(), "rw")) {
            r.setLength(200L << 20); // sparse: 200 MB that take no disk
        }
        Path f = hostileDirectory().resolve("ntp-monitor.prom");
        Files.createSymbolicLink(f, huge);
        assertTrue(new AtomicFiles().writeIfChanged(f, "metrics\n"));
        assertEquals("metrics\n", Files.readString(f));
        assertEquals(200L << 20, Files.size(huge));
    }

    @Test
    void readsAreBoundedAndNeverFollowLinksOrOpenFifos() throws Exception {
        Path big = dir.resolve("big");
        try (RandomAccessFile r = new RandomAccessFile(big.toFile(), "rw")) {
            r.setLength(AtomicFiles.MAX_TEXT_BYTES + 1L);
        }
        FileSystemException tooBig = assertThrows(FileSystemException.class, () -> AtomicFiles.read(big));
        assertTrue(tooBig.getMessage().contains("larger than"), tooBig.getMessage());

        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, dir.resolve("a"));
        Files.writeString(dir.resolve("a"), "a");
        FileSystemException notFollowed = assertThrows(FileSystemException.class, () -> AtomicFiles.read(link));
        assertTrue(notFollowed.getMessage().contains("symbolic link"), notFollowed.getMessage());

        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        // opening a FIFO for reading blocks until a writer comes: the read must refuse it without opening it
        FileSystemException notOpened = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(FileSystemException.class, () -> AtomicFiles.read(fifo)));
        assertTrue(notOpened.getMessage().contains("FIFO"), notOpened.getMessage());
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> new AtomicFiles().writeIfChanged(fifo, "x"));
        assertEquals("x", Files.readString(fifo));

        assertEquals(Optional.empty(), AtomicFiles.read(dir.resolve("absent")));
    }

    @Test
    void inADirectoryOthersCanWriteTheModeOfTheOldFileIsNotKept() throws IOException {
        Path f = hostileDirectory().resolve("ntp-monitor.prom");
        Files.writeString(f, "planted");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        new AtomicFiles().writeIfChanged(f, "x\n");
        assertEquals("rw-r--r--", mode(f));
    }

    @Test
    void bitsTheUmaskTakesAwayAreAddedBackOnlyWhereNoOtherUserCanSwapTheName() throws IOException {
        Set<PosixFilePermission> groupWritable = PosixFilePermissions.fromString("rw-rw-r--");
        Path probe = dir.resolve("umask-probe");
        Files.createFile(probe, PosixFilePermissions.asFileAttribute(groupWritable));
        assumeTrue(!Files.getPosixFilePermissions(probe).equals(groupWritable), "needs a umask that clears g+w");

        Path mine = dir.resolve("mine");
        new AtomicFiles().write(mine, new byte[] {1}, Optional.of(groupWritable));
        assertEquals("rw-rw-r--", mode(mine));

        Path shared = hostileDirectory().resolve("theirs");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> new AtomicFiles().write(shared, new byte[] {1}, Optional.of(groupWritable)));
        assertTrue(e.getMessage().contains("umask"), e.getMessage());
        assertFalse(Files.exists(shared));
    }

    @Test
    void aDirectoryIsHostileWhenItOrADirectoryAboveItCanBeChangedByOthers() throws IOException {
        Path mine = Files.createDirectory(dir.resolve("mine"));
        assertFalse(othersCanChange(mine));
        Path shared = hostileDirectory();
        assertTrue(othersCanChange(shared));
        Path below = Files.createDirectory(shared.resolve("below"));
        assertTrue(othersCanChange(below), "whoever can write shared/ can swap below/ for a link");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path inSticky = Files.createDirectory(sticky.resolve("root-owned"));
        assertFalse(othersCanChange(inSticky), "the sticky bit keeps others from renaming it, as in /tmp");
        assertTrue(othersCanChange(sticky));
    }

    private static boolean othersCanChange(Path directory) throws IOException {
        return TrustedDirectories.refusal(directory).isPresent();
    }

    @Test
    void aDirectoryReachedThroughASymbolicLinkIsTreatedAsOneOthersCanChange() throws IOException {
        // the rule of TrustedDirectories, as the keyfile's: a link on the way is refused, not followed, even root's
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Path f = real.resolve("kept-mode");
        Files.writeString(f, "same\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertFalse(new AtomicFiles().writeIfChanged(f, "same\n"), "by its real path it is compared");
        assertTrue(new AtomicFiles().writeIfChanged(link.resolve("kept-mode"), "same\n"),
                "through the link it is replaced without being read");
        assertEquals("rw-r--r--", mode(f), "and its mode is not kept");
        assertEquals("same\n", Files.readString(f));
    }

    @Test
    void theLockFileIsPrivateAndASymlinkThereIsRefused() throws IOException {
        Path lock = dir.resolve("lock");
        try (FileChannel ch = AtomicFiles.openLock(lock)) {
            assertTrue(ch.isOpen());
        }
        assertEquals("rw-------", mode(lock));
        Path victim = victim();
        Path planted = dir.resolve("planted-lock");
        Files.createSymbolicLink(planted, victim);
        assertThrows(IOException.class, () -> AtomicFiles.openLock(planted).close());
        assertEquals("secret\n", Files.readString(victim));
    }
}
