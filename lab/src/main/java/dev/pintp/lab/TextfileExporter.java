package dev.pintp.lab;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code TextfileExporter HOST:PORT FILE}: serves {@code FILE} as it is on {@code GET /metrics}, read anew for each
 * request, so that a Prometheus server in a lab namespace can scrape the file the ntp-monitor job writes for
 * node_exporter's textfile collector (node_exporter itself is not installed on the lab's hosts). While the file is
 * missing the answer is 503, and Prometheus reports the target down. Prints {@code listening HOST:PORT} once bound;
 * runs until killed.
 */
public final class TextfileExporter {
    private TextfileExporter() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2 || args[0].lastIndexOf(':') < 1) {
            System.err.println("usage: TextfileExporter HOST:PORT FILE");
            System.exit(2);
        }
        int colon = args[0].lastIndexOf(':');
        InetSocketAddress at = new InetSocketAddress(args[0].substring(0, colon), Integer.parseInt(args[0].substring(colon + 1)));
        Path file = Path.of(args[1]);
        HttpServer server = HttpServer.create(at, 16);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] body;
                int status = 200;
                try {
                    body = Files.readAllBytes(file);
                } catch (NoSuchFileException e) {
                    body = ("no " + file + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    status = 503;
                }
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(status, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        System.out.println("listening " + args[0]);
        System.out.flush();
    }
}
