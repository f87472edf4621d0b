package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimeSpansTest {

    @ParameterizedTest
    @CsvSource({
        "5, PT5S",
        "5s, PT5S",
        "500ms, PT0.5S",
        "1.5s, PT1.5S",
        "'1min 30s', PT1M30S",
        "1min30s, PT1M30S",
        "2h, PT2H",
        "1d, PT24H",
        "250us, PT0.00025S",
        "' 32 ', PT32S",
        "2048, PT34M8S",
        "1w, PT168H",
        "5min, PT5M",
        "'1h 30s', PT1H30S",
        "'1 h 30 s', PT1H30S",
        "+5s, PT5S",
        ".5, PT0.5S",
        "'12.34 .56', PT12.9S",
        "12.34s.56, PT12.9S",
        "1M, PT730H30M",
        "1y, PT8766H",
        "1.0000005s, PT1S",
        "'\t5s\r', PT5S",
    })
    void parsesSystemdTimeSpans(String text, String expected) {
        assertEquals(Duration.parse(expected), TimeSpans.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "5 parsecs", "-5s", "5s x", "1..2s", "infinity x", "3.", "3.s", "5ns",
        "-0", "1e3", "0x10", "\u00a05s", "5\u3000s", "+", "5mins"})
    void rejectsWhatIsNotATimeSpan(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSpans.parse(text));
        assertTrue(e.getMessage().contains("time") || e.getMessage().contains("unit"), e.getMessage());
    }

    @Test
    void infinityAloneIsInfinity() {
        assertEquals(TimeSpans.INFINITY, TimeSpans.parse("infinity"));
        assertEquals(TimeSpans.INFINITY, TimeSpans.parse(" infinity \t"));
    }

    @ParameterizedTest
    @CsvSource({"PT5M, 5min", "PT1H30S, 1h 30s", "PT0.5S, 500ms", "PT1.5S, 1s 500ms", "PT0S, 0", "PT0.00025S, 250us",
        "PT168H, 1w", "PT25H, 1d 1h"})
    void formatsInSystemdUnitsThatParseBack(String iso, String text) {
        assertEquals(text, TimeSpans.format(Duration.parse(iso)));
        assertEquals(Duration.parse(iso), TimeSpans.parse(text));
    }

    @Test
    void readableRewritesIsoDurationsInMessages() {
        assertEquals("maxRootDistance must be positive and at most 1min, was 5min",
                TimeSpans.readable("maxRootDistance must be positive and at most PT1M, was PT5M"));
        assertEquals("infinity", TimeSpans.format(TimeSpans.INFINITY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"999999999999d", "18446744073709551615us", "99999999999999999999"})
    void rejectsSpansTooLargeForADuration(String text) {
        assertThrows(IllegalArgumentException.class, () -> TimeSpans.parse(text));
    }
}
