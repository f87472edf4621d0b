package dev.pintp.probe;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.SourceReport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The offset history of each source over the checks of {@code --watch}, drawn as a sparkline: one bar per check,
 * scaled between the smallest and largest offset in the window (at least 1 ms apart), {@code ·} (or {@code .}) for a check without a
 * sample. Not thread-safe.
 */
final class Sparklines {
    private static final char[] BARS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};
    /** Marks a check without a sample; compared by identity, never shown as a value. */
    private static final Duration GAP = Duration.ofNanos(Long.MIN_VALUE + 1);
    private static final Duration MIN_SPAN = Duration.ofMillis(1);
    private static final char[] ASCII_BARS = {'_', '.', '-', '~', '=', '*', '#', '@'};

    private final int width;
    private final boolean unicode;
    private final Map<String, Deque<Duration>> history = new LinkedHashMap<>();
    private int checks;

    /**
     * @param width the number of checks kept per source
     * @param unicode block characters when true, ASCII otherwise
     */
    Sparklines(int width, boolean unicode) {
        this.width = width;
        this.unicode = unicode;
    }

    /** The key of a source across checks: role, host and address. */
    static String key(SourceReport r) {
        return r.server().role() + " " + r.server().host() + " " + (r.address().isPresent() ? r.address().get().toString() : "-");
    }

    /** Adds one check; a source absent from it (or without a sample) gets a gap. */
    void add(CheckResult result) {
        checks++;
        Map<String, Duration> now = new HashMap<>();
        for (SourceReport r : result.sources()) {
            now.put(key(r), r.sample().isPresent() ? r.sample().get().offset() : null);
        }
        for (String k : now.keySet()) {
            if (!history.containsKey(k)) {
                Deque<Duration> gaps = new ArrayDeque<>();
                for (int i = 1; i < Math.min(checks, width); i++) {
                    gaps.add(GAP);
                }
                history.put(k, gaps);
            }
        }
        for (Map.Entry<String, Deque<Duration>> e : history.entrySet()) {
            Duration d = now.get(e.getKey());
            Deque<Duration> q = e.getValue();
            q.addLast(d == null ? GAP : d);
            while (q.size() > width) {
                q.removeFirst();
            }
        }
    }

    /** The sparkline of every source seen so far, by {@link #key}. */
    Map<String, String> render() {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, Deque<Duration>> e : history.entrySet()) {
            out.put(e.getKey(), line(e.getValue()));
        }
        return out;
    }

    private String line(Deque<Duration> values) {
        Duration min = null;
        Duration max = null;
        for (Duration d : values) {
            if (d != GAP) {
                min = min == null || d.compareTo(min) < 0 ? d : min;
                max = max == null || d.compareTo(max) > 0 ? d : max;
            }
        }
        char[] bars = unicode ? BARS : ASCII_BARS;
        // jitter below MIN_SPAN stays at the bottom instead of swinging over the whole height
        long span = min == null ? 1 : Math.max(max.minus(min).toNanos(), MIN_SPAN.toNanos());
        StringBuilder s = new StringBuilder();
        for (Duration d : values) {
            if (d == GAP) {
                s.append(unicode ? '·' : ' ');
            } else {
                double f = (double) d.minus(min).toNanos() / span;
                s.append(bars[(int) Math.round(f * (bars.length - 1))]);
            }
        }
        return s.toString();
    }
}
