package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KeyInstaller} on the plan model: the dry run prints the plan the run applies, the key never shows, the
 * keyfiles are private from their first byte, and no write goes through a symbolic link.
 */
class KeyInstallerTest {
    private static final Path MAIN = Settings.KEY_FILE;
    private static final Path COPY = KeyInstaller.PI_ZERO_COPY;
    /** The key the fixed random source gives: bytes 0x10 to 0x1f. */
    private static final byte[] SECRET = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,
        0x1d, 0x1e, 0x1f};
    private static final String SECRET_HEX = HexFormat.of().formatHex(SECRET);

    @TempDir
    Path root;

    /** A random source that always gives {@link #SECRET}, so two plans of the same root are equal. */
    private static final class FixedRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;

        @Override
        public void nextBytes(byte[] bytes) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = SECRET[i % SECRET.length];
            }
        }
    }

    private record Run(int code, String out) {
    }

    private Run install(boolean dryRun, long keyId) throws IOException {
        return install(new AtomicFiles(), dryRun, keyId);
    }

    private Run install(AtomicFiles files, boolean dryRun, long keyId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new KeyInstaller(root, files, new PrintStream(out, true, StandardCharsets.UTF_8), new FixedRandom())
                .install(Fixtures.settings(root, ""), keyId, dryRun);
        return new Run(code, out.toString(StandardCharsets.UTF_8));
    }

    private KeyInstaller.Keys plan(long keyId) throws IOException {
        return new KeyInstaller(root, new AtomicFiles(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new FixedRandom()).plan(keyId);
    }

    private Path at(Path systemPath) {
        return Settings.under(root, systemPath);
    }

    private static List<String> lines(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    private static void assertNoSecret(String text, byte[]... secrets) {
        for (byte[] s : secrets) {
            String hex = HexFormat.of().formatHex(s);
            assertFalse(text.toLowerCase(Locale.ROOT).contains(hex), "a key is never printed: " + text);
        }
        assertFalse(text.contains("HEX:"), "no key line is printed: " + text);
    }

    /** What each line of the dry run says, in the words of the run: the path and what is written there. */
    private static List<String> asRunLines(String dryRun) {
        List<String> out = new ArrayList<>();
        for (String l : lines(dryRun, "+ ")) {
            String rest = l.substring(l.indexOf(' ', 2) + 1); // after "+ create " or "+ change "
            String path = rest.substring(0, rest.indexOf(' '));
            String what = rest.substring(rest.indexOf("): ") + 3);
            out.add("changed " + path + " (" + what + ")");
        }
        return out;
    }

    private void assertDryRunIsTheRun(long keyId) throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        KeyInstaller.Keys planned = plan(keyId);
        Run dry = install(true, keyId);
        assertEquals(0, dry.code(), dry.out());
        assertEquals(before, Fixtures.tree(root), "a dry run writes nothing");
        assertTrue(dry.out().startsWith(planned.plan().describe()), dry.out());
        assertEquals(planned.plan().changes(), plan(keyId).plan().changes(), "planning twice plans the same");

        Run run = install(false, keyId);
        assertEquals(0, run.code(), run.out());
        assertEquals(asRunLines(dry.out()), lines(run.out(), "changed "), "the run does what the dry run said");
        assertEquals(lines(dry.out(), "= "), lines(run.out(), "= "), "and keeps what it said it keeps");
        for (Change c : planned.plan().changes()) {
            Change.WriteSecret w = (Change.WriteSecret) c;
            assertArrayEquals(w.bytes(), Files.readAllBytes(at(w.path())), "the bytes planned are written: " + w.path());
            assertEquals("rw-------", mode(at(w.path())), w.path().toString());
        }
        assertEquals(List.of(), plan(keyId).plan().changes(), "after the run, nothing is left to do");
    }

    @Test
    void theDryRunOfANewInstallPrintsThePlanTheRunApplies() throws IOException {
        assertDryRunIsTheRun(1);
        NtpKey key = NtpKeyFile.read(at(MAIN)).require(1);
        assertEquals(new NtpKey(1, NtpKeyType.AES128, SECRET), key);
        assertEquals(key, NtpKeyFile.read(at(COPY)).require(1));
    }

    @Test
    void theDryRunOfAnAddedKeyAndAStaleCopyPrintsThePlanTheRunApplies() throws IOException {
        byte[] old = "1 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70\n# \u00e9 kept as it is".getBytes(
                StandardCharsets.UTF_8);
        Files.createDirectories(at(COPY).getParent());
        Files.write(at(MAIN), old);
        Files.setPosixFilePermissions(at(MAIN), PosixFilePermissions.fromString("r--------"));
        Files.writeString(at(COPY), "1 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70\n");
        Files.setPosixFilePermissions(at(COPY), PosixFilePermissions.fromString("rw-------"));
        KeyInstaller.Keys planned = plan(7);
        assertEquals("+ change " + MAIN + " (0600 root): key 7 (AES128, 128 bits) added to its other keys; the key"
                + " itself is not shown\n+ change " + COPY + " (0600 root): key 7 (AES128, 128 bits); the key itself"
                + " is not shown\n", planned.plan().describe());
        assertDryRunIsTheRun(7);
        byte[] now = Files.readAllBytes(at(MAIN));
        assertArrayEquals(old, Arrays.copyOf(now, old.length), "the other lines stay, byte for byte");
        assertEquals(NtpKeyType.SHA1, NtpKeyFile.read(at(MAIN)).require(1).type());
    }

    @Test
    void aSecondDryRunAndRunSayTheKeyIsKept() throws IOException {
        install(false, 1);
        Map<String, String> after = Fixtures.tree(root);
        Run dry = install(true, 1);
        Run run = install(false, 1);
        assertEquals(List.of(), lines(dry.out(), "+ "));
        assertEquals(List.of(), lines(run.out(), "changed "));
        assertEquals(List.of("= " + MAIN + " already holds key 1 (AES128, 128 bits)",
                "= " + COPY + " already holds key 1 (AES128, 128 bits)"), lines(run.out(), "= "));
        assertEquals(lines(run.out(), "= "), lines(dry.out(), "= "));
        assertEquals(after, Fixtures.tree(root));
    }

    @Test
    void thePlanAndItsChangesNeverShowTheKey() throws IOException {
        KeyInstaller.Keys planned = plan(2);
        assertNoSecret(planned.plan().describe() + planned.plan().changes() + planned, SECRET);
    }

    @Test
    void aRefusedKeyfileIsNamedWithoutItsKey() throws IOException {
        Files.createDirectories(at(MAIN).getParent());
        Files.writeString(at(MAIN), "1 AES128 HEX:" + SECRET_HEX.toUpperCase(Locale.ROOT) + "\n");
        Files.setPosixFilePermissions(at(MAIN), PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> before = Fixtures.tree(root);
        for (boolean dryRun : new boolean[] {true, false}) {
            Run r = install(dryRun, 1);
            assertEquals(1, r.code(), r.out());
            assertTrue(r.out().startsWith("error: " + at(MAIN) + ": the keyfile is accessible to group or others"),
                    r.out());
            assertNoSecret(r.out(), SECRET);
        }
        assertEquals(before, Fixtures.tree(root));
    }

    @Test
    void everyByteOfAKeyfileIsPrivateFromItsCreationOn() throws IOException {
        List<String> seen = new ArrayList<>();
        AtomicFiles watched = new AtomicFiles(new AtomicFiles.Hooks() {
            @Override
            public void afterWrite(Path tmp) throws IOException {
                seen.add(tmp.getFileName() + " " + mode(tmp) + " after write");
            }

            @Override
            public void beforeRename(Path tmp) throws IOException {
                seen.add(tmp.getFileName() + " " + mode(tmp) + " before rename");
            }
        });
        Run run = install(watched, false, 1);
        assertEquals(0, run.code(), run.out());
        assertEquals(4, seen.size(), seen.toString());
        for (String s : seen) {
            assertTrue(s.contains(" rw------- "), "the temporary file is 0600 as soon as it exists: " + s);
        }
        assertEquals("rw-------", mode(at(MAIN)));
        assertEquals("rw-------", mode(at(COPY)));
        assertEquals(System.getProperty("user.name"), Files.getOwner(at(MAIN), LinkOption.NOFOLLOW_LINKS).getName());
        try (Stream<Path> s = Files.list(at(COPY).getParent())) {
            assertEquals(List.of("chrony.keys"), s.map(p -> p.getFileName().toString()).toList(),
                    "no temporary file is left");
        }
    }

    /** Both the dry run and the run refuse, with the same error, and nothing changes anywhere. */
    private void assertRefused(Path outside, String error) throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        Map<String, String> beforeOutside = Fixtures.tree(outside);
        FileSystemException e = assertThrows(FileSystemException.class, () -> plan(1));
        assertTrue(FailSafe.describe(e).startsWith(error), FailSafe.describe(e));
        Run dry = install(true, 1);
        Run run = install(false, 1);
        assertEquals(1, dry.code(), dry.out());
        assertEquals(1, run.code(), run.out());
        assertTrue(dry.out().startsWith("error: " + error), dry.out());
        assertEquals(dry.out(), run.out(), "the run refuses as the dry run does");
        assertEquals(before, Fixtures.tree(root));
        assertEquals(beforeOutside, Fixtures.tree(outside), "nothing written where a link pointed");
    }

    @Test
    void aKeyfileThatIsASymlinkIsRefused(@TempDir Path outside) throws IOException {
        Path target = Files.writeString(outside.resolve("planted"), "");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        Files.createDirectories(at(MAIN).getParent());
        Files.createSymbolicLink(at(MAIN), target);
        assertRefused(outside, "refused to write " + MAIN + " over a symbolic link: " + at(MAIN));
    }

    @Test
    void aCopyThatIsASymlinkIsRefused(@TempDir Path outside) throws IOException {
        Files.createDirectories(at(COPY).getParent());
        Files.createSymbolicLink(at(COPY), outside.resolve("would-be-created"));
        assertRefused(outside, "refused to write " + COPY + " over a symbolic link: " + at(COPY));
    }

    @Test
    void aDirectoryThatIsASymlinkIsRefused(@TempDir Path outside) throws IOException {
        Files.createDirectories(at(MAIN).getParent());
        Files.createSymbolicLink(at(COPY).getParent(), outside);
        assertRefused(outside, "refused to write " + COPY + " through a symbolic link: " + at(COPY).getParent());
    }

    @Test
    void aDirectoryAnotherUserCanChangeIsRefused(@TempDir Path outside) throws IOException {
        Files.createDirectories(at(MAIN).getParent());
        Files.setPosixFilePermissions(at(MAIN).getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefused(outside, "refused to write " + MAIN + " where another user can change the directory");
    }

    @Test
    void aCopyOthersCanReadIsRefusedNotSilentlyKept() throws IOException {
        install(false, 1);
        Files.setPosixFilePermissions(at(COPY), PosixFilePermissions.fromString("rw-r--r--"));
        Run dry = install(true, 1);
        assertEquals(1, dry.code(), dry.out());
        assertTrue(dry.out().startsWith("error: " + at(COPY) + ": the keyfile is accessible to group or others"),
                dry.out());
        assertEquals(dry.out(), install(false, 1).out());
    }

    @Test
    void aKeyIdDefinedTwiceIsRefusedRatherThanDefinedAThirdTime() throws IOException {
        Files.createDirectories(at(MAIN).getParent());
        Files.writeString(at(MAIN), "3 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70\n"
                + "3 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B71\n");
        Files.setPosixFilePermissions(at(MAIN), PosixFilePermissions.fromString("rw-------"));
        Map<String, String> before = Fixtures.tree(root);
        Run dry = install(true, 3);
        assertEquals(1, dry.code(), dry.out());
        assertTrue(dry.out().startsWith("error: " + MAIN + ": key 3 is defined more than once; nothing written"),
                dry.out());
        assertEquals(dry.out(), install(false, 3).out());
        assertEquals(before, Fixtures.tree(root));
    }

    @Test
    void aSecretChangeNeverShowsItsBytes() {
        Change.WriteSecret w = new Change.WriteSecret(MAIN, false, SECRET, "key 1 (AES128, 128 bits)");
        assertEquals("+ create " + MAIN + " (0600 root): key 1 (AES128, 128 bits); the key itself is not shown\n",
                w.describe());
        assertNoSecret(w.describe() + w + w.hashCode(), SECRET);
        assertEquals(w, new Change.WriteSecret(MAIN, false, SECRET.clone(), "key 1 (AES128, 128 bits)"));
        byte[] other = SECRET.clone();
        other[0]++;
        assertFalse(w.equals(new Change.WriteSecret(MAIN, false, other, "key 1 (AES128, 128 bits)")));
    }
}
