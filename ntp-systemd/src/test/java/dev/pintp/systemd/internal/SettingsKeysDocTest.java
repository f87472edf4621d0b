package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.IniFile;
import dev.pintp.sysconf.TimesyncdConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/systemd.md's table of ntp-monitor.conf's keys against {@link Settings}' table of keys: the same keys, in the
 * same sections and order, so that a key added to the code without its documentation (or the other way round) fails
 * here. No network.
 */
class SettingsKeysDocTest {
    private static final Path DOC = Path.of(System.getProperty("user.dir")).resolve("../docs/systemd.md").normalize();
    private static final String HEADING = "## Configuration: `/etc/ntp-monitor/ntp-monitor.conf`";
    /** A row: | `[Section]` or nothing | `Key=` [and more keys] | ... |. */
    private static final Pattern ROW = Pattern.compile("^\\| (`\\[(\\w+)]`)? *\\| ([^|]+) \\|.*$");
    private static final Pattern KEY = Pattern.compile("`(\\w+)=`");

    @TempDir
    Path root;

    /** The keys the table of the documentation lists, as {@code Section.Key}, in its order. */
    static List<String> documentedKeys() throws Exception {
        List<String> lines = Files.readAllLines(DOC);
        int start = lines.indexOf(HEADING);
        assertTrue(start >= 0, "no heading '" + HEADING + "' in " + DOC);
        List<String> keys = new ArrayList<>();
        String section = null;
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            if (m.group(2) != null) {
                section = m.group(2);
            }
            Matcher k = KEY.matcher(m.group(3));
            while (k.find()) {
                keys.add(section + "." + k.group(1));
            }
        }
        return keys;
    }

    /** The keys of {@link Settings.Key}, as {@code Section.Key}, in its order. */
    static List<String> keysOfTheCode() {
        return Stream.of(Settings.Key.values()).map(k -> k.section + "." + k.name).toList();
    }

    @Test
    void theDocumentedKeysAreTheKeysOfTheCodeInItsOrder() throws Exception {
        assertEquals(keysOfTheCode(), documentedKeys());
    }

    @Test
    void everyKeyOfTheTableIsKnownAndEveryOtherKeyIsNot() throws Exception {
        for (String key : keysOfTheCode()) {
            String[] sk = key.split("\\.");
            // known, and each has its parser and setter: parsing gets past the unknown-key check to the value
            for (String value : List.of("", "x")) {
                try {
                    parse("[" + sk[0] + "]\n" + sk[1] + "=" + value + "\n");
                } catch (ConfigException e) {
                    assertFalse(e.getMessage().contains("unknown"), key + ": " + e.getMessage());
                }
            }
            ConfigException e = assertThrows(ConfigException.class,
                    () -> parse("[" + sk[0] + "]\n" + sk[1] + "x=1\n"));
            assertEquals(sk[1] + "x", e.key());
            assertEquals(2, e.line());
            assertTrue(e.getMessage().endsWith("unknown key in [" + sk[0] + "]"), e.getMessage());
        }
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("[Server]\nPrimary=127.0.0.1\n"));
        assertTrue(e.getMessage().endsWith("Primary: unknown section [Server]"), e.getMessage());
    }

    private Settings parse(String text) throws Exception {
        return Settings.parse(IniFile.parse(root.resolve("ntp-monitor.conf"), text), TimesyncdConfig.load(root),
                Map.of());
    }
}
