package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final List<Socket> clients = new ArrayList<>();
    private MetricsServer server;

    @AfterEach
    void close() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private MetricsServer start(Duration deadline) throws IOException {
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), deadline);
        server.update("ntp_stable_level 3\n");
        return server;
    }

    /** A client that sends the start of a request and then nothing. */
    private Socket slowLoris() throws IOException {
        Socket s = new Socket(server.address().getAddress(), server.address().getPort());
        clients.add(s);
        s.getOutputStream().write("GET /metr".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private static String exchange(InetSocketAddress a, String request) throws IOException {
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The answer, or "" when the server closed the connection without one (a reset, when our request was unread). */
    private static String answerOrNone(InetSocketAddress a, String request) throws IOException {
        try {
            return exchange(a, request);
        } catch (java.net.SocketException e) {
            return "";
        }
    }

    private static HttpResponse<String> scrape(InetSocketAddress a) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(20)).build();
        return client.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheMetricsAndNothingElse() throws Exception {
        InetSocketAddress a = start(MetricsServer.DEADLINE).address();
        HttpResponse<String> ok = scrape(a);
        assertEquals(200, ok.statusCode());
        assertEquals("ntp_stable_level 3\n", ok.body());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.headers().firstValue("Content-Type").orElse(""));
        assertTrue(exchange(a, "GET /other HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 404 "));
        assertTrue(exchange(a, "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 405 "));
        assertTrue(exchange(a, "nonsense\r\n\r\n").startsWith("HTTP/1.1 400 "));
        assertTrue(exchange(a, "GET /metrics HTTP/1.1\r\nX: " + "a".repeat(10_000) + "\r\n\r\n").startsWith("HTTP/1.1 400 "));
    }

    @Test
    void clientsThatSendHalfARequestDoNotHoldUpAScrape() throws Exception {
        // a deadline far beyond the bound below: the scrape must not be waiting for the slow clients to time out
        InetSocketAddress a = start(Duration.ofMinutes(5)).address();
        for (int i = 0; i < MetricsServer.MAX_CONNECTIONS - 1; i++) {
            slowLoris();
        }
        long t0 = System.nanoTime();
        HttpResponse<String> r = scrape(a); // fails with HttpTimeoutException after 20 s if held up
        assertEquals(200, r.statusCode());
        assertEquals("ntp_stable_level 3\n", r.body());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(20)) < 0);
    }

    @Test
    void aConnectionIsClosedAtItsDeadlineWhateverTheClientDoes() throws Exception {
        start(Duration.ofMillis(300));
        Socket loris = slowLoris();
        loris.setSoTimeout(20_000);
        long t0 = System.nanoTime();
        InputStream in = loris.getInputStream();
        assertEquals(-1, in.read(), "closed by the server without an answer");
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(20)) < 0);
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnceAndServedAgainWhenOneEnds() throws Exception {
        InetSocketAddress a = start(Duration.ofMinutes(5)).address();
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < MetricsServer.MAX_CONNECTIONS; i++) {
            held.add(slowLoris());
        }
        // accepted in order: the 17th finds the limit reached and is closed without an answer
        assertEquals("", answerOrNone(a, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
        held.get(0).close();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String answer = "";
        while (answer.isEmpty() && System.nanoTime() < end) {
            answer = answerOrNone(a, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"); // until the server has seen the close
        }
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
    }

    @Test
    void aPortAloneListensOnLoopback() throws IOException {
        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9817), MetricsServer.address("9817"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 9817), MetricsServer.address("[::1]:9817"));
        assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1), MetricsServer.address("127.0.0.1:1"));
    }
}
