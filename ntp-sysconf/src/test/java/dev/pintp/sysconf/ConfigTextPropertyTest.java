package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pintp.ntp.NtpConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated configuration text thrown at the timesyncd reader (files, INI rules, time spans, server names,
 * the mapping to an NtpConfig): it either gives a configuration or fails with a {@link ConfigException} that names
 * the file and the line on one line; no other exception escapes. Seeded and bounded: the same inputs on every run,
 * a few seconds in all.
 */
class ConfigTextPropertyTest {
    private static Path root;
    private static Path file;

    /** Pieces that the readers treat specially, so that random text reaches their corners. */
    static final List<String> PIECES = List.of("[Time]", "[time]", "[ Time ]", "[]", "[X\"]", "[", "]", "\n", "\r",
            "\r\n", "\0", "\\", "\\\\", "\\\n", "#", ";", "=", " ", "\t", "\uFEFF", "\u00a0", "\u2028", "\u0085", "\u001b",
            "NTP=", "Servers=", "FallbackNTP=", "RootDistanceMaxSec=", "ntp=", "NTS=", "127.0.0.1", "127.0.0.1:1123",
            "[::1]:9", "fe80::1%eth0", "fe80::1%", "::", ":::", "a..b", "-x", "x-", "100%", "'", "\"", "$", "`",
            "5", "5min", "1h 30s", "500ms", "infinity", "0", "-1", "1.", ".5", "+5", "99999999999999999999", "1e3",
            "\u00b5s", "\u03bcs", "M", "y", "pool.example", "x".repeat(70), "\uD800", "\uDC00");

    @BeforeContainer
    static void makeRoot() throws IOException {
        root = Files.createTempDirectory("seccore-prop");
        file = root.resolve("etc/systemd/timesyncd.conf");
        Files.createDirectories(file.getParent());
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
    static Arbitrary<String> configText() {
        Arbitrary<String> pieces = Arbitraries.of(PIECES).list().ofMaxSize(40).map(l -> String.join("", l));
        Arbitrary<String> wellFormed = Arbitraries.of(PIECES).list().ofMaxSize(6)
                .map(l -> "[Time]\nNTP=" + String.join(" ", l) + "\nRootDistanceMaxSec=" + (l.isEmpty() ? "" : l.get(0))
                        + "\nFallbackNTP=" + String.join("", l) + "\n");
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(200);
        return Arbitraries.oneOf(pieces, pieces, wellFormed, random);
    }

    @Property(seed = "20261202", tries = 1500)
    void timesyncdTextGivesAConfigurationOrAConfigExceptionWithFileAndLine(@ForAll("configText") String text)
            throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8)); // a lone surrogate becomes "?"
        checkReading(text);
    }

    @Property(seed = "20261203", tries = 500)
    void rawBytesToo(@ForAll byte[] bytes) throws IOException {
        Files.write(file, bytes);
        checkReading(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    private static void checkReading(String what) throws IOException {
        try {
            TimesyncdNtp.apply(TimesyncdConfig.load(root), NtpConfig.custom()).build();
        } catch (ConfigException e) {
            assertEquals(file, e.file(), e.getMessage());
            assertTrue(e.line() > 0, "no line in: " + e.getMessage());
            assertTrue(e.getMessage().startsWith(file + ":" + e.line() + ": "), e.getMessage());
            assertTrue(e.getMessage().chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x85),
                    "not one clean line: " + Escapes.escape(e.getMessage()));
        } catch (RuntimeException e) {
            fail("escaped: " + e + " for " + Escapes.escape(what), e);
        }
    }
}
