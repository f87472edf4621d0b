package dev.pintp.bench;

import dev.pintp.ntp.CheckResult;
import dev.pintp.ntp.NtpChecker;
import dev.pintp.ntp.NtpConfig;
import dev.pintp.ntp.NtpMonitor;
import dev.pintp.ntp.NtpMonitorListener;
import dev.pintp.ntp.Verdict;
import dev.pintp.ntp.testkit.SntpTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time per check of a running {@link NtpMonitor} with one LAN primary on loopback (a chronyd in local mode, or
 * the in-process SntpTestServer), against the CPU of starting a process per check. A harness, not a test: it prints
 * figures and writes them to {@code -Dbench.report}.
 *
 * <p>The monitor runs as embedded (scheduler thread, checker with its query pool, hysteresis, drift, metrics bound to
 * a registry, a listener), with the interval compressed to 1 ms by the injected scheduler so that many checks run in
 * a short time; the work per check is the same as at 60 s. After {@code bench.warmup} checks (JIT), the process CPU
 * time (all JVM threads: monitor, queries, JIT, GC; with the in-process server also the server) and the CPU time of
 * the monitor's own threads are read over {@code bench.checks} checks.
 *
 * <p>{@code MonitorCost once HOST:PORT} is a one-shot check in a fresh JVM: what a timer job per check costs.
 */
public final class MonitorCost {
    private MonitorCost() {
    }

