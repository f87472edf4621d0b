package dev.pintp.systemd.internal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures what the job writes through {@link JournalSink} during each test, and puts the sink back as the job
 * starts it (standard output, no priority prefixes, INFO) after the test, also when the test fails. Register with
 * {@code @RegisterExtension final JournalCapture journal = new JournalCapture(prefixes, level);}.
 */
final class JournalCapture implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean priorityPrefix;
    private final int maxPriority;

    /** Captures with the journal's {@code <N>} prefixes or without, up to {@code maxPriority} (JournalSink.INFO ...). */
    JournalCapture(boolean priorityPrefix, int maxPriority) {
        this.priorityPrefix = priorityPrefix;
        this.maxPriority = maxPriority;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        capture(priorityPrefix, maxPriority);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        JournalSink.configure(System.out, false, JournalSink.INFO);
    }

    /** Forgets what was captured and captures on with other settings, for the rest of the test. */
    void capture(boolean withPrefixes, int upTo) {
        out.reset();
        JournalSink.configure(new PrintStream(out, true, StandardCharsets.UTF_8), withPrefixes, upTo);
    }

    /** What was written since the test began or since the last {@link #reset()} or {@link #capture}. */
    String text() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what was captured so far. */
    void reset() {
        out.reset();
    }
}
