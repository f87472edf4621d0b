package dev.pintp.ntp.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The UDP side effect of the engine, so that tests can feed it any datagram from any source. Implementations must be
 * thread-safe; each {@link Connection} is used by one thread.
 */
public interface DatagramTransport {

    /**
     * Opens a connection to {@code server} on a port the operating system chooses.
     *
     * @throws IOException if no socket can be opened or connected (for example no route to the address family)
     */
    Connection connect(InetSocketAddress server) throws IOException;

    /** One open socket, connected to one server. */
    interface Connection extends Closeable {
        /** Sends one datagram. */
        void send(byte[] data) throws IOException;

        /**
         * Waits up to {@code timeoutNanos} for one datagram and copies it into {@code buffer}.
         *
         * @return the datagram's length and source, or null when the time ran out or the thread is interrupted (its
         *     interrupt status stays set)
         * @throws java.net.PortUnreachableException when the network reported the server's port unreachable
         * @throws IOException for other network errors
         */
        Received receive(byte[] buffer, long timeoutNanos) throws IOException;
    }

    /**
     * A received datagram.
     *
     * @param length its length; may exceed the buffer, in which case the buffer holds its start
     * @param source the address and port it came from
     */
    record Received(int length, InetSocketAddress source) {
    }
}
