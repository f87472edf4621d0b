package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertTest {
    @Test
    void valuesAreEscapedByTheProjectsOneJsonWriterAndNumbersKeepTheirDigits() {
        Alert a = new Alert("drift_offset", true, Instant.parse("2026-12-02T08:00:00Z"),
                Map.of("server", "x\u2028\ud800", "offsetSeconds", 0.000123456789, "ppm", Double.NaN));
        String json = a.toJson();
        assertTrue(json.contains("\"server\":\"x\\u2028\\ud800\""), json);
        assertTrue(json.contains("\"ppm\":null"), json);
        String digits = json.replaceAll(".*\"offsetSeconds\":([^,}]*).*", "$1");
        assertEquals(0.000123456789, Double.parseDouble(digits));
    }
}
