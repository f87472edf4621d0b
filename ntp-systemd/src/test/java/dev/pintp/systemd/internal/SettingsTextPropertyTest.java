package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.sysconf.ConfigException;
import dev.pintp.sysconf.Escapes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated text in the job's ntp-monitor.conf and in timesyncd's configuration under it: loading either
 * gives settings or fails with a {@link ConfigException} naming one of the two files and a line, on one line; no
 * other exception escapes. Seeded and bounded (a few seconds).
 */
class SettingsTextPropertyTest {
    private static Path root;
    private static Path conf;
    private static Path timesyncd;

    static final List<String> PIECES = List.of("[Servers]", "[Decision]", "[Controller]", "[Timesyncd]", "[Job]",
            "[Alerts]", "[Metrics]", "[Time]", "[servers]", "[]", "\n", "\r", "\0", "\\", "\\\n", "#", ";", "=", " ",
            "\t", "\uFEFF", "\u2028", "\u001b", "Primary=", "Fallback=", "Timeout=", "PrimarySamples=",
            "MaxRootDistance=", "MaxOffset=", "Interval=", "ChecksToGain=", "MinDwell=", "Unit=", "DropInName=",
            "DropInLocation=", "ConservePowerVariable=", "SyncedVariable=", "Steering=", "StateDirectory=",
            "WebhookUrl=", "WebhookAttempts=", "DriftPpm=", "TextfilePath=", "ListenAddress=", "NTP=", "FallbackNTP=",
            "RootDistanceMaxSec=", "127.0.0.1:1123", "[::1]:9", "fe80::1%eth0", "100%", "'", "\"", "5", "5min",
            "infinity", "0", "-1", "1e3", "NaN", "yes", "maybe", "etc", "/x/../y", "/var/lib/x.prom", "http://127.0.0.1:9/",
            "CONSERVE_POWER", "x".repeat(70), "99999999999999999999");

    @BeforeContainer
    static void makeRoot() throws IOException {
        root = Files.createTempDirectory("seccore-settings-prop");
        conf = root.resolve("etc/ntp-monitor/ntp-monitor.conf");
        timesyncd = root.resolve("etc/systemd/timesyncd.conf");
        Files.createDirectories(conf.getParent());
        Files.createDirectories(timesyncd.getParent());
    }

    @AfterContainer
    static void removeRoot() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Provide
    static Arbitrary<String> text() {
        Arbitrary<String> pieces = Arbitraries.of(PIECES).list().ofMaxSize(40).map(l -> String.join("", l));
        Arbitrary<String> lines = Arbitraries.of(PIECES).list().ofMaxSize(12).map(l -> String.join("\n", l));
        return Arbitraries.oneOf(pieces, lines, Arbitraries.strings().all().ofMaxLength(120));
    }

    @Property(seed = "20261204", tries = 1500)
    void settingsLoadOrFailWithFileAndLine(@ForAll("text") String monitorText, @ForAll("text") String timesyncdText)
            throws IOException {
        Files.write(conf, monitorText.getBytes(StandardCharsets.UTF_8));
        Files.write(timesyncd, timesyncdText.getBytes(StandardCharsets.UTF_8));
        try {
            Settings.load(root, Map.of());
        } catch (ConfigException e) {
            String m = e.getMessage();
            assertTrue(e.file().equals(conf) || e.file().equals(timesyncd), m);
            assertTrue(e.line() > 0, "no line in: " + m);
            assertTrue(m.startsWith(e.file() + ":" + e.line() + ": "), m);
            assertTrue(m.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x2028), Escapes.escape(m));
        } catch (RuntimeException e) {
            fail("escaped: " + e + " for " + Escapes.escape(monitorText) + " / " + Escapes.escape(timesyncdText), e);
        }
    }
}
