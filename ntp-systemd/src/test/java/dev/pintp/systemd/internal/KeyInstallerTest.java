package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.sysconf.ConfigException;
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
import java.util.Optional;
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
        return install(files, dryRun, Optional.of(keyId));
    }

    /** {@link KeyInstaller#load} (the configuration under the root, as the job reads it), then the install. */
    private Run install(AtomicFiles files, boolean dryRun, Optional<Long> keyId) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeyInstaller installer = new KeyInstaller(root, files, new PrintStream(out, true, StandardCharsets.UTF_8),
                new FixedRandom());
        Settings settings;
        try {
            settings = installer.load(Map.of(), keyId);
        } catch (ConfigException e) {
            throw new AssertionError("configuration refused: " + e.getMessage(), e);
        }
        int code = installer.install(settings, dryRun);
        return new Run(code, out.toString(StandardCharsets.UTF_8));
    }

    /** The configuration error {@link KeyInstaller#load} refuses ntp-monitor.conf with; nothing is written. */
    private ConfigException refused(Optional<Long> keyId) throws IOException {
        Map<String, String> before = Fixtures.tree(root);
        ConfigException e = assertThrows(ConfigException.class, () -> new KeyInstaller(root, new AtomicFiles(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new FixedRandom())
                .load(Map.of(), keyId));
        assertEquals(before, Fixtures.tree(root), "nothing written");
        return e;
    }

    private void configure(String ini) throws IOException {
        Path conf = at(Settings.CONFIG_FILE);
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, ini);
    }

    private void privateKeyfile(Path systemPath, String text) throws IOException {
        Files.createDirectories(at(systemPath).getParent());
        Files.writeString(at(systemPath), text);
        Files.setPosixFilePermissions(at(systemPath), PosixFilePermissions.fromString("rw-------"));
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
            assertArrayEquals(w.bytes().toArray(), Files.readAllBytes(at(w.path())), "the bytes planned are written: " + w.path());
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
    void aRootReachedThroughASymbolicLinkIsRefusedAsALinkBelowItIs(@TempDir Path outside) throws IOException {
        // the one rule (TrustedDirectories) from / down; this check once followed links at and above the root
        Path link = Files.createSymbolicLink(outside.resolve("root"), root);
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> Change.WriteSecret.checkPrivate(link, MAIN));
        assertEquals("refused to write " + MAIN + " through a symbolic link: " + link, FailSafe.describe(e));
        Change.WriteSecret.checkPrivate(root, MAIN);
    }

    @Test
    void aDirectoryStillToBeMadeInAStickyOneIsRefusedWithTheReason() throws IOException {
        Path etc = Files.createDirectories(at(MAIN).getParent().getParent());
        Files.setAttribute(etc, "unix:mode", 01777);
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> Change.WriteSecret.checkPrivate(root, MAIN));
        assertEquals("refused to write " + MAIN + " where another user can change the directory or one above it (the"
                + " directory " + etc + " is writable by group or others (mode 1777), so they could create "
                + at(MAIN).getParent() + " before it is made; the sticky bit does not prevent that: create "
                + at(MAIN).getParent() + " first, owned by root and not writable by group or others): " + etc,
                FailSafe.describe(e));
        Files.setAttribute(etc, "unix:mode", 0755);
        Change.WriteSecret.checkPrivate(root, MAIN);
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

    private static final Path CONFIGURED = Path.of("/srv/keys/chrony.keys");
    private static final String KEYED = "[Servers]\nPrimary=127.0.0.1\n[Auth]\nPrimaryKey=3\nKeyFile=" + CONFIGURED
            + "\n";

    @Test
    void theConfiguredKeyFileAndKeyIdAreWhereTheDryRunAndTheRunWrite() throws IOException {
        configure(KEYED);
        Run dry = install(new AtomicFiles(), true, Optional.empty());
        assertEquals(0, dry.code(), dry.out());
        assertTrue(dry.out().startsWith("+ create " + CONFIGURED + " (0600 root): key 3 (AES128, 128 bits); the key"
                + " itself is not shown\n+ create " + COPY + " (0600 root): key 3 (AES128, 128 bits)"), dry.out());
        assertFalse(Files.exists(at(CONFIGURED)), "a dry run writes nothing");
        Run run = install(new AtomicFiles(), false, Optional.empty());
        assertEquals(0, run.code(), run.out());
        assertEquals(asRunLines(dry.out()), lines(run.out(), "changed "), "the run does what the dry run said");
        assertTrue(run.out().contains(Settings.CONFIG_FILE + " already uses key 3 of " + CONFIGURED + "."), run.out());
        assertFalse(run.out().contains("PrimaryKey=3\n"), "no line to add: " + run.out());
        assertFalse(Files.exists(at(MAIN), LinkOption.NOFOLLOW_LINKS), "nothing at the default path");
        NtpKey key = NtpKeyFile.read(at(CONFIGURED)).require(3);
        assertEquals(key, NtpKeyFile.read(at(COPY)).require(3));
        // the job reads the key the Pi Zero's copy holds
        Settings job;
        try {
            job = Settings.load(root, Map.of());
        } catch (ConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
        assertEquals(NtpAuth.symmetricKey(key), job.ntp().primaries().get(0).auth());
    }

    @Test
    void aConfiguredKeyFileThatHasTheKeyIsKeptAndCopiedNotReplacedByANewDefaultOne() throws IOException {
        configure(KEYED);
        privateKeyfile(CONFIGURED, "3 AES128 HEX:8B0D58C4BF2E7D8D3A9C5E4F6A7B8C9D\n");
        NtpKey key = NtpKeyFile.read(at(CONFIGURED)).require(3);
        Map<String, String> keys = Map.of(CONFIGURED.toString(), Fixtures.tree(root).get("srv/keys/chrony.keys"));
        for (boolean dryRun : new boolean[] {true, false}) {
            Run r = install(new AtomicFiles(), dryRun, Optional.empty());
            assertEquals(0, r.code(), r.out());
            assertTrue(r.out().contains("= " + CONFIGURED + " already holds key 3 (AES128, 128 bits)\n"), r.out());
        }
        assertEquals(keys.get(CONFIGURED.toString()), Fixtures.tree(root).get("srv/keys/chrony.keys"), "kept as it was");
        assertEquals(key, NtpKeyFile.read(at(COPY)).require(3), "the Pi Zero gets the key the job uses");
        assertFalse(Files.exists(at(MAIN), LinkOption.NOFOLLOW_LINKS), "nothing at the default path");
    }

    @Test
    void anotherKeyIdIsAddedToTheConfiguredKeyFileAndPrimaryKeyIsToBeChanged() throws IOException {
        configure(KEYED);
        privateKeyfile(CONFIGURED, "3 AES128 HEX:8B0D58C4BF2E7D8D3A9C5E4F6A7B8C9D\n");
        NtpKey old = NtpKeyFile.read(at(CONFIGURED)).require(3);
        Run run = install(new AtomicFiles(), false, Optional.of(4L));
        assertEquals(0, run.code(), run.out());
        assertEquals(old, NtpKeyFile.read(at(CONFIGURED)).require(3), "the key in use stays");
        assertEquals(NtpKeyFile.read(at(CONFIGURED)).require(4), NtpKeyFile.read(at(COPY)).require(4));
        assertTrue(run.out().contains("change PrimaryKey=3 to PrimaryKey=4 in " + Settings.CONFIG_FILE), run.out());
    }

    @Test
    void anotherKeyIdIsRefusedWhenTheConfiguredKeyIsNotThere() throws IOException {
        configure(KEYED);
        ConfigException e = refused(Optional.of(4L));
        assertTrue(e.getMessage().startsWith(at(Settings.CONFIG_FILE) + ":4: PrimaryKey: "), e.getMessage());
        assertTrue(e.getMessage().contains("no key 3"), e.getMessage());
    }

    @Test
    void anUnsafeConfiguredKeyFileIsRefusedWithItsLine(@TempDir Path outside) throws IOException {
        String at = at(Settings.CONFIG_FILE) + ":5: KeyFile: cannot read the keyfile: ";
        configure(KEYED);
        Files.createDirectories(at(CONFIGURED).getParent().getParent());
        Files.createSymbolicLink(at(CONFIGURED).getParent(), outside);
        Map<String, String> beforeOutside = Fixtures.tree(outside);
        ConfigException e = refused(Optional.empty());
        assertTrue(e.getMessage().startsWith(at + at(CONFIGURED).getParent() + ": refused to write " + CONFIGURED
                + " through a symbolic link"), e.getMessage());
        assertEquals(beforeOutside, Fixtures.tree(outside), "nothing written where the link points");

        Files.delete(at(CONFIGURED).getParent());
        Files.createDirectories(at(CONFIGURED).getParent());
        Files.createSymbolicLink(at(CONFIGURED), outside.resolve("planted"));
        e = refused(Optional.empty());
        assertTrue(e.getMessage().startsWith(at + at(CONFIGURED) + ": refused to write " + CONFIGURED
                + " over a symbolic link"), e.getMessage());

        Files.delete(at(CONFIGURED));
        Files.setPosixFilePermissions(at(CONFIGURED).getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        e = refused(Optional.empty());
        assertTrue(e.getMessage().startsWith(at + at(CONFIGURED).getParent() + ": refused to write " + CONFIGURED
                + " where another user can change the directory"), e.getMessage());

        Files.setPosixFilePermissions(at(CONFIGURED).getParent(), PosixFilePermissions.fromString("rwx------"));
        privateKeyfile(CONFIGURED, "3 AES128 HEX:8B0D58C4BF2E7D8D3A9C5E4F6A7B8C9D\n");
        Files.setPosixFilePermissions(at(CONFIGURED), PosixFilePermissions.fromString("rw-r-----"));
        e = refused(Optional.empty());
        assertTrue(e.getMessage().startsWith(at + at(CONFIGURED) + ": the keyfile is accessible to group or others"),
                e.getMessage());
        assertFalse(e.getMessage().contains("8B0D58C4"), "the key is not shown");

        configure(KEYED.replace("KeyFile=" + CONFIGURED, "KeyFile=srv/keys/chrony.keys"));
        e = refused(Optional.empty());
        assertEquals(at(Settings.CONFIG_FILE) + ":5: KeyFile: must be an absolute path", e.getMessage());
    }

    @Test
    void aConfigurationThatCannotBeReadIsAnErrorNotTheDefaultPath() throws IOException {
        configure("[Auth]\nPrimaryKey=3\nKeyFile=/srv/keys/chrony.keys\nAllowMd6=yes\n");
        ConfigException e = refused(Optional.empty());
        assertEquals(at(Settings.CONFIG_FILE) + ":4: AllowMd6: unknown key in [Auth]", e.getMessage());
        configure("[Auth]\nKeyFile=/srv/keys/chrony.keys\n");
        e = refused(Optional.empty());
        assertEquals(at(Settings.CONFIG_FILE) + ":2: KeyFile: has no effect without PrimaryKey=", e.getMessage());
        Files.delete(at(Settings.CONFIG_FILE));
        Files.createDirectory(at(Settings.CONFIG_FILE));
        e = refused(Optional.empty());
        assertTrue(e.getMessage().startsWith(at(Settings.CONFIG_FILE) + ": not a regular file"), e.getMessage());
        assertFalse(Files.exists(at(MAIN), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void withoutAConfigurationTheKeyGoesToTheDefaultPath() throws IOException {
        Run run = install(new AtomicFiles(), false, Optional.empty());
        assertEquals(0, run.code(), run.out());
        assertEquals(NtpKeyFile.read(at(MAIN)).require(1), NtpKeyFile.read(at(COPY)).require(1));
        assertTrue(run.out().endsWith("  [Auth]\n  PrimaryKey=1\n"), run.out());
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
