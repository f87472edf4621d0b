package dev.pintp.systemd.internal;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An SLF4J logger writing through {@link JournalSink}. Thread-safe. */
final class JournalLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    JournalLogger(String name) {
        this.name = name;
    }

    private static int priority(Level level) {
        switch (level) {
            case ERROR:
                return JournalSink.ERR;
            case WARN:
                return JournalSink.WARNING;
            case INFO:
                return JournalSink.INFO;
            default:
                return JournalSink.DEBUG;
        }
    }

    @Override
    public boolean isTraceEnabled() {
        return false;
    }

    @Override
    public boolean isDebugEnabled() {
        return JournalSink.enabled(JournalSink.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return JournalSink.enabled(JournalSink.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return JournalSink.enabled(JournalSink.WARNING);
    }

    @Override
    public boolean isErrorEnabled() {
        return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        String text = MessageFormatter.basicArrayFormat(pattern, arguments);
        if (throwable != null) {
            text = text + ": " + throwable;
        }
        JournalSink.write(priority(level), text);
    }
}
