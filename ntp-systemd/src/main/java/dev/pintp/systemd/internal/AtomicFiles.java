package dev.pintp.systemd.internal;

import dev.pintp.ntp.internal.TrustedDirectories;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe replacement of small files by a root process, safe against a hostile user who can write in the
 * directory (docs/security.md, "File handling"): the new content goes to a temporary file in the same directory
 * (named {@code .#NAME.XXXXXXXX}, which systemd ignores in drop-in directories because it does not end in
 * {@code .conf}) created with {@code O_CREAT|O_EXCL|O_NOFOLLOW} and its final mode, written and fsynced through that
 * descriptor, checked to be still the regular file it created, renamed over the target, and the directory is
 * fsynced. A process killed at any point leaves either the old or the new file. Reads never follow a symlink and are
 * bounded in size. Not thread-safe for the same path; callers serialize with the job lock.
 */
public final class AtomicFiles {
    /** Mode of files the job writes: readable by all, as unit files and drop-ins are. */
    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    /** Mode of the lock file. */
    public static final Set<PosixFilePermission> LOCK_MODE = PosixFilePermissions.fromString("rw-------");
    /** The most a text read takes from a file: the job's files are a few kB. */
    public static final int MAX_TEXT_BYTES = 1 << 20;

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /** Points between the steps of a write, for tests that simulate a kill or a hostile writer. */
    interface Hooks {
        /** After the temporary file was written and synced through its descriptor, before it is checked. */
        default void afterWrite(Path tmp) throws IOException {
        }

        /** After the check, just before the rename. */
        default void beforeRename(Path tmp) throws IOException {
        }
    }

    private final Hooks hooks;

    /** The production writer. */
    public AtomicFiles() {
        this(new Hooks() { });
    }

    /** A writer that runs {@code beforeRename} after the temporary file is synced; tests use it to simulate a kill. */
    AtomicFiles(Runnable beforeRename) {
        this(new Hooks() {
            @Override
            public void beforeRename(Path tmp) {
                beforeRename.run();
            }
        });
    }

    AtomicFiles(Hooks hooks) {
        this.hooks = Objects.requireNonNull(hooks, "hooks");
    }

    /**
     * The file's content as UTF-8, or empty when it does not exist.
     *
     * @throws IOException when it is not a regular file (a symlink, a FIFO, a directory: never followed or opened),
     *     is larger than {@link #MAX_TEXT_BYTES}, or cannot be read
     */
    public static Optional<String> read(Path file) throws IOException {
        return readBytes(file, MAX_TEXT_BYTES).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * The file's bytes, or empty when it does not exist; never follows a symlink, never opens anything but a regular
     * file, never reads more than {@code max} bytes.
     *
     * @throws IOException as for {@link #read}
     */
    public static Optional<byte[]> readBytes(Path file, long max) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!a.isRegularFile()) {
            throw new FileSystemException(file.toString(), null, "not a regular file (" + kind(a) + "), not read");
        }
        if (a.size() > max) {
            throw new FileSystemException(file.toString(), null, "larger than " + max + " bytes (" + a.size()
                    + "), not read");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, NOFOLLOW)) {
            // the file can grow between the stat and the read: read one byte more than allowed to notice
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(max + 1, Math.max(a.size() + 1, 1) + 4096));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // keep reading
            }
            if (buf.position() > max) {
                throw new FileSystemException(file.toString(), null, "larger than " + max + " bytes, not read");
            }
            return Optional.of(Arrays.copyOf(buf.array(), buf.position()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * True when {@code file} is a regular file (not a symlink) holding exactly {@code bytes}. Reads at most
     * {@code bytes.length} bytes: a file of another size differs without being read.
     */
    public static boolean hasContent(Path file, byte[] bytes) throws IOException {
        PosixFileAttributes a;
        try {
            a = Files.readAttributes(file, PosixFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return false;
        }
        if (!a.isRegularFile() || a.size() != bytes.length) {
            return false;
        }
        try {
            Optional<byte[]> old = readBytes(file, bytes.length);
            return old.isPresent() && Arrays.equals(old.get(), bytes);
        } catch (FileSystemException e) {
            return false; // changed between the stat and the read: not what we want, so replace it
        }
    }

    /**
     * Opens (creating with mode 0600) the lock file without following a symlink.
     *
     * @throws IOException when it is a symlink or cannot be opened
     */
    public static FileChannel openLock(Path file) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, NOFOLLOW);
        return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(LOCK_MODE));
    }

    /**
     * Makes {@code file} hold exactly {@code content} (UTF-8), creating parent directories. The old file is compared
     * (bounded, without following links) only in a directory no other user can change ({@link TrustedDirectories}: a
     * path through a symbolic link counts as one others can change); elsewhere it is replaced without being opened.
     *
     * @return true when the file was written, false when it already had this content
     */
    public boolean writeIfChanged(Path file, String content) throws IOException {
        Objects.requireNonNull(content, "content");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        if (Files.isDirectory(dir) && TrustedDirectories.refusal(dir).isEmpty() && hasContent(file, bytes)) {
            return false;
        }
        write(file, bytes);
        return true;
    }

    /**
     * Replaces {@code file} with {@code bytes}, as described in the class comment. In a directory no other user can
     * change ({@link TrustedDirectories}), an existing regular file keeps its mode (so /etc/hosts stays as it was);
     * otherwise the file gets {@link #FILE_MODE}.
     */
    public void write(Path file, byte[] bytes) throws IOException {
        write(file, bytes, Optional.empty());
    }

    /** {@link #write(Path, byte[])} with a given mode instead of the kept or default one. */
    void write(Path file, byte[] bytes, Optional<Set<PosixFilePermission>> wanted) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Optional<TrustedDirectories.Refusal> hostile = TrustedDirectories.refusal(dir);
        Set<PosixFilePermission> mode = wanted.orElse(FILE_MODE);
        if (wanted.isEmpty() && hostile.isEmpty()) {
            try {
                PosixFileAttributes old = Files.readAttributes(file, PosixFileAttributes.class, NOFOLLOW);
                if (old.isRegularFile()) {
                    mode = old.permissions();
                }
            } catch (NoSuchFileException e) {
                // a new file: the default mode
            }
        }
        removeStaleTemporaries(dir, file.getFileName().toString());
        Path tmp = dir.resolve(".#" + file.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Set<OpenOption> create = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
        try {
            try (FileChannel ch = FileChannel.open(tmp, create, PosixFilePermissions.asFileAttribute(mode))) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            hooks.afterWrite(tmp);
            PosixFileAttributes made = Files.readAttributes(tmp, PosixFileAttributes.class, NOFOLLOW);
            if (!made.isRegularFile()) {
                throw new FileSystemException(tmp.toString(), null, "replaced by a " + kind(made)
                        + " while it was written (another user can write " + dir + "); " + file + " left as it was");
            }
            if (!made.permissions().equals(mode)) {
                // the process umask took bits away. Adding them back by path is safe only where nobody can swap names.
                if (hostile.isPresent()) {
                    throw new FileSystemException(tmp.toString(), null, "the umask made it "
                            + PosixFilePermissions.toString(made.permissions()) + " instead of "
                            + PosixFilePermissions.toString(mode) + ", and another user could change " + dir + " ("
                            + hostile.get().reason() + "), so the mode is not fixed by path; run with umask 022. "
                            + file + " left as it was");
                }
                Files.setPosixFilePermissions(tmp, mode);
            }
            hooks.beforeRename(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp); // unlink(2): removes a planted symlink, never its target
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * Removes {@code file} if it exists (a symlink is removed, not its target) and syncs its directory.
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

    private static String kind(PosixFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "symbolic link";
        }
        if (a.isDirectory()) {
            return "directory";
        }
        return a.isOther() ? "FIFO, socket or device" : "regular file";
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
