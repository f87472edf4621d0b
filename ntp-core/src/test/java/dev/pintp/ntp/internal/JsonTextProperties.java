package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * What {@link JsonText} writes is read back, by a strict reader of RFC 8259's string and number grammar written here
 * independently of it, as exactly the value it was given: every string (lone surrogates, U+2028/U+2029, control
 * characters, quotes and backslashes mixed in) and every double, whatever its bits.
 */
class JsonTextProperties {

    @Provide
    Arbitrary<String> awkwardStrings() {
        return Arbitraries.strings()
                .withChars('"', '\\', '/', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udbff',
                        '\udc00', '\udfff', '\ud83d', '\ude00', 'a', '\u00e9')
                .withCharRange('\u0000', '\uffff')
                .ofMaxLength(24);
    }

    @Property(tries = 3000)
    void everyStringReadsBackAsItselfAndTheTextIsSafeUtf8AndJavaScript(@ForAll("awkwardStrings") String s) {
        String quoted = JsonText.quote(s);
        assertEquals(s, new Reader(quoted).string(), quoted);
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            assertTrue(c >= 0x20 && c != 0x7f && c != '\u2028' && c != '\u2029', () -> "raw U+"
                    + Integer.toHexString(c) + " in " + quoted);
        }
        // no lone surrogate: the text survives UTF-8 unchanged (a lone one would become '?')
        assertEquals(quoted, new String(quoted.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    @Property(tries = 500)
    void appendQuotedKeepsWhatWasThere(@ForAll("awkwardStrings") String before, @ForAll("awkwardStrings") String s) {
        StringBuilder sb = new StringBuilder(before);
        JsonText.appendQuoted(sb, s);
        assertEquals(before + JsonText.quote(s), sb.toString());
    }

    @Provide
    Arbitrary<Double> everyDouble() {
        return Arbitraries.oneOf(Arbitraries.longs().map(Double::longBitsToDouble), Arbitraries.doubles(),
                Arbitraries.of(0.0, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 1e-7, 1e21,
                        0.000123456789, 1234567.891, Double.NaN, Double.NEGATIVE_INFINITY));
    }

    @Property(tries = 3000)
    void everyFiniteDoubleReadsBackBitForBitAndTheRestIsNull(@ForAll("everyDouble") double d) {
        String text = JsonText.number(d);
        if (!Double.isFinite(d)) {
            assertEquals("null", text);
            return;
        }
        Reader r = new Reader(text);
        assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits(r.number()), text);
        assertTrue(JsonText.isNumber(text), text);
    }

    @Test
    void eachControlCharacterIsEscapedAndAReversedOrCutPairIsTwoLoneSurrogates() {
        for (char c = 0; c < 0x20; c++) {
            String quoted = JsonText.quote(String.valueOf(c));
            String expected = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> String.format(Locale.ROOT, "\\u%04x", (int) c);
            };
            assertEquals('"' + expected + '"', quoted);
        }
        assertEquals("\"\\udc00\\ud800\"", JsonText.quote("\udc00\ud800"));
        assertEquals("\"a\\ud83d\"", JsonText.quote("a\ud83d"));
        assertEquals("\"\\ude00b\"", JsonText.quote("\ude00b"));
    }

    @Test
    void numbersAreTheSameInEveryLocaleAndKeepTheDigitsThatSixSignificantOnesLose() {
        Locale saved = Locale.getDefault();
        try {
            for (String tag : new String[] {"de-DE", "ar-EG-u-nu-arab", "hi-IN-u-nu-deva", "fr-CH"}) {
                Locale.setDefault(Locale.forLanguageTag(tag));
                assertEquals("1234567.891", JsonText.number(1234567.891), tag);
                assertEquals("1.23456789E-4", JsonText.number(0.000123456789), tag);
                assertEquals("-0.5", JsonText.number(-0.5), tag);
            }
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void isNumberFollowsJsonsGrammar() {
        for (String ok : new String[] {"0", "-0", "12", "-0.000000001", "1700000000.000000001", "1.0E-7", "1e+21",
                "2E5"}) {
            assertTrue(JsonText.isNumber(ok), ok);
        }
        for (String bad : new String[] {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity", "1,5",
                "0x10", " 1", "1 ", "\u0661"}) {
            assertFalse(JsonText.isNumber(bad), bad);
        }
    }

    @Test
    void theReaderRefusesWhatIsNotJson() {
        assertThrows(IllegalArgumentException.class, () -> new Reader("\"a\u0001\"").string());
        assertThrows(IllegalArgumentException.class, () -> new Reader("\"\\x41\"").string());
        assertThrows(IllegalArgumentException.class, () -> new Reader("\"\\u12g4\"").string());
        assertThrows(IllegalArgumentException.class, () -> new Reader("\"open").string());
        assertThrows(IllegalArgumentException.class, () -> new Reader("\"a\"b").string());
        assertThrows(IllegalArgumentException.class, () -> new Reader("01").number());
        assertThrows(IllegalArgumentException.class, () -> new Reader("1.").number());
    }

    /** A strict reader of one JSON string or number filling the whole text (RFC 8259 sections 6 and 7). */
    private static final class Reader {
        private final String text;
        private int at;

        Reader(String text) {
            this.text = text;
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    break;
                }
                if (c < 0x20) {
                    throw new IllegalArgumentException("raw control character at " + (at - 1));
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int v = 0;
                        for (int k = 0; k < 4; k++) {
                            int h = Character.digit(next(), 16);
                            if (h < 0) {
                                throw new IllegalArgumentException("bad \\u escape at " + (at - 1));
                            }
                            v = v * 16 + h;
                        }
                        sb.append((char) v);
                    }
                    default -> throw new IllegalArgumentException("bad escape \\" + e);
                }
            }
            end();
            return sb.toString();
        }

        double number() {
            int start = at;
            optional('-');
            if (!optional('0')) {
                digits(true);
            }
            if (optional('.')) {
                digits(false);
            }
            if (optional('e') || optional('E')) {
                if (!optional('+')) {
                    optional('-');
                }
                digits(false);
            }
            end();
            return Double.parseDouble(text.substring(start));
        }

        private void digits(boolean noLeadingZero) {
            int start = at;
            while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                at++;
            }
            if (at == start || noLeadingZero && text.charAt(start) == '0') {
                throw new IllegalArgumentException("digits expected at " + start + " in " + text);
            }
        }

        private boolean optional(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalArgumentException("expected " + c + " at " + (at - 1));
            }
        }

        private char next() {
            if (at >= text.length()) {
                throw new IllegalArgumentException("text ends at " + at);
            }
            return text.charAt(at++);
        }

        private void end() {
            if (at != text.length()) {
                throw new IllegalArgumentException("trailing text at " + at + " in " + text);
            }
        }
    }
}
