package dev.pintp.ntp.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a user other than root and the one running this process could put another file at a path, by the rule the
 * installer writes secrets by (ntp-systemd's {@code AtomicFiles.othersCanChange} and
 * {@code Change.WriteSecret.checkPrivate}): every directory from {@code /} down to the file's own is a real directory
 * (a symbolic link is refused, not followed), owned by root or the running user, and not writable by group or others;
 * a directory above the file's own may be group- or world-writable with the sticky bit (as {@code /tmp} is), since
 * the sticky bit keeps others from renaming the trusted directory below it; the file's own directory may not, sticky
 * or not. Stateless; reads attributes only, never follows a link.
 */
public final class TrustedDirectories {
    private static final int S_ISVTX = 01000;
    private static final int GROUP_OR_OTHER_WRITE = 0022;

    private TrustedDirectories() {
    }

    /**
     * Why others could change what {@code file} names, or empty when they cannot. A relative path is taken from the
     * working directory; {@code .} and {@code ..} are resolved by name, so a caller opens the same
     * {@code file.toAbsolutePath().normalize()} that was checked.
     *
     * @return a sentence naming the directory and the reason (with the fix), for a message that names the file
     * @throws IOException when a directory's attributes cannot be read ({@link java.nio.file.NoSuchFileException}
     *     for a missing directory)
     */
    public static Optional<String> refusal(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        Path own = abs.getParent();
        if (own == null) {
            return Optional.of(abs + " has no directory");
        }
        List<Path> dirs = new ArrayList<>();
        for (Path d = own; d != null; d = d.getParent()) {
            dirs.add(0, d);
        }
        String user = System.getProperty("user.name", "");
        for (Path d : dirs) {
            Map<String, Object> a = Files.readAttributes(d, "unix:mode,owner,isDirectory,isSymbolicLink",
                    LinkOption.NOFOLLOW_LINKS);
            if ((Boolean) a.get("isSymbolicLink")) {
                return Optional.of(d + " is a symbolic link; name the real path");
            }
            if (!(Boolean) a.get("isDirectory")) {
                return Optional.of(d + " is not a directory");
            }
            String owner = ((UserPrincipal) a.get("owner")).getName();
            if (!owner.equals("root") && !owner.equals(user)) {
                return Optional.of("the directory " + d + " is owned by " + owner + ", not by root or " + user
                        + ": " + owner + " could put another file there");
            }
            int mode = (Integer) a.get("mode") & 07777;
            if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
                if (d.equals(own)) {
                    return Optional.of("the directory " + d + " is writable by group or others (mode "
                            + String.format("%04o", mode) + "), so they could put another file there"
                            + ((mode & S_ISVTX) != 0 ? "; the sticky bit protects a private directory in it, not a"
                                    + " file directly in it: move the file into one" : ": chmod go-w " + d));
                }
                if ((mode & S_ISVTX) == 0) {
                    return Optional.of("the directory " + d + " is writable by group or others (mode "
                            + String.format("%04o", mode) + "), so they could replace the directories below it: "
                            + "chmod go-w " + d);
                }
                // sticky: others cannot rename or remove the directory below, which the next step checks is trusted
            }
        }
        return Optional.empty();
    }
}
