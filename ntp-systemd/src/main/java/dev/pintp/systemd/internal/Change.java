package dev.pintp.systemd.internal;

import dev.pintp.ntp.internal.TrustedDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One change to one path under a file root, as a {@link Plan} holds it. What {@code --dry-run} prints
 * ({@link #describe}) and what a run does ({@link #apply}) come from the same value, so they cannot say different
 * things. Paths are the target system's ({@code /etc/hosts}); {@link #apply} resolves them under the root. Files are
 * written and removed through {@link AtomicFiles}. No component is null.
 */
sealed interface Change {
    /** The path this change is to, on the target system. */
    Path path();

    /**
     * What {@code --dry-run} prints for it: a unified diff ({@link UnifiedDiff}) for text, one line for a binary file,
     * a symlink or a removal; each line ends with a newline.
     */
    String describe();

    /**
     * Makes the change under {@code root}.
     *
     * @return true when something on disk changed (false when it was already so, for instance changed since the plan)
     */
    boolean apply(Path root, AtomicFiles files) throws IOException;

    /** True for a change that takes something away (a file, a link, a line) rather than putting it there. */
    default boolean removes() {
        return false;
    }

    /**
     * A text file written whole.
     *
     * @param before what the file held when planned, empty when it did not exist
     */
    record Write(Path path, Optional<String> before, String text) implements Change {
        @Override
        public String describe() {
            return UnifiedDiff.of(path.toString(), before.orElse(null), text);
        }

        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            return files.writeIfChanged(Settings.under(root, path), text);
        }
    }

    /**
     * A binary file written whole (the jar).
     *
     * @param exists whether a file was there when planned
     */
    record WriteBytes(Path path, boolean exists, Bytes bytes) implements Change {
        public WriteBytes {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(bytes, "bytes");
        }

        /** A change writing a copy of {@code bytes}. */
        public WriteBytes(Path path, boolean exists, byte[] bytes) {
            this(path, exists, new Bytes(bytes));
        }

        @Override
        public String describe() {
            return "Binary file " + path + (exists ? " would change" : " would be created") + "\n";
        }

        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            files.write(Settings.under(root, path), bytes.toArray());
            return true;
        }
    }

    /** A symlink at {@code path} to {@code target}, replacing whatever is there. */
    record Link(Path path, Path target) implements Change {
        @Override
        public String describe() {
            return "+ symlink " + path + " -> " + target + "\n";
        }

        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            Path at = Settings.under(root, path);
            Files.deleteIfExists(at);
            Files.createSymbolicLink(at, target);
            return true;
        }
    }

    /**
     * A line appended to a file others share (/etc/hosts).
     *
     * @param before what the file held when planned, empty when it did not exist
     */
    record AddLine(Path path, Optional<String> before, String line) implements Change {
        @Override
        public String describe() {
            return UnifiedDiff.of(path.toString(), before.orElse(null), with(before.orElse(""), line));
        }

        /** Appends to the file as it is now, keeping every other line. */
        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            Path at = Settings.under(root, path);
            String now = AtomicFiles.read(at).orElse("");
            files.write(at, with(now, line).getBytes(StandardCharsets.UTF_8));
            return true;
        }

        /** {@code text} with {@code line} appended, after a newline ending the last line if it had none. */
        static String with(String text, String line) {
            return (text.isEmpty() || text.endsWith("\n") ? text : text + "\n") + line + "\n";
        }
    }

    /**
     * The last line equal to {@code line} taken out of a shared file.
     *
     * @param before what the file held when planned (it held the line)
     */
    record RemoveLine(Path path, String before, String line) implements Change {
        @Override
        public String describe() {
            return UnifiedDiff.of(path.toString(), before, without(before, line));
        }

        /** Takes the line out of the file as it is now, leaving every other line; false when it is not there. */
        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            Path at = Settings.under(root, path);
            Optional<String> now = AtomicFiles.read(at);
            if (now.isEmpty() || without(now.get(), line).equals(now.get())) {
                return false;
            }
            files.write(at, without(now.get(), line).getBytes(StandardCharsets.UTF_8));
            return true;
        }

        @Override
        public boolean removes() {
            return true;
        }

        /** {@code text} without its last line equal to {@code line}; {@code text} itself when it has none. */
        static String without(String text, String line) {
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).equals(line)) {
                    lines.remove(i);
                    return String.join("\n", lines);
                }
            }
            return text;
        }
    }

    /**
     * A secret file (a chrony keyfile) written whole, created with mode 0600 ({@link AtomicFiles#LOCK_MODE}) so that
     * no other user can read it at any moment, owned by the user running (root). The bytes never leave this value:
     * {@link #describe} and {@link #toString} name the path, the mode and {@code what}, never the content. It is
     * written only where no other user can redirect it ({@link #checkPrivate}), checked when planned and again
     * when applied.
     *
     * @param exists whether a file was there when planned: {@link #describe} says change or create
     * @param what what the file holds, in words that carry no secret ({@code key 1 (AES128, 128 bits)})
     */
    record WriteSecret(Path path, boolean exists, Bytes bytes, String what) implements Change {
        public WriteSecret {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(what, "what");
        }

        /** A change writing a copy of {@code bytes}. */
        public WriteSecret(Path path, boolean exists, byte[] bytes, String what) {
            this(path, exists, new Bytes(bytes), what);
        }

        @Override
        public String describe() {
            return "+ " + (exists ? "change " : "create ") + path + " (0600 root): " + what
                    + "; the key itself is not shown\n";
        }

        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            checkPrivate(root, path);
            files.write(Settings.under(root, path), bytes.toArray(), Optional.of(AtomicFiles.LOCK_MODE));
            return true;
        }

        /**
         * Refuses to put a secret at {@code path} under {@code root} where another user could read it or redirect
         * the write: a directory on the way that {@link TrustedDirectories} does not trust (a symbolic link or
         * something else than a directory from {@code /} down, a directory another user owns or can write in; a
         * directory not there yet is judged by the one it will be made in), or something else than a regular file
         * at the path itself.
         *
         * @throws IOException naming the path and why, when it is refused
         */
        static void checkPrivate(Path root, Path path) throws IOException {
            Path file = Settings.under(root, path);
            Optional<TrustedDirectories.Refusal> refusal = TrustedDirectories.refusal(file.getParent());
            if (refusal.isPresent()) {
                TrustedDirectories.Refusal r = refusal.get();
                String where = switch (r.kind()) {
                    case SYMBOLIC_LINK -> "through a symbolic link";
                    case NOT_A_DIRECTORY -> "through something else than a directory";
                    case OTHERS_CAN_CHANGE -> "where another user can change the directory or one above it ("
                            + r.reason() + ")";
                };
                throw new FileSystemException(r.directory().toString(), null, "refused to write " + path + " " + where);
            }
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                if (!a.isRegularFile()) {
                    throw new FileSystemException(file.toString(), null, "refused to write " + path + " over "
                            + (a.isSymbolicLink() ? "a symbolic link" : "something else than a regular file"));
                }
            } catch (NoSuchFileException e) {
                // a new file, or one in a directory still to be made
            }
        }
    }

    /**
     * A file or symlink removed (a symlink itself, never its target).
     *
     * @param kind {@link Manifest.Kind#FILE} or {@link Manifest.Kind#LINK}: how {@link #describe} names it
     * @param why said after the path in {@link #describe}, or empty
     */
    record Delete(Path path, Manifest.Kind kind, String why) implements Change {
        public Delete {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(why, "why");
            if (kind != Manifest.Kind.FILE && kind != Manifest.Kind.LINK) {
                throw new IllegalArgumentException("a file or a link, not " + kind);
            }
        }

        @Override
        public String describe() {
            return "- remove " + kind.name().toLowerCase(Locale.ROOT) + " " + path + (why.isEmpty() ? "" : " (" + why + ")")
                    + "\n";
        }

        @Override
        public boolean apply(Path root, AtomicFiles files) throws IOException {
            Path at = Settings.under(root, path);
            return kind == Manifest.Kind.FILE ? files.delete(at) : Files.deleteIfExists(at);
        }

        @Override
        public boolean removes() {
            return true;
        }
    }

    /**
     * The content of a binary or secret file in a change: copied when made and when read, so that no caller can
     * change the bytes between the plan that was shown and the run that applies it. Equal by content, compared in
     * constant time ({@link MessageDigest#isEqual}: a secret's bytes leave no timing trace); its hash and its string
     * depend on the length only, so that neither can show what the bytes are.
     */
    final class Bytes {
        private final byte[] bytes;

        /** A copy of {@code bytes}. */
        Bytes(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes").clone();
        }

        /** A copy of the bytes. */
        byte[] toArray() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && MessageDigest.isEqual(b.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return bytes.length;
        }

        @Override
        public String toString() {
            return bytes.length + " bytes not shown";
        }
    }
}