    /** Runs the benchmark, or with {@code once HOST:PORT} one check. */
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("once")) {
            NtpConfig config = NtpConfig.custom().primaryHosts(args[1]).fallbacks(List.of()).build();
            CheckResult r = NtpChecker.create(config).check();
            System.out.println(r.verdict());
            System.exit(r.verdict() == Verdict.PRIMARY_SYNCED ? 0 : 1);
        }
        int warmup = Integer.getInteger("bench.warmup", 2000);
        int checks = Integer.getInteger("bench.checks", 10000);
        int runs = Integer.getInteger("bench.runs", 5);
        String serverKind = System.getProperty("bench.server", "chronyd");
        Path report = Path.of(System.getProperty("bench.report", "monitor-cost.txt"));

        List<String> out = new ArrayList<>();
        try (LanServer server = serverKind.equals("chronyd") && Files.isExecutable(Path.of("/usr/sbin/chronyd"))
                ? Chronyd.start() : new InProcess()) {
            out.add("LAN primary: " + server.describe());
            out.add(String.format(Locale.ROOT, "java %s, %d CPUs, %s %s", System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("os.arch")));
            monitorCost(server.port(), warmup, checks, out);
            String self = "127.0.0.1:" + server.port();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            processCost("fresh JVM, one check (MonitorCost once)", runs, out, java, "-cp",
                    System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    MonitorCost.class.getName(), "once", self);
            processCost("java -version", runs, out, java, "-version");
            if (Files.isExecutable(Path.of("/usr/bin/ntpdig"))) {
                // ntpdig cannot be given a port; it asks 127.0.0.1:123 (an ICMP port-unreachable when nothing
                // listens there): the figure is its start-up cost, the part a per-check process always pays.
                processCost("ntpdig -t 1 127.0.0.1 (port 123)", runs, out, "/usr/bin/ntpdig", "-t", "1",
                        "127.0.0.1");
            }
        }
        for (String line : out) {
            System.out.println(line);
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.write(report, out, StandardCharsets.UTF_8);
    }

    private static void monitorCost(int port, int warmup, int checks, List<String> out) throws Exception {
        NtpConfig config = NtpConfig.custom().primaryHosts("127.0.0.1:" + port).fallbacks(List.of()).build();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger count = new AtomicInteger();
        AtomicInteger synced = new AtomicInteger();
        AtomicLong process0 = new AtomicLong();
        AtomicLong own0 = new AtomicLong();
        AtomicLong wall0 = new AtomicLong();
        long[] result = new long[3];
        ScheduledThreadPoolExecutor scheduler = new CompressedScheduler();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (NtpMonitor monitor = NtpMonitor.custom(config).scheduler(scheduler).build()) {
            monitor.metrics().bindTo(registry);
            monitor.addListener(new NtpMonitorListener() {
                @Override
                public void onCheck(CheckResult r) {
                    int n = count.incrementAndGet();
                    if (n > warmup && r.verdict() == Verdict.PRIMARY_SYNCED) {
                        synced.incrementAndGet();
                    }
                    if (n == warmup) {
                        process0.set(os.getProcessCpuTime());
                        own0.set(ownThreadsCpu(threads));
                        wall0.set(System.nanoTime());
                    } else if (n == warmup + checks) {
                        result[0] = os.getProcessCpuTime() - process0.get();
                        result[1] = ownThreadsCpu(threads) - own0.get();
                        result[2] = System.nanoTime() - wall0.get();
                        done.countDown();
                    }
                }
            });
            monitor.start();
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("benchmark did not finish");
            }
        } finally {
            scheduler.shutdownNow();
        }
        out.add(String.format(Locale.ROOT, "running monitor: %d checks (after %d warm-up), %d of them PRIMARY_SYNCED,"
                + " %d exchanges each", checks, warmup, synced.get(), config.primarySamples()));
        out.add(String.format(Locale.ROOT, "  process CPU per check (all JVM threads): %.3f ms",
                result[0] / 1e6 / checks));
        out.add(String.format(Locale.ROOT, "  monitor and query threads CPU per check: %.3f ms",
                result[1] / 1e6 / checks));
        out.add(String.format(Locale.ROOT, "  wall time per check: %.3f ms", result[2] / 1e6 / checks));
    }

    /** CPU time of the monitor's scheduler thread and the checker's query threads, in nanoseconds. */
    private static long ownThreadsCpu(ThreadMXBean threads) {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("ntp-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }

    private static void processCost(String what, int runs, List<String> out, String... command)
            throws IOException, InterruptedException {
        List<Double> cpu = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        Path times = Files.createTempFile("pintp-time", ".txt");
        try {
            for (int i = 0; i < runs; i++) {
                List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %U %S"));
                cmd.addAll(List.of(command));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                p.waitFor();
                String[] f = Files.readString(times).strip().split("\\R");
                String[] v = f[f.length - 1].strip().split(" ");
                wall.add(Double.parseDouble(v[0]) * 1000);
                cpu.add((Double.parseDouble(v[1]) + Double.parseDouble(v[2])) * 1000);
            }
        } finally {
            Files.deleteIfExists(times);
        }
        Collections.sort(cpu);
        Collections.sort(wall);
        out.add(String.format(Locale.ROOT, "%s: median CPU (user+sys) %.0f ms, median wall %.0f ms, over %d runs"
                + " (CPU min %.0f, max %.0f)", what, cpu.get(runs / 2), wall.get(runs / 2), runs, cpu.get(0),
                cpu.get(runs - 1)));
    }

    /** A single-thread scheduler named like the monitor's own that runs periodic tasks 1 ms apart. */
    private static final class CompressedScheduler extends ScheduledThreadPoolExecutor {
        CompressedScheduler() {
            super(1, r -> {
                Thread t = new Thread(r, "ntp-monitor");
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                TimeUnit unit) {
            return super.scheduleWithFixedDelay(command, 0, 1, TimeUnit.MILLISECONDS);
        }
    }

    /** The LAN primary the monitor checks. */
    private interface LanServer extends AutoCloseable {
        int port();

        String describe();

        @Override
        void close() throws IOException;
    }

    private static final class InProcess implements LanServer {
        private final SntpTestServer server = SntpTestServer.start().localClock(1);

        @Override
        public int port() {
            return server.port();
        }

        @Override
        public String describe() {
            return "SntpTestServer in this JVM (its CPU is in the process figure)";
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** chronyd on loopback in local mode, never touching the clock ({@code -x}), in its own temporary directory. */
    private static final class Chronyd implements LanServer {
        private final Path dir;
        private final Process process;
        private final int port;

        private Chronyd(Path dir, Process process, int port) {
            this.dir = dir;
            this.process = process;
            this.port = port;
        }

        static Chronyd start() throws IOException, InterruptedException {
            int port;
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (DatagramSocket probe = new DatagramSocket(any)) {
                port = probe.getLocalPort();
            }
            Path dir = Files.createTempDirectory("pintp-chronyd");
            Path conf = dir.resolve("chrony.conf");
            Files.writeString(conf, String.join("\n",
                    "port " + port,
                    "bindaddress 127.0.0.1",
                    "local stratum 1",
                    "allow 127.0.0.1",
                    "cmdport 0",
                    "pidfile " + dir.resolve("chronyd.pid"),
                    "driftfile " + dir.resolve("drift"),
                    ""));
            Process p = new ProcessBuilder("/usr/sbin/chronyd", "-x", "-d", "-u", "root", "-f", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("chronyd.log").toFile()).start();
            Chronyd c = new Chronyd(dir, p, port);
            // Wait until it answers: one check must be PRIMARY_SYNCED within 10 s.
            NtpConfig config = NtpConfig.custom().primaryHosts("127.0.0.1:" + port).fallbacks(List.of()).build();
            NtpChecker checker = NtpChecker.create(config);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (checker.check().verdict() != Verdict.PRIMARY_SYNCED) {
                if (System.nanoTime() > end || !p.isAlive()) {
                    c.close();
                    throw new IllegalStateException("chronyd did not answer on port " + port + "; see its log");
                }
                Thread.sleep(100);
            }
            return c;
        }

        @Override
        public int port() {
            return port;
        }

        @Override
        public String describe() {
            return "chronyd -x (local stratum 1) on 127.0.0.1:" + port + ", pid " + process.pid();
        }

        @Override
        public void close() throws IOException {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }
}
