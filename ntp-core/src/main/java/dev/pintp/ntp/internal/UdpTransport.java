package dev.pintp.ntp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * Real UDP through a connected, non-blocking {@link DatagramChannel} bound to an ephemeral port. Because the channel
 * is connected, the kernel delivers only datagrams from the server's address and port (other sources never reach
 * us and so are not counted), and reports ICMP port unreachable as a {@link java.net.PortUnreachableException}.
 */
public final class UdpTransport implements DatagramTransport {
    /** The shared instance; stateless. */
    public static final UdpTransport INSTANCE = new UdpTransport();

    private UdpTransport() {
    }

    @Override
    public Connection connect(InetSocketAddress server) throws IOException {
        StandardProtocolFamily family = server.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        DatagramChannel channel = DatagramChannel.open(family);
        Selector selector = null;
        try {
            channel.configureBlocking(false);
            channel.connect(server);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new UdpConnection(channel, selector);
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            channel.close();
            throw e;
        }
    }

    private static final class UdpConnection implements Connection {
        private final DatagramChannel channel;
        private final Selector selector;

        UdpConnection(DatagramChannel channel, Selector selector) {
            this.channel = channel;
            this.selector = selector;
        }

        @Override
        public void send(byte[] data) throws IOException {
            channel.write(ByteBuffer.wrap(data));
        }

        @Override
        public Received receive(byte[] buffer, long timeoutNanos) throws IOException {
            long start = System.nanoTime();
            while (true) {
                ByteBuffer in = ByteBuffer.wrap(buffer);
                InetSocketAddress source = (InetSocketAddress) channel.receive(in);
                if (source != null) {
                    return new Received(in.position(), source);
                }
                long remaining = timeoutNanos - (System.nanoTime() - start);
                // select() returns at once on an interrupted thread: waiting on would spin until the timeout.
                if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                // select(0) would wait forever: round up to at least 1 ms.
                selector.select(Math.max(1, (remaining + 999_999) / 1_000_000));
                selector.selectedKeys().clear();
            }
        }

        @Override
        public void close() throws IOException {
            try {
                selector.close();
            } finally {
                channel.close();
            }
        }
    }
}
