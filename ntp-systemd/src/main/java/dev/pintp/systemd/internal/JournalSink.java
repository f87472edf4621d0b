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

    /** Writes one line (newlines inside the message are folded so one event stays one journal entry). */
    static void write(int priority, String message) {
        if (!enabled(priority)) {
            return;
        }
        String line = message.replace("\r", "").replace('\n', ' ');
        PrintStream s = out;
        synchronized (s) {
            s.println(prefix ? "<" + priority + ">" + line : line);
            s.flush();
        }
    }
}
