package dev.pintp.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The probe's JSON writer takes only numbers in JSON's grammar, and every exact duration is one. */
class JsonWriterTest {

    @Test
    void aNumberThatIsNotJsonIsRefusedBeforeAnythingIsWritten() {
        for (String bad : new String[] {"NaN", "1,5", "", ".5", "+1", "Infinity", "1e"}) {
            JsonWriter w = new JsonWriter().beginArray();
            assertThrows(IllegalArgumentException.class, () -> w.number(bad), bad);
            assertEquals("[1]", w.value(1).endArray().toString(), bad);
        }
    }

    @Property(tries = 2000)
    void everyExactDurationIsWrittenAsTheSameNumber(
            @ForAll @LongRange(min = -4_000_000_000L, max = 4_000_000_000L) long seconds,
            @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) {
        Duration d = Duration.ofSeconds(seconds, nanos);
        String doc = new JsonWriter().beginArray().number(Seconds.exact(d)).endArray().toString();
        BigDecimal read = (BigDecimal) ((List<?>) Json.parse(doc)).get(0);
        assertEquals(0, new BigDecimal(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).compareTo(read), doc);
    }
}
