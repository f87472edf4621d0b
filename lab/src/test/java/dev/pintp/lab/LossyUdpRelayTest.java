package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The relay that stands in for tc netem, on loopback. */
class LossyUdpRelayTest {
    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    /** Echoes every datagram it receives, on its own thread. */
    private static DatagramSocket echoServer() throws Exception {
        DatagramSocket echo = new DatagramSocket(ANY_LOOPBACK);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[512];
            while (!echo.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    echo.receive(p);
                    echo.send(new DatagramPacket(Arrays.copyOf(p.getData(), p.getLength()), p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return echo;
    }

    private static byte[] roundTrip(DatagramSocket client, InetSocketAddress to, byte[] data) throws Exception {
        client.send(new DatagramPacket(data, data.length, to));
        DatagramPacket reply = new DatagramPacket(new byte[512], 512);
        client.receive(reply);
        return Arrays.copyOf(reply.getData(), reply.getLength());
    }

    @Test
    void withoutLossEveryDatagramComesBackUnchanged() throws Exception {
        try (DatagramSocket echo = echoServer();
                LossyUdpRelay relay = new LossyUdpRelay(ANY_LOOPBACK, (InetSocketAddress) echo.getLocalSocketAddress(), 0, 5);
                DatagramSocket client = new DatagramSocket(ANY_LOOPBACK)) {
            client.setSoTimeout(2000);
            for (int i = 0; i < 20; i++) {
                byte[] data = {1, 2, 3, (byte) i};
                assertArrayEquals(data, roundTrip(client, relay.address(), data));
            }
        }
    }

    @Test
    void withFullLossNothingComesBack() throws Exception {
        try (DatagramSocket echo = echoServer();
                LossyUdpRelay relay = new LossyUdpRelay(ANY_LOOPBACK, (InetSocketAddress) echo.getLocalSocketAddress(), 100, 0);
                DatagramSocket client = new DatagramSocket(ANY_LOOPBACK)) {
            client.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> roundTrip(client, relay.address(), new byte[] {7}));
        }
    }

    @Test
    void partialLossDropsSomeButNotAll() throws Exception {
        try (DatagramSocket echo = echoServer();
                LossyUdpRelay relay = new LossyUdpRelay(ANY_LOOPBACK, (InetSocketAddress) echo.getLocalSocketAddress(), 30, 0);
                DatagramSocket client = new DatagramSocket(ANY_LOOPBACK)) {
            client.setSoTimeout(100);
            int answered = 0;
            for (int i = 0; i < 40; i++) {
                try {
                    roundTrip(client, relay.address(), new byte[] {(byte) i});
                    answered++;
                } catch (SocketTimeoutException e) {
                    // lost one way or the other
                }
            }
            // 49 % expected to come back (0.7 * 0.7), sd 3.2 of 40; the bounds are over 5 standard deviations away
            assertTrue(answered > 3 && answered < 37, "answered " + answered + " of 40");
        }
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> new LossyUdpRelay(ANY_LOOPBACK, ANY_LOOPBACK, 101, 0));
        assertThrows(IllegalArgumentException.class, () -> new LossyUdpRelay(ANY_LOOPBACK, ANY_LOOPBACK, 0, -1));
    }
}
