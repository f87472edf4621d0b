package dev.pintp.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The NTS-KE tampering relay on loopback, against a scripted record server: the client sends its records, the server
 * answers each encrypted one with three of its own (a handshake-typed one and two encrypted), and the test compares
 * what arrives with what was sent.
 */
class TcpRelayTest {
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static byte[] record(int type, int... payload) {
        byte[] r = new byte[5 + payload.length];
        r[0] = (byte) type;
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (payload.length >> 8);
        r[4] = (byte) payload.length;
        for (int i = 0; i < payload.length; i++) {
            r[5 + i] = (byte) payload[i];
        }
        return r;
    }

    /** The server's answer to the n-th encrypted client record (n from 1). */
    private static List<byte[]> answer(int n) {
        return List.of(record(22, n, 0), record(TcpRelay.APPLICATION_DATA, n, 1, 2), record(TcpRelay.APPLICATION_DATA,
                n, 3, 4));
    }

    /** Runs one connection through a relay in {@code mode}: the client sends two encrypted records. */
    private static List<byte[]> exchange(TcpRelay.Mode mode) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(ANY);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    int n = 0;
                    byte[] r;
                    while ((r = TcpRelay.readRecord(in)) != null) {
                        if ((r[0] & 0xFF) == TcpRelay.APPLICATION_DATA) {
                            for (byte[] a : answer(++n)) {
                                out.write(a);
                            }
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (TcpRelay relay = new TcpRelay(ANY, (InetSocketAddress) server.getLocalSocketAddress(), mode);
                    Socket c = new Socket()) {
                c.connect(relay.address(), 5000);
                c.setSoTimeout(10_000);
                List<byte[]> got = new ArrayList<>();
                for (int n = 1; n <= 2; n++) {
                    c.getOutputStream().write(record(TcpRelay.APPLICATION_DATA, 9, n));
                    c.getOutputStream().flush();
                    for (int i = 0; i < 3; i++) {
                        got.add(TcpRelay.readRecord(c.getInputStream()));
                    }
                }
                c.shutdownOutput();
                assertNull(TcpRelay.readRecord(c.getInputStream()), "the server's close reaches the client");
                served.get(10, TimeUnit.SECONDS);
                assertEquals(1, relay.connections());
                return got;
            }
        }
    }

    private static List<byte[]> expected(int alteredIndex) {
        List<byte[]> e = new ArrayList<>();
        e.addAll(answer(1));
        e.addAll(answer(2));
        if (alteredIndex >= 0) {
            byte[] r = e.get(alteredIndex).clone();
            r[r.length - 1] ^= 1;
            e.set(alteredIndex, r);
        }
        return e;
    }

    private static void assertRecords(List<byte[]> expected, List<byte[]> got) {
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "record " + i);
        }
    }

    @Test
    void passForwardsEveryRecordUnchanged() throws Exception {
        assertRecords(expected(-1), exchange(TcpRelay.Mode.PASS));
    }

    @Test
    void tamperHandshakeAltersOnlyTheServersFirstEncryptedRecord() throws Exception {
        assertRecords(expected(1), exchange(TcpRelay.Mode.TAMPER_HANDSHAKE));
    }

    @Test
    void tamperResponseAltersOnlyTheFirstEncryptedRecordAfterTheClientsSecond() throws Exception {
        assertRecords(expected(4), exchange(TcpRelay.Mode.TAMPER_RESPONSE));
    }

    @Test
    void aRecordIsReadWholeAndATruncatedOneIsAnError() throws Exception {
        byte[] r = record(23, 1, 2, 3);
        assertArrayEquals(r, TcpRelay.readRecord(new ByteArrayInputStream(r)));
        assertNull(TcpRelay.readRecord(new ByteArrayInputStream(new byte[0])));
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> TcpRelay.readRecord(new ByteArrayInputStream(java.util.Arrays.copyOf(r, 6))));
    }
}
