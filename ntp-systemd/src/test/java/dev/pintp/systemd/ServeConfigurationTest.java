package dev.pintp.systemd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.systemd.internal.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} makes its job again only when the configuration changed, not at every check. */
class ServeConfigurationTest {
    @TempDir
    Path root;

    private Settings load(String ini) throws Exception {
        Path conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        Files.createDirectories(conf.getParent());
        Files.writeString(conf, ini);
        return Settings.load(root, Map.of());
    }

    @Test
    void theSameFileLoadedTwiceIsTheSameConfigurationAndAnEditIsNot() throws Exception {
        String ini = "[Servers]\nPrimary=127.0.0.1:11123\nFallback=127.0.0.2:11123\n";
        Settings first = load(ini);
        assertTrue(SystemdMain.sameConfiguration(first, load(ini)));
        assertFalse(SystemdMain.sameConfiguration(first, load(ini + "[Decision]\nInterval=30s\n")));
        assertFalse(SystemdMain.sameConfiguration(first, load("[Servers]\nPrimary=127.0.0.1:11124\n"
                + "Fallback=127.0.0.2:11123\n")));
    }
}
