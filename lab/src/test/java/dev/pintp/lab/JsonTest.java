package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void readsAPrometheusApiAnswer() {
        Object v = Json.parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"__name__\":\"up\",\"job\":\"a\\\"b\\\\c\\u00e9\\n\"},\"value\":[1.7e9,\"1\"]}]},\"ok\":true,"
                + "\"none\":null,\"no\":false,\"neg\":-0.5,\"empty\":{},\"list\":[ ]}");
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("__name__", "up");
        metric.put("job", "a\"b\\c\u00e9\n");
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("metric", metric);
        sample.put("value", List.of(1.7e9, "1"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("resultType", "vector");
        data.put("result", List.of(sample));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("status", "success");
        expected.put("data", data);
        expected.put("ok", true);
        expected.put("none", null);
        expected.put("no", false);
        expected.put("neg", -0.5);
        expected.put("empty", Map.of());
        expected.put("list", List.of());
        assertEquals(expected, v);
        assertEquals(Arrays.asList(1.0, null, "x"), Json.parse(" [1, null, \"x\"] "));
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "\"open", "tru", "{} x", "[1 2]", "\"\\q\"",
                "\"a\nb\"", "-"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
