package dev.pintp.ntp.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one rule by which a root process trusts a directory to hold a file it writes or reads (docs/security.md, "File
 * handling"): no user other than root and the one running this process could redirect the path or replace what is
 * in it. Every directory from {@code /} down to the file's own
 * <ul>
 *   <li>is a real directory: a symbolic link on the way is refused, never followed, even one root owns such as
 *       {@code /var/run -> /run} or {@code /lib -> usr/lib} (name the real path instead);</li>
 *   <li>is owned by root or the running user;</li>
 *   <li>is not writable by group or others, except a directory above the file's own with the sticky bit (as
 *       {@code /tmp}), since the sticky bit keeps others from renaming or removing the trusted directory below it;
 *       the file's own directory may not be, sticky or not (others could create the file's name first).</li>
 * </ul>
 * A directory that does not exist yet (one a plan will create) is judged by the deepest one that exists, which must
 * then pass as the file's own would: whoever could write in it could create the missing directory first.
 * Used by {@code NtpKeyFile.read} and by ntp-systemd's file writer and secret writer. Stateless; reads attributes
 * only, never follows a link.
 */
public final class TrustedDirectories {
    private static final int S_ISVTX = 01000;
    private static final int GROUP_OR_OTHER_WRITE = 0022;

    private TrustedDirectories() {
    }

    /** What is wrong with a directory on the way. */
    public enum Kind {
        /** A symbolic link where a directory was expected. */
        SYMBOLIC_LINK,
        /** Something else than a directory (a file, a FIFO) where a directory was expected. */
        NOT_A_DIRECTORY,
        /** A directory another user owns or can write in. */
        OTHERS_CAN_CHANGE
    }

    /**
     * Why a directory is not trusted.
     *
     * @param directory the directory on the way at fault (absolute)
     * @param reason a sentence naming {@code directory} and why, with the fix where there is one, for a message that
     *     names the file
     */
    public record Refusal(Path directory, Kind kind, String reason) {
        public Refusal {
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Why others could change what is in {@code directory} or what it names, by the rule of the class comment, or
     * empty when they cannot. A relative path is taken from the working directory; {@code .} and {@code ..} are
     * resolved by name (as the kernel would, since no link is allowed on the way), so a caller uses the same
     * {@code directory.toAbsolutePath().normalize()} that was checked.
     *
     * @throws IOException when a directory's attributes cannot be read (a missing one is not an error: see the class
     *     comment)
     */
    public static Optional<Refusal> refusal(Path directory) throws IOException {
        Path own = directory.toAbsolutePath().normalize();
        List<Path> dirs = new ArrayList<>();
        for (Path d = own; d != null; d = d.getParent()) {
            dirs.add(0, d);
        }
        String user = System.getProperty("user.name", "");
        Path deepest = null;
        int deepestMode = 0;
        Path missing = null;
        for (Path d : dirs) {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(d, "unix:mode,owner,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing = d;
                break;
            }
            if ((Boolean) a.get("isSymbolicLink")) {
                return refused(d, Kind.SYMBOLIC_LINK, d + " is a symbolic link; name the real path");
            }
            if (!(Boolean) a.get("isDirectory")) {
                return refused(d, Kind.NOT_A_DIRECTORY, d + " is not a directory");
            }
            String owner = ((UserPrincipal) a.get("owner")).getName();
            if (!owner.equals("root") && !owner.equals(user)) {
                return refused(d, Kind.OTHERS_CAN_CHANGE, "the directory " + d + " is owned by " + owner
                        + ", not by root or " + user + ": " + owner + " could put another file there");
            }
            int mode = (Integer) a.get("mode") & 07777;
            if ((mode & GROUP_OR_OTHER_WRITE) != 0 && (mode & S_ISVTX) == 0) {
                return refused(d, Kind.OTHERS_CAN_CHANGE, "the directory " + d + " is writable by group or others"
                        + " (mode " + octal(mode) + "), so they could " + (d.equals(own) ? "put another file there"
                                : "replace the directories below it") + ": chmod go-w " + d);
            }
            // sticky: others cannot rename or remove the directory below, whose owner the next step checks
            deepest = d;
            deepestMode = mode;
        }
        if ((deepestMode & GROUP_OR_OTHER_WRITE) != 0) { // sticky, and no trusted directory below it
            String start = "the directory " + deepest + " is writable by group or others (mode " + octal(deepestMode)
                    + "), so they could ";
            return refused(deepest, Kind.OTHERS_CAN_CHANGE, missing == null
                    ? start + "put another file there; the sticky bit protects a private directory in it, not a file"
                            + " directly in it: move the file into one"
                    : start + "create " + missing + " before it is made; the sticky bit does not prevent that:"
                            + " create " + missing + " first, owned by root and not writable by group or others");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refused(Path directory, Kind kind, String reason) {
        return Optional.of(new Refusal(directory, kind, reason));
    }

    private static String octal(int mode) {
        return String.format("%04o", mode);
    }
}
