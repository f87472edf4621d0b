package dev.pintp.lab;

import java.net.InetSocketAddress;

/** The small things the lab's relays ({@link UdpRelay}'s and {@link TcpRelay}) share. */
final class Relays {
    private Relays() {
    }

    /** A daemon thread (the lab's relays never keep their process alive). */
    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** {@code ADDRESS:PORT} of a relay's command line. */
    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected ADDRESS:PORT, got " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
