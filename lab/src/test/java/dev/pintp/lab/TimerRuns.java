package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runs of the installed {@code ntp-monitor.service} that its timer starts, as systemd in the main Pi records them.
 * Times are CLOCK_MONOTONIC microseconds: the container shares the host's kernel and has no time namespace, so
 * systemd's {@code ...TimestampMonotonic} and this JVM's {@link System#nanoTime()} read the same clock.
 */
final class TimerRuns {
    static final String SERVICE = "ntp-monitor.service";
    static final String TIMER = "ntp-monitor.timer";

    private final Lab lab;

    TimerRuns(Lab lab) {
        this.lab = lab;
    }

    /** One run of the service: its invocation, main process start and exit, and how it ended. */
    record Run(String invocation, long startUs, long exitUs, String activeState, String result, int status) {
        boolean finished() {
            return !invocation.isEmpty() && exitUs >= startUs && startUs > 0
                    && !activeState.equals("activating") && !activeState.equals("deactivating");
        }

        boolean succeeded() {
            return result.equals("success") && status == 0;
        }

        @Override
        public String toString() {
            return "run " + invocation + " (started at " + startUs / 1e6 + " s, exited at " + exitUs / 1e6 + " s, "
                    + activeState + ", Result=" + result + ", status " + status + ")";
        }
    }

    /** The current monotonic time in microseconds, comparable with systemd's monotonic timestamps. */
    static long nowUs() {
        return System.nanoTime() / 1000;
    }

    /** The latest run (or an empty one) and the timer's next elapse (Long.MAX_VALUE when none is planned). */
    record Status(Run last, long nextElapseUs) {
    }

    Status status() {
        String out = lab.shMain("systemctl show " + SERVICE + " -p InvocationID -p ActiveState -p Result"
                + " -p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic -p ExecMainStatus;"
                + " echo NextElapse=$(systemctl show " + TIMER + " -p NextElapseUSecMonotonic --value)").ok().out();
        Map<String, String> p = new HashMap<>();
        out.lines().forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0) {
                p.put(l.substring(0, eq), l.substring(eq + 1).strip());
            }
        });
        Run run = new Run(p.getOrDefault("InvocationID", ""), longOf(p.get("ExecMainStartTimestampMonotonic")),
                longOf(p.get("ExecMainExitTimestampMonotonic")), p.getOrDefault("ActiveState", ""),
                p.getOrDefault("Result", ""), (int) longOf(p.get("ExecMainStatus")));
        return new Status(run, timespanUs(p.getOrDefault("NextElapse", "")));
    }

    private static long longOf(String s) {
        return s == null || s.isEmpty() ? 0 : Long.parseLong(s);
    }

    private static final Pattern SPAN_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(us|ms|s|min|h|d)");

    /** systemd's timespan ("8min 35.734423s", "1h 2min 3s") in microseconds; Long.MAX_VALUE for none. */
    static long timespanUs(String span) {
        if (span.isEmpty() || span.equals("infinity") || span.equals("0")) {
            return Long.MAX_VALUE;
        }
        double us = 0;
        int matched = 0;
        Matcher m = SPAN_PART.matcher(span);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            us += v * switch (m.group(2)) {
                case "us" -> 1;
                case "ms" -> 1e3;
                case "s" -> 1e6;
                case "min" -> 60e6;
                case "h" -> 3600e6;
                default -> 86400e6;
            };
            matched += m.group().length();
        }
        if (matched != span.replace(" ", "").length()) {
            fail("cannot read systemd timespan '" + span + "'");
        }
        return Math.round(us);
    }

    /**
     * Waits for a moment when no run is in progress and the timer is not about to fire (its next elapse at least
     * {@code margin} away), so that an event caused right after it happens strictly before the next run starts.
     */
    Status quietMoment(Duration margin) {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            Status s = status();
            long now = nowUs();
            boolean running = s.last().activeState().equals("activating") || s.last().activeState().equals("deactivating");
            if (!running && s.nextElapseUs() != Long.MAX_VALUE && s.nextElapseUs() - now >= margin.toNanos() / 1000) {
                return s;
            }
            if (System.nanoTime() > end) {
                fail("no quiet moment between timer runs in 90 s: " + s);
            }
            pause(500);
        }
    }

    /**
     * Waits for the first run that the timer started after {@code eventUs} to finish, at most until {@code deadline}
     * after the event, and returns it. Polls seldom while the timer's next elapse is far, every 0.5 s near it.
     */
    Run firstRunAfter(long eventUs, Duration deadline) {
        long endUs = eventUs + deadline.toNanos() / 1000;
        while (true) {
            Status s = status();
            Run r = s.last();
            if (r.startUs() > eventUs && r.finished()) {
                return r;
            }
            long now = nowUs();
            if (now > endUs) {
                fail("no timer run started after the event and finished within " + deadline.toSeconds() + " s; last "
                        + r + ", next elapse at " + s.nextElapseUs() / 1e6 + " s, now " + now / 1e6 + " s");
            }
            long untilElapse = s.nextElapseUs() == Long.MAX_VALUE ? 0 : s.nextElapseUs() - now;
            pause(Math.max(500, Math.min(5000, untilElapse / 1000 - 1000)));
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }
}
