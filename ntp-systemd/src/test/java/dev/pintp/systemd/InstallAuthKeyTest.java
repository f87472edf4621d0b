package dev.pintp.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpKey;
import dev.pintp.ntp.NtpKeyFile;
import dev.pintp.ntp.NtpKeyType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code install --auth key} under a temporary root: the key pair of chrony keyfiles and the printed instructions. */
class InstallAuthKeyTest {
    @TempDir
    Path root;

    private String install(String... extra) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = run(out, extra);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }

    private int run(ByteArrayOutputStream out, String... extra) throws IOException {
        Path jar = root.resolve("ntp-systemd.jar");
        if (!Files.exists(jar)) {
            Files.write(jar, new byte[] {1, 2, 3});
        }
        String[] base = {"install", "--root", root.toString(), "--jar", jar.toString(), "--systemctl", "/bin/false",
            "--auth", "key"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return SystemdMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), Map.of());
    }

    private void configure(String ini) throws IOException {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, ini);
    }

    /** Exit 2 and the configuration error, the same in a dry run and a run; no keyfile written anywhere. */
    private String refused() throws IOException {
        ByteArrayOutputStream dry = new ByteArrayOutputStream();
        ByteArrayOutputStream real = new ByteArrayOutputStream();
        assertEquals(2, run(dry, "--dry-run"), dry.toString(StandardCharsets.UTF_8));
        assertEquals(2, run(real), real.toString(StandardCharsets.UTF_8));
        String text = dry.toString(StandardCharsets.UTF_8);
        assertEquals(text, real.toString(StandardCharsets.UTF_8), "the run refuses as the dry run does");
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/chrony.keys")), text);
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/pi-zero/chrony.keys")), text);
        assertFalse(Files.exists(root.resolve("srv/keys/chrony.keys")), text);
        return text;
    }

    @Test
    void theKeyGoesWhereKeyFileSaysWithPrimaryKeysIdInTheDryRunAndTheRun() throws IOException {
        configure("[Servers]\nPrimary=127.0.0.1\n[Auth]\nPrimaryKey=5\nKeyFile=/srv/keys/chrony.keys\n");
        String dry = install("--dry-run");
        assertTrue(dry.contains("+ create /srv/keys/chrony.keys (0600 root): key 5 (AES128, 128 bits); the key itself"
                + " is not shown\n"), dry);
        assertFalse(Files.exists(root.resolve("srv/keys/chrony.keys")));
        String run = install();
        assertTrue(run.contains("changed /srv/keys/chrony.keys (key 5 (AES128, 128 bits); the key itself is not"
                + " shown)"), run);
        assertTrue(run.contains("/etc/ntp-monitor/ntp-monitor.conf already uses key 5 of /srv/keys/chrony.keys."), run);
        assertEquals(key("/srv/keys/chrony.keys", 5), key("/etc/ntp-monitor/pi-zero/chrony.keys", 5));
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/chrony.keys")), "nothing at the default path");
        // the job now reads the configuration without an error: the check command (status) reads it as run does
        ByteArrayOutputStream status = new ByteArrayOutputStream();
        assertEquals(0, SystemdMain.run(new String[] {"status", "--root", root.toString(), "--systemctl", "/bin/false"},
                new PrintStream(status, true, StandardCharsets.UTF_8), Map.of()), status.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnsafeKeyFileIsRefusedInTheDryRunAndTheRun(@TempDir Path outside) throws IOException {
        configure("[Auth]\nPrimaryKey=1\nKeyFile=/srv/keys/chrony.keys\n");
        Files.createDirectories(root.resolve("srv"));
        Files.createSymbolicLink(root.resolve("srv/keys"), outside);
        String text = refused();
        assertTrue(text.contains("ntp-monitor.conf:3: KeyFile: cannot read the keyfile: " + root.resolve("srv/keys")
                + ": refused to write /srv/keys/chrony.keys through a symbolic link"), text);
        try (java.util.stream.Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing written where the link points");
        }
    }

    @Test
    void aConfigurationThatCannotBeReadIsRefusedNotReplacedByTheDefaultPath() throws IOException {
        configure("[Auth]\nPrimaryKey=one\n");
        String text = refused();
        assertTrue(text.contains("configuration error, nothing changed: " + root.resolve(
                "etc/ntp-monitor/ntp-monitor.conf") + ":2: PrimaryKey: must be a key id"), text);
    }

    private NtpKey key(String systemPath, long id) throws IOException {
        Path p = root.resolve(systemPath.substring(1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), systemPath);
        return NtpKeyFile.read(p).require(id);
    }

    @Test
    void generatesOneAes128KeyInBothFilesPrivateAndPrintsThePiZeroLines() throws IOException {
        String out = install();
        NtpKey main = key("/etc/ntp-monitor/chrony.keys", 1);
        NtpKey copy = key("/etc/ntp-monitor/pi-zero/chrony.keys", 1);
        assertEquals(main, copy, "the same key on both sides");
        assertEquals(NtpKeyType.AES128, main.type());
        assertEquals(128, main.bits());
        String hex = HexFormat.of().formatHex(main.secret());
        assertFalse(out.toLowerCase(java.util.Locale.ROOT).contains(hex), "the key is never printed");
        assertTrue(out.contains("keyfile /etc/chrony/chrony.keys"), out);
        assertTrue(out.contains("sudo chown root:_chrony /etc/chrony/chrony.keys; sudo chmod 640"), out);
        assertTrue(out.contains("  [Auth]\n  PrimaryKey=1\n"), out);
    }

    @Test
    void aSecondRunKeepsTheKeyAndChangesNothing() throws IOException {
        install();
        NtpKey first = key("/etc/ntp-monitor/chrony.keys", 1);
        String again = install();
        assertEquals(first, key("/etc/ntp-monitor/chrony.keys", 1));
        assertFalse(again.contains("changed /etc/ntp-monitor/chrony.keys"), again);
        assertFalse(again.contains("changed /etc/ntp-monitor/pi-zero"), again);
    }

    @Test
    void twoInstallsOnTwoMachinesDrawDifferentKeys(@TempDir Path other) throws IOException {
        install();
        NtpKey a = key("/etc/ntp-monitor/chrony.keys", 1);
        Files.walk(root).sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(root)).forEach(p -> {
            try {
                Files.delete(p);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        install();
        assertNotEquals(a, key("/etc/ntp-monitor/chrony.keys", 1));
    }

    @Test
    void anotherKeyIdIsAddedToAnExistingKeyfile() throws IOException {
        Path keys = root.resolve("etc/ntp-monitor/chrony.keys");
        Files.createDirectories(keys.getParent());
        Files.writeString(keys, "1 SHA1 HEX:933F62BE1D604E68A81B557F18CFA200483F5B70\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        install("--key-id", "7");
        assertEquals(NtpKeyType.SHA1, key("/etc/ntp-monitor/chrony.keys", 1).type(), "the old key stays");
        assertEquals(key("/etc/ntp-monitor/chrony.keys", 7), key("/etc/ntp-monitor/pi-zero/chrony.keys", 7));
    }

    @Test
    void dryRunWritesNoKey() throws IOException {
        String out = install("--dry-run");
        assertTrue(out.contains("+ create /etc/ntp-monitor/chrony.keys (0600 root): key 1 (AES128, 128 bits); the key"
                + " itself is not shown"), out);
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/chrony.keys")));
        assertFalse(Files.exists(root.resolve("etc/ntp-monitor/pi-zero/chrony.keys")));
    }

    @Test
    void aKeyIdWithoutAuthOrAnotherAuthIsAUsageError() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(2, SystemdMain.run(new String[] {"install", "--root", root.toString(), "--key-id", "2"}, ps,
                Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {"install", "--root", root.toString(), "--auth", "md5"}, ps,
                Map.of()));
        assertEquals(2, SystemdMain.run(new String[] {"run", "--root", root.toString(), "--auth", "key"}, ps,
                Map.of()));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("--key-id needs --auth key"));
    }

    @Test
    void theKeyIsInNoOutputAndNoLogLineOfTheDryRunOrTheRun() throws IOException {
        // SystemdMain writes its log lines to the same stream; -v adds the debug ones
        String first = install("-v", "--dry-run") + install("-v") + install("-v", "--dry-run") + install("-v");
        String again = install("-v", "--key-id", "9", "--dry-run") + install("-v", "--key-id", "9");
        for (long id : new long[] {1, 9}) {
            String hex = HexFormat.of().formatHex(key("/etc/ntp-monitor/chrony.keys", id).secret());
            assertFalse((first + again).toLowerCase(java.util.Locale.ROOT).contains(hex), first + again);
        }
        assertFalse((first + again).contains("HEX:"), "no key line is printed");
        assertTrue(first.contains("+ create /etc/ntp-monitor/pi-zero/chrony.keys (0600 root): key 1"), first);
        assertTrue(again.contains("changed /etc/ntp-monitor/chrony.keys (key 9 (AES128, 128 bits) added"), again);
    }
}
