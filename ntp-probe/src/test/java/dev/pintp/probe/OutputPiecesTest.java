package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The pieces the output formats are made of: decimal seconds and the JSON writer. */
class OutputPiecesTest {

    @Test
    void secondsAreExactAndShortestInJson() {
        assertEquals("0", Seconds.exact(Duration.ZERO));
        assertEquals("0.000123", Seconds.exact(Duration.ofNanos(123_000)));
        assertEquals("-2.5", Seconds.exact(Duration.ofMillis(-2500)));
        assertEquals("-0.73", Seconds.exact(Duration.ofMillis(-730)));
        assertEquals("1700000000.000000001", Seconds.exact(Duration.ofSeconds(1_700_000_000, 1)));
        assertEquals("-0.000000001", Seconds.exact(Duration.ofNanos(-1)));
    }

    @Test
    void secondsAreRoundedHalfUpInTables() {
        assertEquals("+0.000124", Seconds.fixed(Duration.ofNanos(123_500), 6, true));
        assertEquals("-0.000123", Seconds.fixed(Duration.ofNanos(-123_499), 6, true));
        assertEquals("1.000000", Seconds.fixed(Duration.ofNanos(999_999_500), 6, false));
        assertEquals("+0.000000", Seconds.fixed(Duration.ofNanos(-400), 6, true));
        assertEquals("-3", Seconds.fixed(Duration.ofMillis(-2600), 0, true));
    }

    @Test
    void jsonEscapesWhatMustBeEscaped() {
        String s = new JsonWriter().beginObject().name("a\"b").value("q\"\\/\n\r\t\b\f\u0001\u001f\u007f\u2028x")
                .name("n").value((String) null).name("l").beginArray().value(1).number("-0.5").endArray()
                .endObject().toString();
        assertEquals("{\"a\\\"b\":\"q\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f\\u2028x\",\"n\":null,"
                + "\"l\":[1,-0.5]}", s);
    }

    @Property
    void anyStringSurvivesTheRoundTrip(@ForAll String text) {
        String doc = new JsonWriter().beginArray().value(text).beginObject().name(text).value(text).endObject()
                .endArray().toString();
        List<?> parsed = (List<?>) Json.parse(doc);
        assertEquals(text, parsed.get(0));
        assertEquals(Map.of(text, text), parsed.get(1));
    }
}
