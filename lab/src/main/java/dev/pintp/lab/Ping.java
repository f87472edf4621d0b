package dev.pintp.lab;

import java.net.InetAddress;

/**
 * ICMP echo for the lab, whose host image has no {@code ping} binary: run as root, {@link InetAddress#isReachable}
 * sends a real ICMP echo request.
 */
public final class Ping {
    private Ping() {
    }

    /**
     * Command line: {@code Ping ADDRESS [TIMEOUT_MS]} (default 1000 ms). Exits 0 when an echo reply came back, 1 if
     * not.
     *
     * @param args the address and optional timeout
     * @throws Exception if the address is malformed
     */
    public static void main(String[] args) throws Exception {
        int timeout = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        boolean reachable = InetAddress.getByName(args[0]).isReachable(timeout);
        System.out.println(args[0] + (reachable ? " is alive" : " is unreachable"));
        System.exit(reachable ? 0 : 1);
    }
}
