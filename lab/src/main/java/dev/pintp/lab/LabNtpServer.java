package dev.pintp.lab;

import dev.pintp.ntp.testkit.SntpTestServer;
import java.time.Duration;

/**
 * Serves NTP in the lab where chrony cannot: a server whose root distance is over 5 s, and a Kiss-o'-Death server.
 *
 * <p>chrony 4.3 answers with root delay and dispersion near 0 in {@code local} mode and drops rate-limited requests
 * instead of sending a RATE kiss code, so these two hosts run the project's {@link SntpTestServer} (on loopback) behind
 * a {@link LossyUdpRelay} without loss or delay that exposes it on the host's lab address.
 */
public final class LabNtpServer {
    private LabNtpServer() {
    }

    /**
     * Command line: {@code LabNtpServer LISTEN_ADDR:PORT far|kod}. {@code far}: stratum 2, root delay 1 s and root
     * dispersion 6 s (root distance 6.5 s); {@code kod}: a RATE Kiss-o'-Death to every request. Prints
     * {@code listening ...} once bound, then serves until killed.
     *
     * @param args the two arguments above
     * @throws Exception if an argument is malformed or the address cannot be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[1].equals("far") || args[1].equals("kod"))) {
            System.err.println("usage: LabNtpServer LISTEN:PORT far|kod");
            System.exit(2);
        }
        try (SntpTestServer server = SntpTestServer.start()) {
            if (args[1].equals("far")) {
                server.stratum(2).rootDelay(Duration.ofSeconds(1)).rootDispersion(Duration.ofSeconds(6));
            } else {
                server.kissOfDeath("RATE");
            }
            try (LossyUdpRelay relay = new LossyUdpRelay(Relays.parse(args[0]), server.address(), 0, 0)) {
                System.out.println("listening " + relay.address() + " " + args[1]);
                System.out.flush();
                Thread.currentThread().join();
            }
        }
    }
}
