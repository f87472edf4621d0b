package dev.pintp.lab;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
public final class LossyUdpRelay extends UdpRelay {
    private final double loss;
    private final int jitterMillis;
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(r -> Relays.daemon(r, "relay-send"));

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
        super(checked(listen, lossPercent, jitterMillis), upstream, "relay");
        this.loss = lossPercent / 100.0;
        this.jitterMillis = jitterMillis;
        start();
    }

    private static InetSocketAddress checked(InetSocketAddress listen, double lossPercent, int jitterMillis) {
        if (lossPercent < 0 || lossPercent > 100 || jitterMillis < 0) {
            throw new IllegalArgumentException("loss must be 0..100 %, jitter 0 ms or more");
        }
        return listen;
    }

    /** Either direction alike: dropped with the loss's chance, else sent after a random delay up to the jitter. */
    @Override
    void relay(DatagramSocket via, byte[] data, SocketAddress to, boolean answer) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < loss) {
            return;
        }
        long delay = jitterMillis == 0 ? 0 : random.nextLong(jitterMillis + 1L);
        try {
            scheduler.schedule(() -> send(via, data, to), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            if (!isClosed()) {
                throw e;
            }
        }
    }

    /** Stops relaying and closes every socket; idempotent. */
    @Override
    public void close() {
        super.close();
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
        try (LossyUdpRelay relay = new LossyUdpRelay(Relays.parse(args[0]), Relays.parse(args[1]), Double.parseDouble(args[2]),
                Integer.parseInt(args[3]))) {
            System.out.println("listening " + relay.address() + " -> " + args[1] + " loss " + args[2] + " % jitter " + args[3] + " ms");
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
