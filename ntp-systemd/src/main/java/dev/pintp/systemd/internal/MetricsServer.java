package dev.pintp.systemd.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the daemon's latest metrics on {@code GET /metrics} (HTTP/1.0 and 1.1, one request per connection). Other
 * paths answer 404, other methods 405, a malformed or oversized request 400. Built so that no client can hold up
 * the others (docs/security.md, "Network-facing parts"): one thread multiplexes every connection without blocking
 * (a client that sends half a request, or reads its answer slowly, costs a buffer, never the thread); each
 * connection is closed at most {@link #DEADLINE} after it was accepted, whatever it does; at most
 * {@link #MAX_CONNECTIONS} are open at a time and further ones are closed at once. The answer is a string prepared
 * by the cycle, so there is nothing for a worker pool to compute. Thread-safe: {@link #update} may be called from
 * the cycle's thread while requests are served.
 */
public final class MetricsServer implements AutoCloseable {
    /** How long a connection may take, from accept to the last byte of the answer. */
    public static final Duration DEADLINE = Duration.ofSeconds(5);
    /** Connections open at a time. */
    public static final int MAX_CONNECTIONS = 16;
    /** The largest request head (request line and headers) read. */
    static final int MAX_REQUEST_BYTES = 8192;

    private static final Logger LOG = LoggerFactory.getLogger("ntp-monitor");

    private final ServerSocketChannel server;
    private final Selector selector;
    private final Duration deadline;
    private final AtomicReference<String> text = new AtomicReference<>("");
    private final Thread thread;
    private volatile boolean closing;

    /** One connection: its request so far, then its answer, and when it is closed regardless. */
    private static final class Conn {
        final long closeAt;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        ByteBuffer answer;

        Conn(long closeAt) {
            this.closeAt = closeAt;
        }
    }

    private MetricsServer(ServerSocketChannel server, Selector selector, Duration deadline) {
        this.server = server;
        this.selector = selector;
        this.deadline = deadline;
        this.thread = new Thread(this::loop, "ntp-monitor-metrics");
        this.thread.setDaemon(true);
    }

    /** Starts serving on {@code address} (port 0 picks a free port) with the default {@link #DEADLINE}. */
    public static MetricsServer start(InetSocketAddress address) throws IOException {
        return start(address, DEADLINE);
    }

    static MetricsServer start(InetSocketAddress address, Duration deadline) throws IOException {
        Objects.requireNonNull(deadline, "deadline");
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(address, MAX_CONNECTIONS);
            s.configureBlocking(false);
            Selector sel = Selector.open();
            s.register(sel, SelectionKey.OP_ACCEPT);
            MetricsServer m = new MetricsServer(s, sel, deadline);
            m.thread.start();
            return m;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The address of {@code [Metrics] ListenAddress=}: {@code PORT} alone is loopback ({@code 127.0.0.1:PORT});
     * {@code HOST:PORT} and {@code [IPV6]:PORT} as written. The host is an address literal or a name resolved once.
     */
    public static InetSocketAddress address(String listen) throws IOException {
        if (listen.matches("[0-9]{1,5}")) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(listen));
        }
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(listen.substring(colon + 1)));
    }

    /** The bound address. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("closed", e);
        }
    }

    /** Replaces what {@code /metrics} returns. */
    public void update(String metrics) {
        text.set(Objects.requireNonNull(metrics, "metrics"));
    }

    private void loop() {
        try {
            while (!closing) {
                long now = System.nanoTime();
                long wait = Long.MAX_VALUE;
                for (SelectionKey k : new ArrayList<>(selector.keys())) {
                    if (k.attachment() instanceof Conn c) {
                        if (now - c.closeAt >= 0) {
                            close(k); // past its deadline, whatever it was doing
                        } else {
                            wait = Math.min(wait, c.closeAt - now);
                        }
                    }
                }
                selector.select(wait == Long.MAX_VALUE ? 0 : Math.max(1, wait / 1_000_000));
                List<SelectionKey> ready = new ArrayList<>(selector.selectedKeys());
                selector.selectedKeys().clear();
                for (SelectionKey k : ready) {
                    try {
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            accept();
                        } else if (k.isReadable()) {
                            read(k);
                        } else if (k.isWritable()) {
                            write(k);
                        }
                    } catch (IOException e) {
                        LOG.debug("metrics: connection ended: {}", e.toString());
                        close(k);
                    }
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            LOG.warn("metrics: server stopped: {}", e.toString());
        } finally {
            for (SelectionKey k : selector.keys()) {
                close(k);
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel c;
        while ((c = server.accept()) != null) {
            if (selector.keys().size() - 1 >= MAX_CONNECTIONS) {
                c.close(); // over the limit: refused at once rather than queued behind the others
                continue;
            }
            c.configureBlocking(false);
            c.register(selector, SelectionKey.OP_READ, new Conn(System.nanoTime() + deadline.toNanos()));
        }
    }

    private void read(SelectionKey k) throws IOException {
        Conn c = (Conn) k.attachment();
        int n = ((SocketChannel) k.channel()).read(c.request);
        if (n < 0) {
            close(k);
            return;
        }
        String s = new String(c.request.array(), 0, c.request.position(), StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            end = s.indexOf("\n\n");
        }
        if (end < 0 && c.request.hasRemaining()) {
            return; // not complete yet: wait for more, until the deadline
        }
        c.answer = ByteBuffer.wrap(answer(end < 0 ? null : s.substring(0, end)));
        k.interestOps(SelectionKey.OP_WRITE);
        write(k);
    }

    private void write(SelectionKey k) throws IOException {
        Conn c = (Conn) k.attachment();
        ((SocketChannel) k.channel()).write(c.answer);
        if (!c.answer.hasRemaining()) {
            close(k);
        }
    }

    /** The answer to a request head, or to an oversized one ({@code null}). */
    private byte[] answer(String head) {
        String status;
        byte[] body = new byte[0];
        String[] parts = head == null ? new String[0] : head.lines().findFirst().orElse("").split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
            status = "400 Bad Request";
        } else if (!parts[0].equals("GET")) {
            status = "405 Method Not Allowed";
        } else if (!parts[1].equals("/metrics") && !parts[1].startsWith("/metrics?")) {
            status = "404 Not Found";
        } else {
            status = "200 OK";
            body = text.get().getBytes(StandardCharsets.UTF_8);
        }
        byte[] header = ("HTTP/1.1 " + status + "\r\n"
                + (body.length > 0 || status.startsWith("200") ? "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n" : "")
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[header.length + body.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    private static void close(SelectionKey k) {
        k.cancel();
        try {
            k.channel().close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops accepting, closes every connection and waits (at most 5 s) for the serving thread to end. */
    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
