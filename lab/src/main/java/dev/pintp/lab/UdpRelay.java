package dev.pintp.lab;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the lab's UDP relays share: one listening socket, one upstream socket per client (so that each client's answers
 * find their way back), one receiving thread per socket. What becomes of a datagram on its way (sent as it is, altered,
 * delayed, dropped) is the subclass's {@link #relay}. A subclass's constructor calls {@link #start()} last, once its
 * own fields are set. Runs until closed or killed.
 */
abstract class UdpRelay implements AutoCloseable {
    private static final int MAX_DATAGRAM = 2048;

    private final DatagramSocket front;
    private final SocketAddress upstream;
    private final String name;
    private final Map<SocketAddress, DatagramSocket> backs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Binds {@code listen}; relaying begins with {@link #start()}.
     *
     * @param name the relay's name in its threads' names and its error lines
     * @throws SocketException if {@code listen} cannot be bound
     */
    UdpRelay(InetSocketAddress listen, InetSocketAddress upstream, String name) throws SocketException {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.name = Objects.requireNonNull(name, "name");
        this.front = new DatagramSocket(Objects.requireNonNull(listen, "listen"));
    }

    /**
     * One datagram on its way: a client's request to the upstream server ({@code answer} false, {@code via} the
     * client's upstream socket) or the server's answer to the client ({@code answer} true, {@code via} the listening
     * socket). Called on that socket's receiving thread; {@code data} is the relay's own copy.
     */
    abstract void relay(DatagramSocket via, byte[] data, SocketAddress to, boolean answer);

    /** Starts receiving clients. */
    final void start() {
        Relays.daemon(this::serveFront, name + "-front").start();
    }

    /** The bound listening address. */
    public final InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    /** Whether {@link #close()} was called. */
    final boolean isClosed() {
        return closed;
    }

    /** Sends {@code data} to {@code to} through {@code via}; a failure is logged unless the relay is closed. */
    final void send(DatagramSocket via, byte[] data, SocketAddress to) {
        try {
            via.send(new DatagramPacket(data, data.length, to));
        } catch (IOException e) {
            if (!closed) {
                System.err.println(name + ": send failed: " + e);
            }
        }
    }

    private void serveFront() {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!closed) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                front.receive(in);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println(name + ": front receive failed: " + e);
                }
                return;
            }
            SocketAddress client = in.getSocketAddress();
            DatagramSocket back = backs.computeIfAbsent(client, this::openBack);
            if (back != null) {
                relay(back, copy(in), upstream, false);
            }
        }
    }

    private DatagramSocket openBack(SocketAddress client) {
        try {
            DatagramSocket back = new DatagramSocket(new InetSocketAddress(0));
            Relays.daemon(() -> serveBack(back, client), name + "-back").start();
            return back;
        } catch (SocketException e) {
            System.err.println(name + ": cannot open upstream socket: " + e);
            return null;
        }
    }

    private void serveBack(DatagramSocket back, SocketAddress client) {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!closed) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                back.receive(in);
            } catch (IOException e) {
                return;
            }
            relay(front, copy(in), client, true);
        }
    }

    private static byte[] copy(DatagramPacket p) {
        byte[] data = new byte[p.getLength()];
        System.arraycopy(p.getData(), p.getOffset(), data, 0, p.getLength());
        return data;
    }

    /** Stops relaying and closes every socket; idempotent. */
    @Override
    public void close() {
        closed = true;
        front.close();
        backs.values().forEach(DatagramSocket::close);
    }
}
