package dev.pintp.systemd.internal;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Serves the daemon's latest metrics on {@code GET /metrics} with the JDK's HTTP server (one thread). Other paths
 * answer 404. Thread-safe: {@link #update} may be called from the cycle's thread while requests are served.
 */
public final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicReference<String> text = new AtomicReference<>("");

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Starts serving on {@code address} (port 0 picks a free port). */
    public static MetricsServer start(InetSocketAddress address) throws IOException {
        HttpServer http = HttpServer.create(address, 8);
        MetricsServer m = new MetricsServer(http);
        http.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = m.text.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        http.start();
        return m;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Replaces what {@code /metrics} returns. */
    public void update(String metrics) {
        text.set(metrics);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
