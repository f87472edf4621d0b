package dev.pintp.ntp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void quotesAndBackslashesAndControlCharactersAreEscaped() {
        assertEquals("\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u007f\"", JsonText.quote("a\"b\\c\n\r\t\b\f\u0001\u007f"));
    }

    @Test
    void lineSeparatorsAndLoneSurrogatesAreEscapedButPairsAreKept() {
        assertEquals("\"\\u2028\\u2029\"", JsonText.quote("\u2028\u2029"));
        assertEquals("\"x\\ud800y\\udc00\"", JsonText.quote("x\ud800y\udc00"));
        assertEquals("\"\\ud800\"", JsonText.quote("\ud800"));
        assertEquals("\"\ud83d\ude00\"", JsonText.quote("\ud83d\ude00"));
    }

    @Test
    void numbersReadBackExactlyAndNonFiniteIsNull() {
        double d = 0.000123456789012345;
        assertEquals(d, Double.parseDouble(JsonText.number(d)));
        assertEquals("null", JsonText.number(Double.NaN));
        assertEquals("null", JsonText.number(Double.POSITIVE_INFINITY));
    }
}
