package dev.pintp.sysconf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
    })
    void parsesSystemdTimeSpans(String text, String expected) {
        assertEquals(Duration.parse(expected), TimeSpans.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "5 parsecs", "-5s", "5s x", "1..2s", "infinity"})
    void rejectsWhatIsNotATimeSpan(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeSpans.parse(text));
        assertTrue(e.getMessage().contains("time") || e.getMessage().contains("unit"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"999999999999d"})
    void rejectsSpansTooLargeForADuration(String text) {
        assertThrows(IllegalArgumentException.class, () -> TimeSpans.parse(text));
    }
}
