package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.NtpServer;
import dev.pintp.sysconf.ConfigException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [Auth] PrimaryNts= NtsCa= NtsPort=} of ntp-monitor.conf. */
class SettingsNtsTest {
    @TempDir
    Path root;

    private void conf(String text) throws IOException {
        Fixtures.write(root, "/etc/ntp-monitor/ntp-monitor.conf", text);
    }

    private ConfigException error() {
        return assertThrows(ConfigException.class, () -> Settings.load(root, Map.of()));
    }

    @Test
    void primaryNtsAuthenticatesEveryPrimaryWithCookiesInTheStateDirectory() throws Exception {
        conf("[Servers]\nPrimary=192.168.4.2 pizero.lan:1123\nFallback=pool.example\n[Auth]\nPrimaryNts=yes\n"
                + "NtsCa=/etc/ntp-monitor/nts-ca.crt\nNtsPort=4461\n[Job]\nStateDirectory=/var/lib/pintp\n");
        Settings s = Settings.load(root, Map.of());
        NtpServer first = s.ntp().primaries().get(0);
        NtpAuth.Nts a = (NtpAuth.Nts) first.auth();
        assertEquals("192.168.4.2", a.keHost());
        assertEquals(4461, a.kePort());
        assertEquals(Path.of("/etc/ntp-monitor/nts-ca.crt"), a.trustedCa().orElseThrow());
        assertEquals(Path.of("/var/lib/pintp/nts-192.168.4.2-123"), a.cookieFile().orElseThrow());
        NtpAuth.Nts b = (NtpAuth.Nts) s.ntp().primaries().get(1).auth();
        assertEquals("pizero.lan", b.keHost());
        assertEquals(Path.of("/var/lib/pintp/nts-pizero.lan-1123"), b.cookieFile().orElseThrow());
        assertFalse(s.ntp().fallbacks().get(0).auth().isAuthenticated(), "the pool has no NTS here");
    }

    @Test
    void withoutNtsCaTheSystemTrustStoreAndPort4460() throws Exception {
        conf("[Servers]\nPrimary=192.168.4.2\n[Auth]\nPrimaryNts=yes\n");
        NtpAuth.Nts a = (NtpAuth.Nts) Settings.load(root, Map.of()).ntp().primaries().get(0).auth();
        assertTrue(a.trustedCa().isEmpty());
        assertEquals(4460, a.kePort());
    }

    @Test
    void badCombinationsNameFileLineAndKey() throws Exception {
        conf("[Auth]\nNtsCa=/etc/ca.crt\n");
        assertTrue(error().getMessage().contains("NtsCa: has no effect without PrimaryNts=yes"), error().getMessage());
        conf("[Auth]\nPrimaryNts=yes\nNtsPort=0\n");
        assertTrue(error().getMessage().contains("NtsPort: must be 1 to 65535"), error().getMessage());
        conf("[Auth]\nPrimaryNts=yes\nNtsCa=relative.crt\n");
        assertTrue(error().getMessage().contains("NtsCa"), error().getMessage());
        Path keys = Fixtures.write(root, "/etc/ntp-monitor/chrony.keys", "1 AES128 HEX:7EA62AE64D190114D46D5A082F948EC1\n");
        java.nio.file.Files.setPosixFilePermissions(keys,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        conf("[Auth]\nPrimaryNts=yes\nPrimaryKey=1\n");
        ConfigException e = error();
        assertTrue(e.getMessage().contains("PrimaryNts: cannot be combined with PrimaryKey="), e.getMessage());
    }
}
