package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
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

    @Test
    void integersBooleansAndOtherNumbersStayJsonAndKeysAreEscapedToo() {
        Alert a = new Alert("sync_lost", true, Instant.parse("2026-12-02T08:00:00Z"),
                Map.of("n", 42, "big", 1L << 53, "f", 0.1f, "ok", false, "k\u2029\"", "v",
                        "atomic", new AtomicLong(7), "odd", new CommaNumber()));
        assertEquals("{\"at\":\"2026-12-02T08:00:00Z\",\"atomic\":7,\"big\":9007199254740992,"
                + "\"event\":\"sync_lost\",\"f\":0.10000000149011612,\"k\\u2029\\\"\":\"v\",\"n\":42,\"odd\":1.5,"
                + "\"ok\":false,\"raised\":true,\"source\":\"ntp-monitor\"}", a.toJson());
    }

    /** A Number whose text is not JSON's. */
    private static final class CommaNumber extends Number {
        private static final long serialVersionUID = 1L;

        @Override
        public int intValue() {
            return 1;
        }

        @Override
        public long longValue() {
            return 1;
        }

        @Override
        public float floatValue() {
            return 1.5f;
        }

        @Override
        public double doubleValue() {
            return 1.5;
        }

        @Override
        public String toString() {
            return "1,5";
        }
    }
}
