package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pintp.ntp.internal.TrustedDirectories.Kind;
import dev.pintp.ntp.internal.TrustedDirectories.Refusal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrustedDirectories}: the one rule by which a root process trusts a directory, for each case where the three
 * rules it replaced differed (the keyfile reader's refused every link and threw on a missing directory; the file
 * writer's followed links with {@code toRealPath}; the secret writer's refused links only below the install root and
 * stopped at the first missing directory).
 */
class TrustedDirectoriesTest {
    // @TempDir is a private (0700) directory of the user running the tests in java.io.tmpdir (/tmp: root, 1777), so
    // the rule passes down to it and each test's verdict depends only on the tree it builds inside.
    @TempDir
    Path dir;

    private Path directory(String name, String mode) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    private static Refusal refused(Path directory) throws IOException {
        Optional<Refusal> r = TrustedDirectories.refusal(directory);
        return r.orElseThrow(() -> new AssertionError("trusted, but should not be: " + directory));
    }

    private static void trusted(Path directory) throws IOException {
        assertEquals(Optional.empty(), TrustedDirectories.refusal(directory), directory.toString());
    }

    @Test
    void privateDirectoriesFromTheRootDownAreTrusted() throws IOException {
        Path deep = directory("etc/ntp-monitor", "rwxr-xr-x");
        trusted(deep);
        trusted(dir);
        trusted(Path.of("").toAbsolutePath().relativize(deep));
        trusted(deep.resolve("../ntp-monitor"));
    }

    @Test
    void aSymbolicLinkOnTheWayIsRefusedEvenOneRootOwnsInADirectoryOnlyRootCanChange() throws IOException {
        // what the file writer once followed (toRealPath): /var/run -> /run and /lib -> usr/lib are refused as well
        Path real = directory("real", "rwxr-xr-x");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertEquals(new Refusal(link, Kind.SYMBOLIC_LINK, link + " is a symbolic link; name the real path"),
                refused(link));
        directory("real/below", "rwxr-xr-x");
        assertEquals(new Refusal(link, Kind.SYMBOLIC_LINK, link + " is a symbolic link; name the real path"),
                refused(link.resolve("below")), "a link further up is refused too");
        assertEquals(new Refusal(link, Kind.SYMBOLIC_LINK, link + " is a symbolic link; name the real path"),
                refused(link.resolve("not-yet/made")), "also on the way to a directory still to be made");
        trusted(real.resolve("below"));
    }

    @Test
    void somethingElseThanADirectoryOnTheWayIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "");
        assertEquals(new Refusal(file, Kind.NOT_A_DIRECTORY, file + " is not a directory"),
                refused(file.resolve("below")));
    }

    @Test
    void aDirectoryNotThereYetIsJudgedByTheDeepestOneThatIs() throws IOException {
        // the keyfile reader threw NoSuchFileException and the file writer's toRealPath too; the secret writer judged
        // the deepest existing directory: that is the rule now, for all of them
        Path own = directory("own", "rwxr-xr-x");
        trusted(own.resolve("new"));
        trusted(own.resolve("new/and/deeper"));

        Path shared = directory("shared", "rwxrwxrwx");
        Refusal r = refused(shared.resolve("new"));
        assertEquals(shared, r.directory());
        assertEquals(Kind.OTHERS_CAN_CHANGE, r.kind());
        assertEquals("the directory " + shared + " is writable by group or others (mode 0777), so they could replace"
                + " the directories below it: chmod go-w " + shared, r.reason());

        Path sticky = directory("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777);
        r = refused(sticky.resolve("new/keys-dir"));
        assertEquals(sticky, r.directory());
        assertEquals("the directory " + sticky + " is writable by group or others (mode 1777), so they could create "
                + sticky.resolve("new") + " before it is made; the sticky bit does not prevent that: create "
                + sticky.resolve("new") + " first, owned by root and not writable by group or others", r.reason());
        directory("sticky/new", "rwx------");
        trusted(sticky.resolve("new/keys-dir"));
    }

    @Test
    void aDirectoryGroupOrOthersCanWriteIsRefusedAndOneAboveItToo() throws IOException {
        for (String[] m : new String[][] {{"rwxrwxr-x", "0775"}, {"rwxr-xrwx", "0757"}, {"rwx-w----", "0720"},
                {"rwx----w-", "0702"}}) {
            String mode = m[0];
            Path own = directory("own", mode);
            Refusal r = refused(own);
            assertEquals(Kind.OTHERS_CAN_CHANGE, r.kind(), mode);
            assertEquals("the directory " + own + " is writable by group or others (mode " + m[1]
                    + "), so they could put another file there: chmod go-w " + own, r.reason(), mode);
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
            Path below = directory("own/below", "rwx------");
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString(mode));
            assertEquals(own, refused(below).directory(), "whoever can write own/ can put another below/ there");
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
            trusted(below);
            Files.delete(below);
        }
    }

    @Test
    void aStickyDirectoryProtectsATrustedDirectoryInItNotAFileDirectlyInIt() throws IOException {
        Path sticky = directory("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path own = directory("sticky/own", "rwx------");
        trusted(own);
        Refusal r = refused(sticky);
        assertEquals(new Refusal(sticky, Kind.OTHERS_CAN_CHANGE, "the directory " + sticky + " is writable by group"
                + " or others (mode 1777), so they could put another file there; the sticky bit protects a private"
                + " directory in it, not a file directly in it: move the file into one"), r);
    }

    @Test
    void aDirectoryAnotherUserOwnsIsRefusedAlsoInAStickyOne() throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        Path theirs = directory("theirs", "rwxr-xr-x");
        Files.setAttribute(theirs, "unix:uid", 65534);
        String name = Files.getOwner(theirs, LinkOption.NOFOLLOW_LINKS).getName();
        assertEquals(new Refusal(theirs, Kind.OTHERS_CAN_CHANGE, "the directory " + theirs + " is owned by " + name
                + ", not by root or root: " + name + " could put another file there"), refused(theirs));

        // in a sticky directory, the sticky bit protects only an entry root owns: its owner may rename this one
        Path sticky = directory("sticky", "rwxrwxrwx");
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path inSticky = directory("sticky/theirs", "rwxr-xr-x");
        directory("sticky/theirs/mine", "rwx------");
        Files.setAttribute(inSticky, "unix:uid", 65534);
        assertEquals(inSticky, refused(inSticky.resolve("mine")).directory());
    }
}
