package dev.pintp.lab;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lab's TCP relay for NTS-KE (RFC 8915 section 4, TLS 1.3 on TCP 4460): forwards each connection to the upstream
 * server record by record (TLS records: a 5-byte header with content type and length, then the payload), unchanged or
 * with one record altered as an on-path attacker would. TLS must refuse every alteration: an encrypted record whose
 * last byte (part of its AEAD tag) changed does not decrypt.
 *
 * <p>Every accepted connection is counted and announced on standard output ({@code connection N from ADDRESS}), so a
 * test can count the NTS-KE handshakes that reached the server. Threads: one accepting, two per connection. Runs
 * until closed or killed.
 */
public final class TcpRelay implements AutoCloseable {
    /** What the relay does to the server's records. */
    public enum Mode {
        /** Forward everything unchanged. */
        PASS,
        /**
         * Flip a bit in the server's first encrypted record (TLS 1.3: EncryptedExtensions, the certificate and
         * Finished are encrypted records after ServerHello): the handshake cannot complete.
         */
        TAMPER_HANDSHAKE,
        /**
         * Flip a bit in the server's first encrypted record after the client has sent two of its own (its Finished,
         * then the NTS-KE request): the record that carries the NTS-KE response, with the next protocol, AEAD and
         * cookie records.
         */
        TAMPER_RESPONSE
    }

    static final int APPLICATION_DATA = 23;
    private static final int MAX_RECORD = 5 + (1 << 14) + 256; // RFC 8446 section 5.2: ciphertext at most 2^14 + 256

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final Mode mode;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger tampered = new AtomicInteger();
    private volatile boolean closed;

    /**
     * Binds {@code listen} and starts relaying to {@code upstream}.
     *
     * @param listen where clients connect, not null
     * @param upstream the real server, not null
     * @param mode what to alter, not null
     * @throws IOException if {@code listen} cannot be bound
     */
    public TcpRelay(InetSocketAddress listen, InetSocketAddress upstream, Mode mode) throws IOException {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(Objects.requireNonNull(listen, "listen"));
        Relays.daemon(this::accept, "tcp-relay-accept").start();
    }

    /** The bound listening address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Records altered so far. */
    public int tampered() {
        return tampered.get();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            int n = connections.incrementAndGet();
            System.out.println("connection " + n + " from " + client.getRemoteSocketAddress());
            System.out.flush();
            Relays.daemon(() -> relay(client), "tcp-relay-" + n).start();
        }
    }

    private void relay(Socket client) {
        try (client; Socket server = new Socket()) {
            server.connect(upstream, 5000);
            AtomicInteger clientRecords = new AtomicInteger();
            Thread up = Relays.daemon(() -> pump(client, server, clientRecords, null), "tcp-relay-up");
            up.start();
            pump(server, client, null, clientRecords);
            up.join(5000);
        } catch (IOException e) {
            if (!closed) {
                System.err.println("tcp relay: " + e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Copies TLS records from {@code from} to {@code to} until either side closes. From the client ({@code count}
     * non-null) it counts encrypted records; from the server ({@code clientRecords} non-null) it alters the one the
     * mode names.
     */
    private void pump(Socket from, Socket to, AtomicInteger count, AtomicInteger clientRecords) {
        boolean done = false;
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            int serverEncrypted = 0;
            while (true) {
                byte[] record = readRecord(in);
                if (record == null) {
                    break;
                }
                if ((record[0] & 0xFF) == APPLICATION_DATA) {
                    if (count != null) {
                        count.incrementAndGet(); // before forwarding: the server answers only after it has it
                    } else {
                        boolean alter = !done && switch (mode) {
                            case PASS -> false;
                            case TAMPER_HANDSHAKE -> serverEncrypted == 0;
                            case TAMPER_RESPONSE -> clientRecords.get() >= 2;
                        };
                        serverEncrypted++;
                        if (alter) {
                            record[record.length - 1] ^= 1;
                            done = true;
                            tampered.incrementAndGet();
                            System.out.println("tampered server record " + serverEncrypted + " (" + record.length
                                    + " bytes)");
                            System.out.flush();
                        }
                    }
                }
                out.write(record);
                out.flush();
            }
        } catch (IOException e) {
            // the other side closed or reset: end this direction
        } finally {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    /** One TLS record (header and payload), or null at a clean end of stream before a header. */
    static byte[] readRecord(InputStream in) throws IOException {
        byte[] header = new byte[5];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        new DataInputStream(in).readFully(header, 1, 4);
        int length = (header[3] & 0xFF) << 8 | (header[4] & 0xFF);
        if (5 + length > MAX_RECORD) {
            throw new IOException("not a TLS record: length " + length);
        }
        byte[] record = new byte[5 + length];
        System.arraycopy(header, 0, record, 0, 5);
        try {
            new DataInputStream(in).readFully(record, 5, length);
        } catch (EOFException e) {
            throw new IOException("stream ended inside a TLS record", e);
        }
        return record;
    }

    /** Stops accepting; connections in progress end with the process. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /**
     * Command line: {@code TcpRelay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT pass|tamper-handshake|tamper-response}.
     * Prints {@code listening ...} once bound, then relays until killed.
     *
     * @param args the three arguments above
     * @throws Exception if an argument is malformed or the address cannot be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: TcpRelay LISTEN:PORT UPSTREAM:PORT pass|tamper-handshake|tamper-response");
            System.exit(2);
        }
        Mode mode = Mode.valueOf(args[2].toUpperCase(Locale.ROOT).replace('-', '_'));
        try (TcpRelay relay = new TcpRelay(Relays.parse(args[0]), Relays.parse(args[1]), mode)) {
            System.out.println("listening " + relay.address() + " -> " + args[1] + " " + args[2]);
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
