package dev.pintp.systemd.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the job: one line per event on standard output, with a syslog priority prefix ({@code <3>}
 * error, {@code <4>} warning, {@code <6>} info, {@code <7>} debug) when standard output is the journal
 * ({@code JOURNAL_STREAM} is set), so {@code journalctl -p warning -u ntp-monitor} selects by level. Registered
 * through {@code META-INF/services}; ntp-core's slf4j logging goes through it too.
 */
public final class JournalLoggerProvider implements SLF4JServiceProvider {
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
    private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, JournalLogger::new);

    /** Called by SLF4J's service loader. */
    public JournalLoggerProvider() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return factory;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing to set up: the sink is chosen per line from JournalSink
    }
}
