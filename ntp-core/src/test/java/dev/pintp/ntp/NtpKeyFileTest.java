package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** chrony's keyfile as chronyd reads it (keys.c KEY_Reload, cmdparse.c CPS_ParseKey / CPS_NormalizeLine). */
class NtpKeyFileTest {
    /** The example of chrony.conf(5), "keyfile", with the AES keys. */
    static final String CHRONY_EXAMPLE = """
            10 tulip
            11 hyacinth
            20 MD5 ASCII:crocus
            25 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70
            30 AES128 HEX:7EA62AE64D190114D46D5A082F948EC1
            31 AES256 HEX:37DDCBC67BB902BCB8E995977FAB4D2B5642F5B32EBCEEE421921D97E5CBFE39
            """;

    @Test
    void chronysDocumentedExampleReadsAsChronyReadsIt() {
        NtpKeyFile f = NtpKeyFile.parse("chrony.keys", CHRONY_EXAMPLE);
        assertEquals(6, f.keys().size(), f.problems()::toString);
        assertTrue(f.problems().isEmpty());
        NtpKey tulip = f.require(10);
        assertEquals(NtpKeyType.MD5, tulip.type(), "no type: MD5");
        assertArrayEquals("tulip".getBytes(StandardCharsets.US_ASCII), tulip.secret());
        assertArrayEquals("crocus".getBytes(StandardCharsets.US_ASCII), f.require(20).secret(), "ASCII: prefix");
        assertEquals(NtpKeyType.SHA1, f.require(25).type());
        assertArrayEquals(HexFormat.of().parseHex("933F62BE1D604E68A81B557F18CFA200483F5B70"), f.require(25).secret());
        assertEquals(NtpKeyType.AES128, f.require(30).type());
        assertEquals(128, f.require(30).bits());
        assertEquals(NtpKeyType.AES256, f.require(31).type());
        assertEquals(256, f.require(31).bits());
    }

    @Test
    void whiteSpaceAndCommentsAreIgnoredAsByChronyd() {
        NtpKeyFile f = NtpKeyFile.parse("k", "# comment\n  ! also\n;x\n%y\n\n \t 1\tSHA256   HEX:0a0B \r\n"
                + "2 SHA1 a#b\n");
        assertEquals(2, f.keys().size(), f.problems()::toString);
        assertArrayEquals(new byte[] {10, 11}, f.require(1).secret());
        assertArrayEquals("a#b".getBytes(StandardCharsets.US_ASCII), f.require(2).secret(), "# inside a line is text");
    }

