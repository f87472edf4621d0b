package dev.pintp.ntp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pintp.ntp.internal.DefaultNtpChecker;
import dev.pintp.ntp.testkit.SntpTestServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * However many servers are configured, a check uses a bounded number of threads (and so of sockets) and ends at its
 * deadline. Loopback only: the silent servers are bound sockets that never answer.
 */
class NtpCheckerResourceTest {
    private final List<DatagramSocket> silent = new ArrayList<>();
    private SntpTestServer primary;

    @AfterEach
    void close() {
        silent.forEach(DatagramSocket::close);
        if (primary != null) {
            primary.close();
        }
    }

    private List<String> silentServers(int n) throws SocketException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            silent.add(s);
            out.add("127.0.0.1:" + s.getLocalPort());
        }
        return out;
    }

    private static long queryThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("ntp-query-")).count();
    }

    @Test
    void moreServersThanTheMaximumAreRefusedWithTheLimitInTheMessage() {
        List<String> many = new ArrayList<>();
        for (int i = 1; i <= NtpConfig.MAX_SERVERS; i++) {
            many.add("127.0.0.1:" + (1000 + i));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NtpConfig.custom().primaryHosts("127.0.0.2").fallbackHosts(many.toArray(String[]::new)).build());
        assertTrue(e.getMessage().contains("at most 64 servers"), e.getMessage());
        many.add("127.0.0.1:9");
        e = assertThrows(IllegalArgumentException.class,
                () -> NtpConfig.custom().fallbackHosts(many.toArray(String[]::new)));
        assertTrue(e.getMessage().contains("at most 64 servers"), e.getMessage());
    }

    @Test
    void theMaximumOfUnansweringServersKeepsThreadsBoundedAndTheDeadline() throws Exception {
        primary = SntpTestServer.start();
        NtpConfig config = NtpConfig.custom().primaryHosts("127.0.0.1:" + primary.port())
                .fallbackHosts(silentServers(NtpConfig.MAX_SERVERS - 1).toArray(String[]::new))
                .timeout(Duration.ofSeconds(1)).checkDeadline(Duration.ofSeconds(2)).build();
        NtpChecker checker = NtpChecker.custom(config).sntpClient(SntpClient.ofDefaults())
                .resolver(host -> List.of(InetAddress.getByName(host))).build(); // literals only: no DNS
        long start = System.nanoTime();
        CheckResult r = checker.check();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(queryThreads() <= DefaultNtpChecker.POOL_THREADS, "threads: " + queryThreads());
        // the deadline (2 s) plus a margin for a loaded 2-core machine; it was overrun by 2 s with 8000 servers
        assertTrue(took.compareTo(Duration.ofMillis(3500)) < 0, "took " + took);
        assertEquals(NtpConfig.MAX_SERVERS, r.sources().size());
        assertEquals(Outcome.OK, r.sources().get(0).outcome(), "the primary is queried first: " + r.sources().get(0));
        assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
    }

    @Test
    void aPrimaryIsNotQueuedBehindFallbacksWhoseResolutionHangs() throws Exception {
        primary = SntpTestServer.start();
        List<String> fallbacks = new ArrayList<>();
        for (int i = 1; i < NtpConfig.MAX_SERVERS; i++) {
            fallbacks.add("dead-dns-" + i + ".test");
        }
        CountDownLatch dnsBack = new CountDownLatch(1);
        NtpConfig config = NtpConfig.custom().primaryHosts("127.0.0.1:" + primary.port())
                .fallbackHosts(fallbacks.toArray(String[]::new)).build();
        NtpChecker checker = NtpChecker.custom(config).sntpClient(SntpClient.ofDefaults()).resolver(host -> {
            if (host.endsWith(".test")) {
                try {
                    dnsBack.await(); // a resolver that never answers, until the test ends
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.net.UnknownHostException(host);
            }
            return List.of(InetAddress.getByName(host));
        }).build();
        try {
            CheckResult r = checker.check();
            assertEquals(Outcome.OK, r.sources().get(0).outcome(), r.sources().get(0).toString());
            assertEquals(Verdict.PRIMARY_SYNCED, r.verdict());
            assertEquals(Outcome.UNRESOLVED, r.sources().get(1).outcome());
            assertTrue(queryThreads() <= DefaultNtpChecker.POOL_THREADS, "threads: " + queryThreads());
        } finally {
            dnsBack.countDown();
        }
    }

    @Test
    void anExecutorWithAShortKeepAliveEndsItsIdleThreadsAfterACheck() throws Exception {
        primary = SntpTestServer.start();
        NtpConfig config = NtpConfig.custom().primaryHosts("127.0.0.1:" + primary.port())
                .fallbackHosts(silentServers(3).toArray(String[]::new))
                .timeout(Duration.ofMillis(300)).checkDeadline(Duration.ofSeconds(1)).build();
        java.util.concurrent.ThreadPoolExecutor pool =
                (java.util.concurrent.ThreadPoolExecutor) DefaultNtpChecker.newExecutor(Duration.ofMillis(100));
        try {
            NtpChecker checker = NtpChecker.custom(config).sntpClient(SntpClient.ofDefaults())
                    .resolver(host -> List.of(InetAddress.getByName(host))).executor(pool).build();
            assertEquals(Verdict.PRIMARY_SYNCED, checker.check().verdict());
            assertTrue(pool.getLargestPoolSize() > 1, "the check ran on the pool: " + pool.getLargestPoolSize());
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos(); // an event, waited for
            while (pool.getPoolSize() > 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals(0, pool.getPoolSize(), "idle threads left after the keep-alive");
            assertEquals(Verdict.PRIMARY_SYNCED, checker.check().verdict(), "threads are made again");
        } finally {
            pool.shutdownNow();
        }
    }
}
