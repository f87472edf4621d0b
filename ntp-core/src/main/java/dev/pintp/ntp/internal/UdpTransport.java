package dev.pintp.ntp.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * Real UDP through a connected {@link DatagramSocket} bound to an ephemeral port. Because the socket is connected, the
 * kernel delivers only datagrams from the server's address and port (other sources never reach us and so are not
 * counted), and reports ICMP port unreachable as a {@link java.net.PortUnreachableException}.
 *
 * <p>A {@code DatagramSocket} rather than a {@code DatagramChannel} with a {@code Selector}: both sit on the same
 * JDK socket implementation, but opening a channel or a selector first looks for a {@code SelectorProvider} service
 * on the class path, which opens the application's jar (thousands of entries) once more and spins a method handle,
 * about a tenth of a one-shot probe's CPU (docs/cost.md). Waits are cut into slices of at most
 * {@link #SLICE_MILLIS}, so that a thread interrupted while it waits stops within one slice.
 */
public final class UdpTransport implements DatagramTransport {
    /** The shared instance; stateless. */
    public static final UdpTransport INSTANCE = new UdpTransport();

    /**
     * Longest single blocking wait, in milliseconds: the socket's wait does not end on an interrupt, so this bounds
     * how long an interrupted query keeps waiting (an answer ends the wait at once, whatever the slice).
     */
    static final int SLICE_MILLIS = 100;

    private UdpTransport() {
    }

    @Override
    public Connection connect(InetSocketAddress server) throws IOException {
        DatagramSocket socket = new DatagramSocket();
        try {
            // DatagramSocket turns SO_BROADCAST on for compatibility with its old implementation; a channel has it off
            socket.setBroadcast(false);
            socket.connect(server);
            return new UdpConnection(socket, server);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static final class UdpConnection implements Connection {
        private final DatagramSocket socket;
        private final InetSocketAddress server;

        UdpConnection(DatagramSocket socket, InetSocketAddress server) {
            this.socket = socket;
            this.server = server;
        }

        @Override
        public void send(byte[] data) throws IOException {
            socket.send(new DatagramPacket(data, data.length, server));
        }

        @Override
        public Received receive(byte[] buffer, long timeoutNanos) throws IOException {
            long start = System.nanoTime();
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (true) {
                long remaining = timeoutNanos - (System.nanoTime() - start);
                if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                // setSoTimeout(0) would wait forever: round up to at least 1 ms
                socket.setSoTimeout((int) Math.min(SLICE_MILLIS, Math.max(1, (remaining + 999_999) / 1_000_000)));
                try {
                    socket.receive(packet);
                    return new Received(packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
                } catch (SocketTimeoutException e) {
                    // this slice ended without a datagram: look at the time and the interrupt again
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
