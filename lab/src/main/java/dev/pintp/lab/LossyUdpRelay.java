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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A UDP relay that drops and delays datagrams, standing in for {@code tc netem} on kernels built without it.
 *
 * <p>Listens on one address and forwards every datagram to an upstream address through one upstream socket per
 * client, so the replies find their way back. Each datagram, in either direction, is dropped with probability
 * {@code lossPercent / 100} and otherwise sent after a uniformly random delay of 0 to {@code jitterMillis} ms.
 * Threads: one receiving thread per socket, one scheduler for delayed sends. Runs until closed or killed.
 */
public final class LossyUdpRelay implements AutoCloseable {
    private static final int MAX_DATAGRAM = 2048;

    private final DatagramSocket front;
    private final SocketAddress upstream;
    private final double loss;
    private final int jitterMillis;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "relay-send"));
    private final Map<SocketAddress, DatagramSocket> backs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Binds {@code listen} and starts relaying to {@code upstream}.
     *
     * @param listen address and port to receive clients on, not null
     * @param upstream address and port of the real server, not null
     * @param lossPercent chance, 0 to 100, that a datagram is dropped (each direction separately)
     * @param jitterMillis upper bound in milliseconds of the random delay added to each datagram, 0 or more
     * @throws SocketException if {@code listen} cannot be bound
     */
    public LossyUdpRelay(InetSocketAddress listen, InetSocketAddress upstream, double lossPercent, int jitterMillis)
            throws SocketException {
        if (lossPercent < 0 || lossPercent > 100 || jitterMillis < 0) {
            throw new IllegalArgumentException("loss must be 0..100 %, jitter 0 ms or more");
        }
        this.front = new DatagramSocket(Objects.requireNonNull(listen, "listen"));
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.loss = lossPercent / 100.0;
        this.jitterMillis = jitterMillis;
        daemon(this::serveFront, "relay-front").start();
    }

    /** The bound listening address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    private void serveFront() {
        byte[] buf = new byte[MAX_DATAGRAM];
        while (!closed) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                front.receive(in);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay: front receive failed: " + e);
                }
                return;
            }
            SocketAddress client = in.getSocketAddress();
            DatagramSocket back = backs.computeIfAbsent(client, this::openBack);
            if (back != null) {
                forward(back, copy(in), upstream);
            }
        }
    }

    private DatagramSocket openBack(SocketAddress client) {
        try {
            DatagramSocket back = new DatagramSocket(new InetSocketAddress(0));
            daemon(() -> serveBack(back, client), "relay-back").start();
            return back;
        } catch (SocketException e) {
            System.err.println("relay: cannot open upstream socket: " + e);
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
            forward(front, copy(in), client);
        }
    }

    private void forward(DatagramSocket via, byte[] data, SocketAddress to) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < loss) {
            return;
        }
        long delay = jitterMillis == 0 ? 0 : random.nextLong(jitterMillis + 1L);
        scheduler.schedule(() -> {
            try {
                via.send(new DatagramPacket(data, data.length, to));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay: send failed: " + e);
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private static byte[] copy(DatagramPacket p) {
        byte[] data = new byte[p.getLength()];
        System.arraycopy(p.getData(), p.getOffset(), data, 0, p.getLength());
        return data;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops relaying and closes every socket; idempotent. */
    @Override
    public void close() {
        closed = true;
        front.close();
        backs.values().forEach(DatagramSocket::close);
        scheduler.shutdownNow();
    }

    /**
     * Command line: {@code LossyUdpRelay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT LOSS_PERCENT JITTER_MS}. Prints
     * {@code listening ...} once bound, then relays until killed.
     *
     * @param args the four arguments above
     * @throws Exception if an argument is malformed or the address cannot be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LossyUdpRelay LISTEN:PORT UPSTREAM:PORT LOSS_PERCENT JITTER_MS");
            System.exit(2);
        }
        try (LossyUdpRelay relay = new LossyUdpRelay(parse(args[0]), parse(args[1]), Double.parseDouble(args[2]),
                Integer.parseInt(args[3]))) {
            System.out.println("listening " + relay.address() + " -> " + args[1] + " loss " + args[2] + " % jitter " + args[3] + " ms");
            System.out.flush();
            Thread.currentThread().join();
        }
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected ADDRESS:PORT, got " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
