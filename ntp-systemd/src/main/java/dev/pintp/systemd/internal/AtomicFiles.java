package dev.pintp.systemd.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe replacement of small text files: the new content goes to a temporary file in the same directory
 * (named {@code .#NAME.XXXXXXXX}, which systemd ignores in drop-in directories because it does not end in
 * {@code .conf}), is fsynced, renamed over the target, and the directory is fsynced. A process killed at any point
 * leaves either the old or the new file. Not thread-safe for the same path; callers serialize with the job lock.
 */
public final class AtomicFiles {
    /** Mode of files the job writes: readable by all, as unit files and drop-ins are. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final Runnable beforeRename;

    /** The production writer. */
    public AtomicFiles() {
        this(() -> { });
    }

    /** A writer that runs {@code beforeRename} after the temporary file is synced; tests use it to simulate a kill. */
    AtomicFiles(Runnable beforeRename) {
        this.beforeRename = Objects.requireNonNull(beforeRename, "beforeRename");
    }

    /** The file's content as UTF-8, or empty when it does not exist. */
    public static Optional<String> read(Path file) throws IOException {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes {@code file} hold exactly {@code content} (UTF-8, mode 0644), creating parent directories (mode 0755).
     *
     * @return true when the file was written, false when it already had this content
     */
    public boolean writeIfChanged(Path file, String content) throws IOException {
        Objects.requireNonNull(content, "content");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
            return false;
        }
        write(file, bytes);
        return true;
    }

    /**
     * Replaces {@code file} with {@code bytes}, as described in the class comment. An existing file keeps its mode
     * (so /etc/hosts stays as it was); a new one gets {@link #FILE_MODE}.
     */
    public void write(Path file, byte[] bytes) throws IOException {
        Set<PosixFilePermission> mode = Files.isRegularFile(file) ? Files.getPosixFilePermissions(file) : FILE_MODE;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        removeStaleTemporaries(dir, file.getFileName().toString());
        Path tmp = dir.resolve(".#" + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, mode);
            beforeRename.run();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * Removes {@code file} if it exists and syncs its directory.
     *
     * @return true when a file was removed
     */
    public boolean delete(Path file) throws IOException {
        boolean removed = Files.deleteIfExists(file);
        if (removed) {
            syncDirectory(file.toAbsolutePath().getParent());
        }
        return removed;
    }

    /** Syncs a directory so that a rename or unlink in it is durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    // A killed writer can leave its temporary file behind; the next write of the same file cleans it up.
    private static void removeStaleTemporaries(Path dir, String name) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, ".#" + globEscape(name) + ".*")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String globEscape(String s) {
        return s.replaceAll("([*?\\[\\]{}\\\\])", "\\\\$1");
    }
}
