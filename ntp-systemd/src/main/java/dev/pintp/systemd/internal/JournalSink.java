package dev.pintp.systemd.internal;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where {@link JournalLogger} writes, and in which format. Global because SLF4J loggers are; the job configures it
 * once at start ({@link #configure}), tests capture lines by passing their own stream.
 */
public final class JournalSink {
    /** Syslog priority of errors. */
    public static final int ERR = 3;
    /** Syslog priority of warnings. */
    public static final int WARNING = 4;
    /** Syslog priority of informational lines. */
    public static final int INFO = 6;
    /** Syslog priority of debug lines. */
    public static final int DEBUG = 7;

    private static volatile PrintStream out = System.out;
    private static volatile boolean prefix = System.getenv("JOURNAL_STREAM") != null;
    private static volatile int maxPriority = INFO;

    private JournalSink() {
    }

    /**
     * Sets the stream, whether lines carry {@code <N>} prefixes, and the least important priority written
     * ({@link #INFO} by default, {@link #DEBUG} for verbose output).
     */
    public static void configure(PrintStream stream, boolean priorityPrefix, int maxPriorityWritten) {
        out = Objects.requireNonNull(stream, "stream");
        prefix = priorityPrefix;
        maxPriority = maxPriorityWritten;
    }

    /** True when lines of this priority are written. */
    static boolean enabled(int priority) {
        return priority <= maxPriority;
    }

    /**
     * Writes one line. Newlines inside the message are folded to spaces and carriage returns dropped, so one event
     * stays one journal entry (a value cannot forge a second line); every other control character, DEL and the C1
     * controls are written as {@code \xNN}, so a hostile server name or file content cannot drive a terminal.
     */
    static void write(int priority, String message) {
        if (!enabled(priority)) {
            return;
        }
        String line = oneLine(message);
        PrintStream s = out;
        synchronized (s) {
            s.println(prefix ? "<" + priority + ">" + line : line);
            s.flush();
        }
    }

    /** {@code message} as one printable line: the rule of {@link #write}. */
    static String oneLine(String message) {
        StringBuilder sb = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean control = c < 0x20 && c != '\t' || c == 0x7f || (c >= 0x80 && c < 0xa0);
            if (control && sb == null) {
                sb = new StringBuilder(message.length() + 8).append(message, 0, i);
            }
            if (sb == null) {
                continue;
            }
            if (c == '\n') {
                sb.append(' ');
            } else if (c == '\r') {
                // dropped
            } else if (control) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else {
                sb.append(c);
            }
        }
        return sb == null ? message : sb.toString();
    }
}
