package dev.pintp.ntp.internal.nts;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/**
 * A real chronyd ({@code chronyd -x -d}, never touching the clock) on loopback as an NTS server: {@code local
 * stratum 1}, NTP on a free UDP port, NTS-KE on a free TCP port, key and certificate from a {@link TestPki}, its
 * NTS keys dumped into its own temporary directory. {@link #close()} stops it and removes the directory.
 */
final class NtsChronyd implements AutoCloseable {
    static final Path CHRONYD = Path.of("/usr/sbin/chronyd");

    final Path dir;
    final int ntpPort;
    final int ntsKePort;
    final Path caFile;
    private final Process process;

    private NtsChronyd(Path dir, int ntpPort, int ntsKePort, Path caFile, Process process) {
        this.dir = dir;
        this.ntpPort = ntpPort;
        this.ntsKePort = ntsKePort;
        this.caFile = caFile;
        this.process = process;
    }

    /** Starts chronyd serving NTS with a certificate for {@code names} from {@code pki}; waits until NTS-KE listens. */
    static NtsChronyd start(TestPki pki, TestPki.Issued server) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("pintp-nts-chronyd");
        int ntpPort;
        int kePort;
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket u = new DatagramSocket(any); ServerSocket t = new ServerSocket()) {
            t.bind(any);
            ntpPort = u.getLocalPort();
            kePort = t.getLocalPort();
        }
        Path key = dir.resolve("server.key");
        Path cert = dir.resolve("server.crt");
        Path ca = dir.resolve("ca.crt");
        TestPki.writePem(key, new JcaPKCS8Generator(server.keys().getPrivate(), null));
        TestPki.writePem(cert, server.cert());
        TestPki.writePem(ca, pki.ca);
        Path conf = dir.resolve("chrony.conf");
        Files.writeString(conf, String.join("\n",
                "port " + ntpPort,
                "ntsport " + kePort,
                "bindaddress 127.0.0.1",
                "local stratum 1",
                "allow 127.0.0.1",
                "cmdport 0",
                "ntsserverkey " + key,
                "ntsservercert " + cert,
                "ntsdumpdir " + dir,
                "ntsprocesses 0",
                "pidfile " + dir.resolve("chronyd.pid"),
                "driftfile " + dir.resolve("drift"),
                ""));
        Process p = new ProcessBuilder(CHRONYD.toString(), "-x", "-d", "-u", "root", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chronyd.log").toFile()).start();
        NtsChronyd c = new NtsChronyd(dir, ntpPort, kePort, ca, p);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", kePort), 1000);
                return c;
            } catch (IOException notYet) {
                if (System.nanoTime() > end || !p.isAlive()) {
                    String log = c.log();
                    if (System.getenv("PINTP_KEEP") == null) {
                        c.close();
                    }
                    throw new IllegalStateException("chronyd did not listen for NTS-KE on " + kePort + ": " + log);
                }
                Thread.sleep(50);
            }
        }
    }

    String log() {
        try {
            return Files.readString(dir.resolve("chronyd.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
