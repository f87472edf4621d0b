package dev.pintp.systemd.internal;

import java.time.Duration;

/**
 * Where alerts go. {@link #send} never blocks the caller and never throws: a slow or failing receiver cannot delay
 * or fail a cycle. Thread-safe.
 */
public interface AlertSink {
    /** An alert sink that drops everything (no webhook configured). */
    AlertSink NONE = new AlertSink() {
        @Override
        public void send(Alert alert) {
        }

        @Override
        public void close(Duration grace) {
        }
    };

    /** Queues {@code alert} for delivery. */
    void send(Alert alert);

    /** Stops accepting alerts and waits at most {@code grace} for queued deliveries; then abandons them. */
    void close(Duration grace);
}
