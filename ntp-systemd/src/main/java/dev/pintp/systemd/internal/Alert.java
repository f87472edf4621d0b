package dev.pintp.systemd.internal;

import dev.pintp.ntp.internal.JsonText;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One alert, rendered as a flat JSON object.
 *
 * @param event {@code sync_lost}, {@code sync_restored}, {@code drift_offset} or {@code drift_frequency}
 * @param raised true when the condition began, false when it ended
 * @param at when the check that saw it started
 * @param fields further values: strings, numbers or booleans
 */
public record Alert(String event, boolean raised, Instant at, Map<String, Object> fields) {
    public Alert {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(at, "at");
        fields = Map.copyOf(fields);
    }

    /** The JSON body POSTed to the webhook; keys in a fixed order. */
    public String toJson() {
        Map<String, Object> all = new TreeMap<>(fields);
        all.put("event", event);
        all.put("raised", raised);
        all.put("at", at.toString());
        all.put("source", "ntp-monitor");
        StringBuilder sb = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, Object> e : all.entrySet()) {
            sb.append(sep).append(JsonText.quote(e.getKey())).append(':');
            Object v = e.getValue();
            if (v instanceof Boolean) {
                sb.append(v);
            } else if (v instanceof Double || v instanceof Float) {
                sb.append(JsonText.number(((Number) v).doubleValue()));
            } else if (v instanceof Number) {
                String text = v.toString(); // a Number whose text is not JSON's (none in the JDK) goes as a double
                sb.append(JsonText.isNumber(text) ? text : JsonText.number(((Number) v).doubleValue()));
            } else {
                sb.append(JsonText.quote(String.valueOf(v)));
            }
            sep = ",";
        }
        return sb.append('}').toString();
    }
}
