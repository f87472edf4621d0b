package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpKeyType;
import dev.pintp.ntp.NtpServer;
import dev.pintp.sysconf.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [Auth] KeyFile= PrimaryKey= AllowMd5=} of ntp-monitor.conf. */
class SettingsAuthTest {
    private static final String KEYS = "1 AES128 HEX:7EA62AE64D190114D46D5A082F948EC1\n2 MD5 tulip\n";
    @TempDir
    Path root;

    private void keys(String systemPath, String mode) throws IOException {
        Path p = Fixtures.write(root, systemPath, KEYS);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    }

    private void conf(String text) throws IOException {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", text);
    }

    private ConfigException error() {
        return assertThrows(ConfigException.class, () -> Settings.load(root, Map.of()));
    }

    @Test
    void primaryKeyAuthenticatesEveryPrimaryWithTheDefaultKeyFile() throws Exception {
        keys("/etc/ntp-monitor/chrony.keys", "rw-------");
        conf("[Servers]\nPrimary=192.168.4.2 10.0.0.9:1123\nFallback=pool.example\n[Auth]\nPrimaryKey=1\n");
        Settings s = Settings.load(root, Map.of());
        for (NtpServer p : s.ntp().primaries()) {
            NtpAuth.SymmetricKey k = (NtpAuth.SymmetricKey) p.auth();
            assertEquals(1, k.key().id());
            assertEquals(NtpKeyType.AES128, k.key().type());
        }
        assertFalse(s.ntp().fallbacks().get(0).auth().isAuthenticated(), "the pool has no key");
    }

    @Test
    void theKeyAlsoAppliesToPrimariesFromTimesyncd() throws Exception {
        keys("/etc/keys/pi-zero.keys", "r--------");
        Fixtures.write(root, "/etc/systemd/timesyncd.conf", "[Time]\nNTP=192.168.4.2\n");
        conf("[Auth]\nKeyFile=/etc/keys/pi-zero.keys\nPrimaryKey=1\n");
        Settings s = Settings.load(root, Map.of());
        assertEquals("192.168.4.2", s.ntp().primaries().get(0).host());
        assertTrue(s.ntp().primaries().get(0).auth().isAuthenticated());
    }

    @Test
    void aKeyfileOthersCanReadIsAConfigurationError() throws Exception {
        keys("/etc/ntp-monitor/chrony.keys", "rw-r--r--");
        conf("[Auth]\nPrimaryKey=1\n");
        ConfigException e = error();
        assertTrue(e.getMessage().contains("ntp-monitor.conf:2: PrimaryKey: cannot read the keyfile: "), e.getMessage());
        assertTrue(e.getMessage().contains("accessible to group or others"), e.getMessage());
    }

    @Test
    void aMissingKeyfileOrKeyIsAConfigurationError() throws Exception {
        conf("[Auth]\nPrimaryKey=1\n");
        assertTrue(error().getMessage().contains("no such file: /etc/ntp-monitor/chrony.keys (the default KeyFile=;"
                + " 'ntp-systemd install --auth key' creates it)"));
        keys("/etc/ntp-monitor/chrony.keys", "rw-------");
        conf("[Auth]\nPrimaryKey=7\n");
        assertTrue(error().getMessage().contains("PrimaryKey: ") && error().getMessage().contains("no key 7"),
                error().getMessage());
        conf("[Auth]\nPrimaryKey=0\n");
        assertTrue(error().getMessage().contains("must be a key id from 1 to 4294967295"), error().getMessage());
    }

    @Test
    void md5NeedsAllowMd5() throws Exception {
        keys("/etc/ntp-monitor/chrony.keys", "rw-------");
        conf("[Auth]\nPrimaryKey=2\n");
        ConfigException e = error();
        assertTrue(e.getMessage().contains("is MD5") && e.getMessage().contains("AllowMd5=yes"), e.getMessage());
        assertFalse(e.getMessage().contains("tulip"));
        conf("[Auth]\nPrimaryKey=2\nAllowMd5=yes\n");
        assertEquals(NtpKeyType.MD5,
                ((NtpAuth.SymmetricKey) Settings.load(root, Map.of()).ntp().primaries().get(0).auth()).key().type());
    }

    @Test
    void keyFileWithoutPrimaryKeyIsAMistake() throws Exception {
        conf("[Auth]\nKeyFile=/etc/ntp-monitor/chrony.keys\n");
        assertTrue(error().getMessage().contains("KeyFile: has no effect without PrimaryKey="), error().getMessage());
        conf("[Auth]\nAllowMd5=yes\n");
        assertTrue(error().getMessage().contains("AllowMd5: has no effect without PrimaryKey="));
    }
}
