package dev.pintp.systemd.internal;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs alerts as JSON to a webhook from one background thread: each attempt bounded by a timeout, at most
 * {@code attempts} attempts with doubling pauses between them (a resilience4j {@link Retry}), a queue of at most 64
 * alerts (more are dropped with a warning). A 2xx answer is success; anything else, a timeout or an I/O error is
 * retried.
 */
public final class WebhookAlerts implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlerts.class);

    private final URI url;
    private final Duration timeout;
    private final int attempts;
    private final Duration firstPause;
    private final HttpClient client;
    private final ThreadPoolExecutor executor;
    /** Used only on the executor's thread. */
    private RetryConfig retryConfig;

    /**
     * @param timeout per attempt, connection and answer together
     * @param attempts 1 or more
     * @param firstPause pause before the second attempt; doubles after each further failure
     */
    public WebhookAlerts(URI url, Duration timeout, int attempts, Duration firstPause) {
        this.url = Objects.requireNonNull(url, "url");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
        }
        this.attempts = attempts;
        this.firstPause = Objects.requireNonNull(firstPause, "firstPause");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "ntp-monitor-webhook");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void send(Alert alert) {
        try {
            executor.execute(() -> deliver(alert));
        } catch (RejectedExecutionException e) {
            LOG.warn("webhook: alert {} dropped, the queue is full or the job is stopping", alert.event());
        }
    }

    private void deliver(Alert alert) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alert.toJson())).build();
        if (retryConfig == null) { // built on the first alert, on this thread: most runs send none
            retryConfig = RetryConfig.custom()
                    .maxAttempts(attempts)
                    .intervalFunction(this::pauseMillis)
                    .retryExceptions(IOException.class) // NotDelivered (an answer but not 2xx) is one
                    .build();
        }
        Retry retry = Retry.of("webhook", retryConfig);
        retry.getEventPublisher().onRetry(e -> LOG.info("webhook: attempt {} for alert {} failed ({}), retrying in {}"
                + " ms", e.getNumberOfRetryAttempts(), alert.event(), problem(e.getLastThrowable()),
                e.getWaitInterval().toMillis()));
        try {
            int status = retry.executeCheckedSupplier(() -> {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 != 2) {
                    throw new NotDelivered(response.statusCode());
                }
                return response.statusCode();
            });
            LOG.debug("webhook: alert {} delivered (HTTP {})", alert.event(), status);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            // Retry gives up on an interrupted pause with the last failure (or null) and the interrupt set again
            if (e instanceof InterruptedException || Thread.currentThread().isInterrupted()) {
                Thread.currentThread().interrupt();
                LOG.warn("webhook: alert {} abandoned at shutdown", alert.event());
            } else {
                LOG.warn("webhook: alert {} not delivered after {} attempts: {}", alert.event(), attempts,
                        problem(e));
            }
        }
    }

    /** The pause before attempt {@code failed + 1}: {@code firstPause}, doubling after each further failure. */
    private long pauseMillis(int failed) {
        long first = firstPause.toMillis();
        int doublings = Math.min(failed - 1, 30);
        return first > Long.MAX_VALUE >> doublings ? Long.MAX_VALUE : first << doublings;
    }

    private static String problem(Throwable t) {
        return t instanceof NotDelivered ? t.getMessage() : String.valueOf(t);
    }

    /** An answer that is not 2xx: retried like an I/O error. Carries no stack trace. */
    private static final class NotDelivered extends IOException {
        private static final long serialVersionUID = 1L;

        NotDelivered(int status) {
            super("HTTP " + status, null);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    @Override
    public void close(Duration grace) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