    @Test
    void unusableLinesAreSkippedWithTheirLineAndTheRestLoads() {
        NtpKeyFile f = NtpKeyFile.parse("k", String.join("\n",
                "1 AES128 HEX:00", // wrong AES length
                "2 SHA1 HEX:abc", // odd hex
                "3 SHA1 HEX:zz", // not hex
                "4 SHA512 HEX:00", // not supported by pintp
                "0 SHA1 HEX:00", // id 0
                "4294967296 SHA1 HEX:00", // id too large
                "1abc SHA1 HEX:00", // chronyd's sscanf would read 1
                "5", // one word
                "6 SHA1 HEX:00 extra", // four words
                "7 SHA1 ASCII:", // empty
                "8 SHA1 HEX:", // empty
                "9 sha1 HEX:00", // types are case-sensitive
                "4294967295 SHA1 HEX:01"));
        assertEquals(1, f.keys().size(), f.problems()::toString);
        assertEquals(4294967295L, f.keys().get(0).id());
        assertEquals(12, f.problems().size());
        assertEquals(1, f.problems().get(0).line());
        assertEquals("key 1 of type AES128 must be 128 bits, was 8", f.problems().get(0).message());
        assertEquals("key 4 has type SHA512, which pintp does not support (AES128, AES256, SHA1, SHA256, MD5)",
                f.problems().get(3).message());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.require(1));
        assertEquals("k: key 1 cannot be used: line 1: key 1 of type AES128 must be 128 bits, was 8", e.getMessage());
    }

    @Test
    void aKeyDefinedTwiceIsNotUsed() {
        NtpKeyFile f = NtpKeyFile.parse("k", "1 SHA1 HEX:00\n2 SHA1 HEX:01\n1 SHA1 HEX:02\n1 SHA1 HEX:03\n");
        assertTrue(f.key(1).isEmpty());
        assertEquals("k: key 1 is defined more than once",
                assertThrows(IllegalArgumentException.class, () -> f.require(1)).getMessage());
        assertTrue(f.key(2).isPresent());
    }

    @Test
    void messagesNeverContainTheKey() {
        NtpKeyFile f = NtpKeyFile.parse("k", "1 HEX:secretvalue1 SHA1\n2 AES128 ASCII:secretvalue2\n"
                + "3 secretvalue3 HEX:00\n");
        assertEquals(3, f.problems().size(), f.problems()::toString);
        for (NtpKeyFile.Problem p : f.problems()) {
            assertFalse(p.message().contains("secretvalue"), p::toString);
        }
        assertEquals("key 3 has type (not a type name), which pintp does not support (AES128, AES256, SHA1, SHA256,"
                + " MD5)", f.problems().get(2).message());
    }

    @Test
    void aMissingKeyIsAClearError() {
        NtpKeyFile f = NtpKeyFile.parse("/etc/ntp-monitor/keys", "1 SHA1 HEX:00\n");
        assertEquals("/etc/ntp-monitor/keys: no key 9",
                assertThrows(IllegalArgumentException.class, () -> f.require(9)).getMessage());
    }

    @Test
    void tooLongLinesAndNulsAreProblems() {
        NtpKeyFile f = NtpKeyFile.parse("k", "1 SHA1 ASCII:" + "x".repeat(2040) + "\n2 SHA1 a\0b\n3 SHA1 HEX:00");
        assertEquals(1, f.keys().size());
        assertEquals(2, f.problems().size());
    }

    // ---- reading the file: it holds secrets ----

    @Test
    void aPrivateFileIsRead(@TempDir Path dir) throws IOException {
        Path p = write(dir, "rw-------");
        assertEquals(6, NtpKeyFile.read(p).keys().size());
        assertEquals(p.toString(), NtpKeyFile.read(p).source());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--------"));
        assertEquals(6, NtpKeyFile.read(p).keys().size());
    }

    @Test
    void aFileOthersCanReadOrWriteIsRefused(@TempDir Path dir) throws IOException {
        for (String mode : new String[] {"rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rw------x"}) {
            Path p = write(dir, mode);
            IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(p), mode);
            assertTrue(e.getMessage().contains("accessible to group or others"), e::getMessage);
            assertTrue(e.getMessage().contains("chmod 600"), e::getMessage);
            Files.delete(p);
        }
    }

    @Test
    void aSymlinkToAPrivateFileIsRefused(@TempDir Path dir) throws IOException {
        Path p = write(dir, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), p);
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(link));
        assertTrue(e.getMessage().contains("symbolic link"), e::getMessage);
    }

    @Test
    void aDirectoryOrAHugeFileIsRefused(@TempDir Path dir) throws IOException {
        assertThrows(IOException.class, () -> NtpKeyFile.read(dir));
        Path big = dir.resolve("big");
        Files.write(big, new byte[NtpKeyFile.MAX_FILE_SIZE + 1]);
        Files.setPosixFilePermissions(big, PosixFilePermissions.fromString("rw-------"));
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(big));
        assertTrue(e.getMessage().contains("larger than"), e::getMessage);
    }

    // ---- the directories above it: as strict as the installer that writes it ----
    // @TempDir is a private (0700) directory of the user running the tests in java.io.tmpdir (/tmp: root, 1777), so
    // the rule passes down to it and each test's verdict depends only on the tree it builds inside.

    @Test
    void aKeyfileInPrivateDirectoriesIsRead(@TempDir Path dir) throws IOException {
        Path deep = Files.createDirectories(dir.resolve("etc/ntp-monitor"));
        Files.setPosixFilePermissions(deep, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path p = write(deep, "rw-------");
        assertEquals(6, NtpKeyFile.read(p).keys().size());
        Path relative = Path.of("").toAbsolutePath().relativize(p);
        assertEquals(6, NtpKeyFile.read(relative).keys().size(), relative.toString());
        assertEquals(6, NtpKeyFile.read(deep.resolve("../ntp-monitor/keys")).keys().size());
    }

    @Test
    void aKeyfileReachedThroughASymlinkedDirectoryIsRefused(@TempDir Path dir) throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        write(real, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Path p = link.resolve("keys");
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(p));
        assertEquals(p + ": the keyfile is refused: " + link + " is a symbolic link; name the real path",
                e.getMessage());
        Path below = Files.createDirectory(real.resolve("below"));
        write(below, "rw-------");
        Path through = link.resolve("below/keys");
        e = assertThrows(IOException.class, () -> NtpKeyFile.read(through), "a link further up is refused too");
        assertTrue(e.getMessage().startsWith(through + ": the keyfile is refused: " + link + " is a symbolic link"),
                e::getMessage);
        assertEquals(6, NtpKeyFile.read(below.resolve("keys")).keys().size(), "the real path is read");
    }

    @Test
    void aKeyfileInADirectoryGroupOrOthersCanWriteIsRefused(@TempDir Path dir) throws IOException {
        Path own = Files.createDirectory(dir.resolve("own"));
        Path p = write(own, "rw-------");
        for (String mode : new String[] {"rwxrwxr-x", "rwxr-xrwx", "rwx-w----", "rwx----w-"}) {
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString(mode));
            IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(p), mode);
            assertTrue(e.getMessage().startsWith(p + ": the keyfile is refused: the directory " + own
                    + " is writable by group or others"), e::getMessage);
            assertTrue(e.getMessage().endsWith("chmod go-w " + own), e::getMessage);
        }
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        assertEquals(6, NtpKeyFile.read(p).keys().size());
    }

    @Test
    void aKeyfileBelowADirectoryGroupOrOthersCanWriteIsRefused(@TempDir Path dir) throws IOException {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Path own = Files.createDirectory(shared.resolve("own"));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        Path p = write(own, "rw-------");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(p),
                "whoever can write shared/ can put another own/ there");
        assertTrue(e.getMessage().startsWith(p + ": the keyfile is refused: the directory " + shared
                + " is writable by group or others (mode 0777)"), e::getMessage);
    }

    @Test
    void aStickyDirectoryProtectsAPrivateDirectoryInItNotAFileDirectlyInIt(@TempDir Path dir) throws IOException {
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path own = Files.createDirectory(sticky.resolve("own"));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwx------"));
        assertEquals(6, NtpKeyFile.read(write(own, "rw-------")).keys().size(), "as in /tmp");
        Path direct = write(sticky, "rw-------");
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(direct));
        assertTrue(e.getMessage().startsWith(direct + ": the keyfile is refused: the directory " + sticky
                + " is writable by group or others (mode 1777)"), e::getMessage);
        assertTrue(e.getMessage().contains("move the file into one"), e::getMessage);
    }

    @Test
    void aKeyfileInADirectoryAnotherUserOwnsIsRefused(@TempDir Path dir) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a directory away");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Path p = write(theirs, "rw-------");
        Files.setOwner(theirs, theirs.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        IOException e = assertThrows(IOException.class, () -> NtpKeyFile.read(p));
        assertEquals(p + ": the keyfile is refused: the directory " + theirs + " is owned by nobody, not by root or"
                + " root: nobody could put another file there", e.getMessage());
    }

    private static Path write(Path dir, String mode) throws IOException {
        Path p = dir.resolve("keys");
        Files.writeString(p, CHRONY_EXAMPLE, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }
}
