package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The keyfile parser on random and mutated text: it never throws, and a key is loaded only from a line that an
 * independent reading of chrony's grammar (a regular expression) accepts, with the same id, type and bytes.
 */
class NtpKeyFileProperties {
    private static final Pattern LINE = Pattern.compile(
            "[ \\t\\x0B\\f\\r]*([0-9]{1,10})(?:[ \\t\\x0B\\f\\r]+(MD5|SHA1|SHA256|AES128|AES256))?[ \\t\\x0B\\f\\r]+"
                    + "(HEX:((?:[0-9a-fA-F]{2})+)|ASCII:([^ \\t\\x0B\\f\\r]+)|([^ \\t\\x0B\\f\\r]+))[ \\t\\x0B\\f\\r]*");

    @Property(tries = 3000)
    void randomTextNeverThrowsAndLoadsOnlyWhatTheGrammarAccepts(@ForAll("junk") String text) {
        check(text);
    }

    @Property(tries = 3000)
    void mutatedKeyfilesNeverThrowAndLoadOnlyWhatTheGrammarAccepts(@ForAll("mutated") String text) {
        check(text);
    }

    @Property(tries = 1000)
    void generatedKeysRoundTrip(@ForAll("keys") NtpKey key, @ForAll boolean hex, @ForAll boolean explicitType) {
        String value = hex || key.type() != NtpKeyType.MD5 && key.type().isCipher()
                ? "HEX:" + HexFormat.of().formatHex(key.secret()).toUpperCase(Locale.ROOT)
                : "ASCII:" + new String(key.secret(), StandardCharsets.ISO_8859_1);
        String type = explicitType || key.type() != NtpKeyType.MD5 ? key.type().chronyName() + " " : "";
        NtpKeyFile f = NtpKeyFile.parse("k", key.id() + " " + type + value + "\n");
        assertEquals(List.of(key), f.keys(), f.problems()::toString);
    }

    private static void check(String text) {
        NtpKeyFile f = NtpKeyFile.parse("k", text);
        String[] lines = text.split("\n", -1);
        for (NtpKey k : f.keys()) {
            boolean found = false;
            for (String line : lines) {
                Matcher m = LINE.matcher(line);
                if (!m.matches() || line.length() > NtpKeyFile.MAX_LINE_LENGTH) {
                    continue;
                }
                long id = Long.parseLong(m.group(1));
                String type = m.group(2) == null ? "MD5" : m.group(2);
                byte[] secret = m.group(4) != null ? HexFormat.of().parseHex(m.group(4))
                        : (m.group(5) != null ? m.group(5) : m.group(6)).getBytes(StandardCharsets.ISO_8859_1);
                found |= id == k.id() && type.equals(k.type().chronyName())
                        && java.util.Arrays.equals(secret, k.secret());
            }
            assertTrue(found, () -> "loaded " + k + " from no line the grammar accepts");
        }
        for (NtpKeyFile.Problem p : f.problems()) {
            assertTrue(p.line() >= 1 && p.line() <= lines.length, p::toString);
        }
    }

    @Provide
    Arbitrary<String> junk() {
        return Arbitraries.strings().withChars("0123456789 \t\nABCDEFHIMSX:aexz#;!%\r\0").ofMaxLength(200);
    }

    @Provide
    Arbitrary<String> mutated() {
        return Combinators.combine(Arbitraries.integers().between(0, NtpKeyFileTest.CHRONY_EXAMPLE.length() - 1),
                Arbitraries.chars().with("0123456789 \t\nABCDEFHIMSX:aexz#;!%\r\0\u00e9"),
                Arbitraries.integers().between(0, 2)).as((at, c, op) -> {
                    StringBuilder s = new StringBuilder(NtpKeyFileTest.CHRONY_EXAMPLE);
                    switch (op) {
                        case 0 -> s.setCharAt(at.intValue(), c.charValue());
                        case 1 -> s.insert(at.intValue(), c.charValue());
                        default -> s.deleteCharAt(at.intValue());
                    }
                    return s.toString();
                });
    }

    @Provide
    Arbitrary<NtpKey> keys() {
        Arbitrary<Long> ids = Arbitraries.longs().between(1, NtpKey.MAX_ID);
        Arbitrary<NtpKeyType> types = Arbitraries.of(NtpKeyType.class);
        return Combinators.combine(ids, types, Arbitraries.integers().between(1, 64),
                Arbitraries.bytes().between((byte) 0x21, (byte) 0x7E).array(byte[].class).ofSize(64))
                .as((id, type, len, bytes) -> new NtpKey(id, type,
                        java.util.Arrays.copyOf(bytes, type.isCipher() ? type.cipherKeyLength() : len)));
    }

    @Property(tries = 200)
    void idsOutOfRangeAreNeverLoaded(@ForAll @IntRange(min = 0, max = 3) int which) {
        String id = new String[] {"0", "4294967296", "-1", "+1"}[which];
        assertTrue(NtpKeyFile.parse("k", id + " SHA1 HEX:00\n").keys().isEmpty());
    }
}
