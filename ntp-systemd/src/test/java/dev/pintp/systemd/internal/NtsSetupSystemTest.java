package dev.pintp.systemd.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.NtpAuth;
import dev.pintp.ntp.Outcome;
import dev.pintp.ntp.QueryOptions;
import dev.pintp.ntp.QueryResult;
import dev.pintp.ntp.SntpClient;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code install --auth nts}'s printed steps, followed literally: its openssl commands run in a temporary
 * directory, its chrony.conf lines (with /etc/chrony/ pointing there) serve NTS from a real {@code chronyd -x} on
 * loopback, and the engine, trusting the printed CA file, measures time over NTS from it.
 */
@Tag("system")
class NtsSetupSystemTest {
    @TempDir
    Path dir;

    @Test
    void thePrintedStepsGiveAChronydThatTheJobsNtsSettingVerifies() throws Exception {
        Path chronyd = Path.of("/usr/sbin/chronyd");
        Assumptions.assumeTrue(Files.isExecutable(chronyd), "needs chronyd (scripts/install-test-deps)");
        int ntpPort;
        int kePort;
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket u = new DatagramSocket(any); ServerSocket t = new ServerSocket()) {
            t.bind(any);
            ntpPort = u.getLocalPort();
            kePort = t.getLocalPort();
        }
        String text = NtsSetup.instructions(Fixtures.settings(dir, "[Servers]\nPrimary=127.0.0.1:" + ntpPort
                + "\nFallback=\n"));

        // step 1, as printed: the lines between "1." and "2.", continuations kept
        List<String> lines = text.lines().toList();
        StringBuilder script = new StringBuilder("set -e\n");
        List<String> chronyConf = new ArrayList<>();
        boolean inStep1 = false;
        for (String l : lines) {
            if (l.startsWith("  1.")) {
                inStep1 = true;
            } else if (l.startsWith("  2.")) {
                inStep1 = false;
            } else if (inStep1) {
                script.append(l.strip()).append('\n');
            } else if (l.strip().startsWith("nts")) {
                chronyConf.add(l.strip().replace("/etc/chrony/", dir + "/").replace("/var/lib/chrony", dir.toString()));
            }
        }
        Files.writeString(dir.resolve("steps.sh"), script);
        Process steps = new ProcessBuilder("bash", dir.resolve("steps.sh").toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("steps.log").toFile()).start();
        assertTrue(steps.waitFor(60, TimeUnit.SECONDS), "openssl steps did not finish");
        assertEquals(0, steps.exitValue(), Files.readString(dir.resolve("steps.log")));
        assertEquals(3, chronyConf.size(), "ntsserverkey, ntsservercert, ntsdumpdir: " + chronyConf);

        Path conf = dir.resolve("chrony.conf");
        List<String> all = new ArrayList<>(List.of("port " + ntpPort, "ntsport " + kePort, "bindaddress 127.0.0.1",
                "local stratum 1", "allow 127.0.0.1", "cmdport 0", "ntsprocesses 0",
                "pidfile " + dir.resolve("chronyd.pid"), "driftfile " + dir.resolve("drift")));
        all.addAll(chronyConf);
        Files.writeString(conf, String.join("\n", all) + "\n");
        // -x: chronyd never touches the clock
        Process server = new ProcessBuilder(chronyd.toString(), "-x", "-d", "-u", "root", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("chronyd.log").toFile()).start();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", kePort), 1000);
                    break;
                } catch (java.io.IOException e) {
                    assertTrue(server.isAlive() && System.nanoTime() < end,
                            "chronyd's NTS-KE did not listen: " + Files.readString(dir.resolve("chronyd.log")));
                    Thread.sleep(50);
                }
            }
            // the job's setting from step 3: PrimaryNts=yes, NtsCa=<the CA file>
            NtpAuth.Nts nts = NtpAuth.Nts.of("127.0.0.1").withKePort(kePort).withTrustedCa(dir.resolve("ca.crt"));
            // Up to three attempts, each a whole NTS-KE and query: under heavy load (seen once with stress-ng --cpu 2
            // beside a second suite) chronyd closed the first key exchange of this cold JVM before its TLS handshake
            // was done ("Broken pipe"). A configuration the steps got wrong fails every attempt the same way.
            QueryResult r = null;
            StringBuilder earlier = new StringBuilder();
            for (int attempt = 0; attempt < 3; attempt++) {
                r = SntpClient.ofDefaults().query(new InetSocketAddress("127.0.0.1", ntpPort),
                        new QueryOptions(2, Duration.ofSeconds(5), Duration.ofSeconds(5)).withAuth(nts));
                if (r.outcome() == Outcome.OK) {
                    break;
                }
                earlier.append("attempt ").append(attempt + 1).append(": ").append(r.detail()).append('\n');
            }
            assertEquals(Outcome.OK, r.outcome(), earlier + "\n" + Files.readString(dir.resolve("chronyd.log")));
        } finally {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
