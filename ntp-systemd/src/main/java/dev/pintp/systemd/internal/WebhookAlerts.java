package dev.pintp.systemd.internal;

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
 * {@code attempts} attempts with doubling pauses between them, a queue of at most 64 alerts (more are dropped with a
 * warning). A 2xx answer is success; anything else, a timeout or an I/O error is retried.
 */
public final class WebhookAlerts implements AlertSink {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlerts.class);

    private final URI url;
    private final Duration timeout;
    private final int attempts;
    private final Duration firstPause;
    private final HttpClient client;
    private final ThreadPoolExecutor executor;

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
        Duration pause = firstPause;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            String problem;
            try {
                HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    LOG.debug("webhook: alert {} delivered (HTTP {})", alert.event(), response.statusCode());
                    return;
                }
                problem = "HTTP " + response.statusCode();
            } catch (IOException e) {
                problem = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("webhook: alert {} abandoned at shutdown", alert.event());
                return;
            }
            if (attempt == attempts) {
                LOG.warn("webhook: alert {} not delivered after {} attempts: {}", alert.event(), attempts, problem);
                return;
            }
            LOG.info("webhook: attempt {} for alert {} failed ({}), retrying in {} ms", attempt, alert.event(),
                    problem, pause.toMillis());
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("webhook: alert {} abandoned at shutdown", alert.event());
                return;
            }
            pause = pause.multipliedBy(2);
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
